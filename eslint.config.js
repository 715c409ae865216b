// Lint: TypeScript rules plus the layer rule of CONVENTIONS.md §2 — src/core and src/orchestrator
// stay pure (no Pulumi, ink, react, commander, fs, or process), and nothing outside the hosts and
// the CLI entry writes to the console.
import tseslint from 'typescript-eslint';

const impure = ['@pulumi/*', 'ink', 'ink-*', 'react', 'commander', 'fs', 'fs/*', 'node:fs', 'node:fs/*', 'child_process', 'node:child_process'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', '.platform/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/orchestrator/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: impure.map((group) => ({ group: [group], message: 'core and orchestrator stay pure: use a port' })) }],
      'no-restricted-globals': ['error', { name: 'process', message: 'core and orchestrator never touch process: take it through a port' }],
    },
  },
  { files: ['src/ui/**', 'src/cli/main.ts', 'test/**', 'bench/**', 'scripts/**'], rules: { 'no-console': 'off' } },
);
