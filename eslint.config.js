// Lint: TypeScript rules plus the layer rules of CONVENTIONS.md §2 — src/core and src/orchestrator
// stay pure (no Pulumi, ink, react, commander, fs, or process); the CLI reaches the phases only
// through programs/registry.ts (names they share live in src/core/platform-names.ts); programs never
// import a static-check rule; and nothing outside the hosts and the CLI entry writes to the console.
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
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: 'programs/(0|1)\\d-', message: "the CLI reaches a phase only through programs/registry.ts; shared names belong in src/core/platform-names.ts" }] }],
    },
  },
  {
    files: ['programs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: 'src/checks/', message: 'programs do not import static-check rules; shared names belong in src/core/platform-names.ts' }] }],
    },
  },
  { files: ['src/ui/**', 'src/cli/main.ts', 'test/**', 'bench/**', 'scripts/**'], rules: { 'no-console': 'off' } },
);
