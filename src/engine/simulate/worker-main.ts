/**
 * Entry of the evaluation worker (run-worker.ts forks this file). It turns on Node's module compile
 * cache before anything heavy is imported, then loads the worker: the cache must be on before
 * @pulumi/pulumi is compiled, and worker.ts imports it statically through evaluate.ts. Without this,
 * every evaluation compiled @pulumi/pulumi afresh (measured 2026-11-30: the workers of
 * `preview --phase 0..3 --env local` took 11.8 s of CPU without the cache, 10.7 s with it).
 * The cache is Node's own (os.tmpdir()/node-compile-cache, keyed by Node version and file content).
 */
import { enableCompileCache } from 'node:module';

try {
  enableCompileCache?.();
} catch {
  // The compile cache only speeds up start-up; without it evaluation is the same.
}
await import('./worker.js');
