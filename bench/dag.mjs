// DAG runner wall time against the chain's critical path, with an engine that takes a known time per
// phase, on the platform's real edges (the registry's dependsOn) and real timers.
import { runPhases } from '../dist/src/orchestrator/run.js';
import { PhaseDag } from '../dist/src/core/dag.js';
import { resolveSelection } from '../dist/src/core/selection.js';
import { phases as registry } from '../dist/programs/registry.js';
import { z } from 'zod';

const PER_PHASE_MS = 250;

function makePorts() {
  const stacks = new Map();
  const records = new Map();
  const clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
  const engine = {
    kind: 'simulate',
    async info(s) { return { exists: stacks.has(s.name), lastResult: stacks.has(s.name) ? 'succeeded' : undefined, pendingOperations: [], resourceCount: 0 }; },
    async preview() { return { changes: { create: 0, update: 0, replace: 0, delete: 0, same: 0 } }; },
    async up(req) {
      await clock.sleep(PER_PHASE_MS);
      const outputs = { value: { value: req.stack.name, secret: false } };
      stacks.set(req.stack.name, outputs);
      return { changes: { create: 1, update: 0, replace: 0, delete: 0, same: 0 }, outputs };
    },
    async destroy() { return { changes: { create: 0, update: 0, replace: 0, delete: 0, same: 0 } }; },
    async outputs(s) { return stacks.get(s.name); },
  };
  return {
    engine,
    clock,
    records: { read: async (_e, p) => records.get(p), write: async (r) => void records.set(r.phase, r), remove: async () => {} },
    journal: { runId: 'bench', append() {}, close: async () => {} },
    locker: { acquire: async () => ({ release: async () => {} }) },
    host: { notify() {}, confirm: async () => false, close: async () => {} },
    sources: { hash: async (p) => String(p.id) },
  };
}

export async function benchDag(parallel = 4) {
  // Same edges as the registry; every phase gets a program so the whole chain runs. Every phase runs
  // per env here (phase 0 is organization-scoped in the registry, which would need an organization
  // file and its ports; the scope does not change the DAG's edges or its wall time).
  const phases = registry.map((p) => ({
    ...p,
    scope: 'env',
    inputs: () => ({}),
    outputs: z.object({ value: z.string() }),
    secretOutputs: [],
    loadProgram: async () => async () => ({}),
  }));
  const dag = new PhaseDag(phases);
  const longest = new Map();
  for (const id of dag.order()) longest.set(id, 1 + Math.max(0, ...dag.dependsOn(id).map((d) => longest.get(d))));
  const criticalMs = Math.max(...longest.values()) * PER_PHASE_MS;
  const env = { name: 'bench', backend: { url: 'file://x' } };
  const t0 = performance.now();
  const out = await runPhases({ command: 'up', env, registry: phases, selection: resolveSelection({ all: true }, phases.map((p) => p.id)), parallel, force: false, signal: new AbortController().signal }, makePorts());
  const wallMs = performance.now() - t0;
  if (out.exitCode !== 0) throw new Error(`bench run failed: exit ${out.exitCode} ${out.error?.message}`);
  return { parallel, phases: phases.length, perPhaseMs: PER_PHASE_MS, criticalPathPhases: criticalMs / PER_PHASE_MS, criticalMs, wallMs: Math.round(wallMs), ratio: wallMs / criticalMs };
}
