/**
 * The built code (dist/, what `npm run build` emits and bin/platform.js runs), for tests that plan
 * the shipped programs with the simulate engine, and for the engine tests with their own phases
 * (built to dist/test/). Its workers then run on plain Node as a user's do;
 * from the TypeScript sources every worker loads through tsx's module hooks instead, which cost 2.3x
 * the CPU (measured 2026-11-30 on this 2-core machine: stg's eleven phases planned from src took
 * 36.5 s of CPU and 25.7 s wall, from dist 15.6 s and 13.7 s).
 *
 * dist/ must be at least as new as every source it is built from. When it is not, the test fails
 * naming the file and `npm run build` (`npm test` builds first). It never rebuilds by itself: two
 * mocha workers rebuilding dist/ at once would pull it from under the CLI tests running beside them.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The engine tests' phase modules scripts/build.mjs builds too (its TEST_PHASE_DIRS). */
export const TEST_PHASE_DIRS = ['test/engine-contract/phases', 'test/engine/fixtures'];

export interface Built {
  createSimulateEngine: (typeof import('../../src/engine/simulate/simulate-engine.js'))['createSimulateEngine'];
  planPhases: (typeof import('../../src/orchestrator/plan.js'))['planPhases'];
  /** The registry's phases as built: their `module` URLs are dist/programs/.../phase.js. */
  phases: (typeof import('../../programs/registry.js'))['phases'];
}

/** The first source (relative to the repository) whose built file is missing or older, if any. */
export function staleSource(root = REPO): string | undefined {
  const walk = (dir: string): string | undefined => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) {
        const found = walk(path);
        if (found) return found;
        continue;
      }
      const built = /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? path.replace(/\.tsx?$/, '.js') : name.endsWith('.lock.yaml') ? path : undefined;
      if (!built) continue;
      const out = join(root, 'dist', relative(root, built));
      if (!existsSync(out) || statSync(out).mtimeMs < stat.mtimeMs) return relative(root, path);
    }
    return undefined;
  };
  for (const dir of ['src', 'programs', ...TEST_PHASE_DIRS]) {
    const found = existsSync(join(root, dir)) ? walk(join(root, dir)) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** Throws, naming the first stale source and the fix, unless dist/ is current. */
function assertBuilt(): void {
  const stale = staleSource();
  if (stale) throw new Error(`dist/ is older than ${stale} (or lacks its built file): run npm run build (npm test runs it first)`);
}

let loaded: Promise<Built> | undefined;
let contract: Promise<BuiltContract> | undefined;

export interface BuiltContract {
  createSimulateEngine: Built['createSimulateEngine'];
  /** The contract phases as built: their `module` URLs are dist/test/engine-contract/phases/*.js. */
  contractPhases: (typeof import('../engine-contract/phases/index.js'))['contractPhases'];
  /** A fixture phase module of test/engine/fixtures, as built (e.g. 'exiting-phase'). */
  fixture(name: string): Promise<Record<string, unknown>>;
}

/** Path of a source's built module under dist/ (e.g. 'test/engine/fixtures/exiting-phase.ts'). */
export function builtUrl(source: string): string {
  return pathToFileURL(join(REPO, 'dist', source.replace(/\.tsx?$/, '.js'))).href;
}

/**
 * The built simulate engine with the engine tests' built phases: its workers run on plain Node (the
 * sources' engine forks every worker through tsx, 1.7 s of CPU each against 1.0 s). Throws when dist/
 * is stale.
 */
export function builtContract(): Promise<BuiltContract> {
  contract ??= (async () => {
    assertBuilt();
    const [sim, phases] = await Promise.all([import(builtUrl('src/engine/simulate/simulate-engine.ts')), import(builtUrl('test/engine-contract/phases/index.ts'))]);
    return { createSimulateEngine: sim.createSimulateEngine, contractPhases: phases.contractPhases, fixture: (name) => import(builtUrl(`test/engine/fixtures/${name}.ts`)) };
  })();
  return contract;
}

/** The built engine, orchestrator and registry (once per process); throws when dist/ is stale. */
export function builtCode(): Promise<Built> {
  loaded ??= (async () => {
    assertBuilt();
    const [sim, plan, registry] = await Promise.all([import(builtUrl('src/engine/simulate/simulate-engine.ts')), import(builtUrl('src/orchestrator/plan.ts')), import(builtUrl('programs/registry.ts'))]);
    return { createSimulateEngine: sim.createSimulateEngine, planPhases: plan.planPhases, phases: registry.phases };
  })();
  return loaded;
}
