/**
 * No runtime import cycles in src/ and programs/: a module that imports a value from a module that
 * (directly or not) imports it back sees half-initialised exports depending on which is loaded
 * first. Type-only imports are erased and do not count; dynamic `import()` (lazy loading) does not
 * either. esbuild resolves the graph exactly as the build does.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

/** Every cycle of static imports among the given entry points, as `a -> b -> ... -> a`. */
async function importCycles(entryPoints: string[]): Promise<string[]> {
  const r = await build({ absWorkingDir: root, entryPoints, bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', packages: 'external', outdir: 'unused', splitting: true, logLevel: 'silent', loader: { '.node': 'empty' } });
  const graph = new Map(Object.entries(r.metafile.inputs).map(([f, v]) => [f, v.imports.filter((i) => !i.external && i.kind === 'import-statement').map((i) => i.path)]));
  const cycles = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const done = new Set<string>();
  const visit = (n: string): void => {
    stack.push(n);
    onStack.add(n);
    for (const m of graph.get(n) ?? []) {
      if (onStack.has(m)) cycles.add([...stack.slice(stack.indexOf(m)), m].join(' -> '));
      else if (!done.has(m)) visit(m);
    }
    stack.pop();
    onStack.delete(n);
    done.add(n);
  };
  for (const n of graph.keys()) if (!done.has(n)) visit(n);
  return [...cycles];
}

describe('module graph', function () {
  this.timeout(120_000);

  it('src/ and programs/ have no runtime import cycle', async () => {
    assert.deepEqual(await importCycles([...sources('src'), ...sources('programs')]), []);
  });

  it('the check finds a cycle when there is one', async () => {
    const cycles = await importCycles(['test/fixtures/import-cycle/a.ts']);
    assert.equal(cycles.length, 1, cycles.join('\n'));
    assert.match(cycles[0]!, /^test\/fixtures\/import-cycle\/(a|b)\.ts -> test\/fixtures\/import-cycle\/(a|b)\.ts -> test\/fixtures\/import-cycle\/\1\.ts$/);
  });
});
