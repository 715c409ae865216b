/**
 * Phase 10 load gate (reference/phases.md phase 10 "Gate" 2, first half): every public route is
 * driven from the runner at its target rate for the env's duration, one route after another (the
 * routes share the ingress: driving them together would measure the sum), and judged against its
 * service's SLO (load.ts). A failed run is terminal: re-running load until the gate's timeout would
 * only add load to a platform already missing its objective. Nothing is created anywhere.
 */
import type { Gate } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { driveLoad, judgeLoad } from './load.js';
import type { Phase10Outputs } from './phase.js';

type G = Gate<Phase10Outputs, Probes>;

export const loadGate: G = {
  name: 'load',
  description: 'Every public route at its target rate meets its SLO: p99 latency and error budget (autocannon from the runner)',
  live: true,
  timeoutMs: 60 * 60_000,
  intervalMs: 60_000,
  after: ['tls'],
  async check({ outputs, signal }) {
    const ev = new Evidence();
    for (const target of outputs.loadTargets) {
      if (signal.aborted) break;
      const m = await driveLoad(target, { ...outputs.load, signal });
      const v = judgeLoad(target, m);
      ev.saw(v.summary);
      for (const p of v.problems) ev.problem(p, true);
    }
    return ev.outcome('look at the service dashboards for the run window (phase 7): latency per pod, 5xx by route, HPA replicas; a low achieved rate means the runner or the ingress could not keep up');
  },
};
