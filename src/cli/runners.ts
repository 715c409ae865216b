/**
 * The gate and static-check runners the CLI hands the orchestrator. Both load their modules on first
 * use, so a run that needs neither (a no-op `up`) never pays for the cloud SDKs or the schema models.
 */
import { phaseGates, type AnyPhase, type PhaseId } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import type { PlannedResource } from '../core/ports.js';
import type { CostChange } from '../core/events.js';
import type { CheckOutcome, GateRunner, GateRunOptions } from '../orchestrator/ports.js';
import { systemClock } from '../state/clock.js';

function secretValues(phase: AnyPhase, outputs: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const k of phase.secretOutputs) walk(outputs[k]);
  return out;
}

/** Runs a phase's gates: live gates are skipped (never passed) when the engine is simulate. */
export function gateRunner(opts: { awsEndpoint?: string; only?: readonly string[] } = {}): GateRunner {
  return async (phase: AnyPhase, run: GateRunOptions) => {
    // Live Kubernetes gates (`verify` from a laptop on a private cluster) would only time out: check
    // the API can be reached first, naming the access path (src/preflight/).
    if (!run.simulated && typeof run.outputs.clusterEndpoint === 'string' && run.outputs.clusterEndpoint !== '') {
      const { preflightCluster } = await import('../preflight/cluster-endpoint.js');
      await preflightCluster(run.env, phase.id, { endpoint: async () => run.outputs.clusterEndpoint as string });
    }
    const [{ runGates }, gates] = await Promise.all([import('../gates/run-gates.js'), phaseGates(phase)]);
    const probes = run.simulated ? undefined : (await import('../gates/probes/index.js')).createProbes(run.env, run.outputs, { awsEndpoint: opts.awsEndpoint });
    return runGates({ id: phase.id, gates }, {
      env: run.env,
      outputs: run.outputs,
      probes,
      clock: systemClock,
      signal: run.signal,
      simulated: run.simulated,
      emit: run.emit,
      secretValues: secretValues(phase, run.outputs),
      only: opts.only,
    });
  };
}

/**
 * The cost of a previewed phase change, from the committed price table (docs/cost.md). `before`
 * undefined (the engine cannot list the stack's resources): only the planned cost.
 */
export async function costOfChange(phase: PhaseId, before: PlannedResource[] | undefined, after: PlannedResource[], env: EnvConfig): Promise<CostChange> {
  const { costDelta, estimateCost, loadPrices } = await import('../cost/index.js');
  const prices = loadPrices();
  if (!before) {
    const e = estimateCost(after, env, prices);
    return { afterUsd: e.totalMonthlyUsd, notEstimated: [...new Set(e.notPriced.map((n) => n.type))].sort() };
  }
  const d = costDelta(phase, before, after, env, prices);
  return { beforeUsd: d.beforeUsd, afterUsd: d.afterUsd, deltaUsd: d.deltaUsd, notEstimated: d.notEstimated };
}

/** Static checks over one phase's planned resources, with the env's suppressions and policy. */
export async function checkResources(_phase: PhaseId, resources: PlannedResource[], env: EnvConfig): Promise<CheckOutcome> {
  const [{ checkPlatform, findingLine, suppressionLine }, { findRepoRoot }] = await Promise.all([import('../checks/index.js'), import('../config/repo-root.js')]);
  const result = await checkPlatform(resources, env, Date.now(), { root: await findRepoRoot(process.cwd()) });
  return {
    findings: [...result.findings.map(findingLine), ...result.expiredSuppressions.map(suppressionLine)],
    blocking: env.checks.blockOnViolation,
  };
}
