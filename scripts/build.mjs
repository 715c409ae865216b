// Transpiles src/ and programs/ to dist/ with esbuild (one file in, one file out; no bundling),
// so the CLI starts on plain Node without a TypeScript loader. Type checking is `npm run typecheck`.
import { build } from 'esbuild';
import { copyFileSync, readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir, out = [], match = /\.(ts|tsx)$/) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out, match);
    else if (match.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// The engine tests' own phase modules are built too (dist/test/...), so the built engine forks its
// evaluation workers on plain Node for them as it does for the shipped programs; test/helpers/built.ts
// walks the same folders to refuse a stale build.
const TEST_PHASE_DIRS = ['test/engine-contract/phases', 'test/engine/fixtures'];
const entryPoints = [...walk('src'), ...walk('programs'), ...walk('lambdas'), ...TEST_PHASE_DIRS.flatMap((d) => walk(d))];
rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints,
  outdir: 'dist',
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node22',
  jsx: 'automatic',
  sourcemap: 'linked',
  logLevel: 'warning',
});
// Data files the programs read at run time (the chart lock) go beside their built modules.
for (const file of walk('programs', [], /\.lock\.yaml$/)) copyFileSync(file, join('dist', file));
