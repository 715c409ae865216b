/**
 * Phase 10 chaos gate (reference/phases.md phase 10 "Gate" 2, second half): runs the env's chosen
 * FIS experiment once and passes when the SLOs held and everything recovered. Steps and rules:
 * 1. Before: every SLO alarm must be OK. An alarm already in ALARM means the SLO is already broken
 *    (FIS would refuse to start anyway); INSUFFICIENT_DATA means the stop condition cannot see its
 *    metric and would not stop anything: both fail without starting.
 * 2. The workloads of the app namespace are read (each Deployment's and Argo Rollout's desired
 *    replicas: phase 5 delivers every service as a Rollout) and the Ready nodes counted: that is what
 *    "recovered" means afterwards. A namespace with neither fails without starting: recovery could
 *    not be judged, and an empty check would pass. So does a workload without a matchLabels
 *    selector (its pods could not be counted, step 5).
 * 3. StartExperiment (tagged with the gate's run), then GetExperiment until the state is final.
 *    `completed` is required: `stopped` (a stop condition fired, or someone stopped it) and `failed`
 *    fail with FIS's reason. If the gate is cancelled or runs out of time while the experiment runs,
 *    the experiment is stopped (StopExperiment): the gate leaves nothing running.
 * 4. The SLO alarms' history from the experiment's start to now must hold no change to ALARM.
 * 5. Recovery: every workload back to its desired available replicas and at least as many Ready
 *    nodes as before, within RECOVERY_MS; the time it took is the evidence. A workload's available
 *    count is the lower of its status and its Ready pods counted in the pod list (its matchLabels):
 *    the controllers update the status a moment after the pods change, and a stale status would
 *    say "recovered" with pods missing (as the pod-chaos gate found on a real API server).
 */
import type { Gate, GateContext } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import { nodeReady, podReady } from '../../src/gates/k8s/readiness.js';
import { timing, waitFor } from '../../src/gates/poll.js';
import type { Probes } from '../../src/gates/probes/index.js';
import type { Phase10Outputs } from './phase.js';
import { sloAlarmsBefore, sloAlarmsHeld } from './slo-alarms.js';

type G = Gate<Phase10Outputs, Probes>;
type Ctx = GateContext<Phase10Outputs, Probes>;
const MIN = 60_000;
/** How long workloads get to come back after the experiment ends. */
export const RECOVERY_MS = 15 * MIN;
const FINAL = new Set(['completed', 'stopped', 'failed', 'cancelled']);

interface FisExperiment {
  id: string;
  experimentTemplateId?: string;
  state?: { status?: string; reason?: string; error?: { code?: string; location?: string } };
  actions?: Record<string, { state?: { status?: string; reason?: string } }>;
  startTime?: number | string;
  endTime?: number | string;
}

const when = (t: number | string | undefined) => (t === undefined ? '?' : new Date(typeof t === 'number' ? t * 1000 : t).toISOString());

interface Workloads {
  /** `available`: the lower of the status's availableReplicas and `ready`; `status` as the object says. */
  deployments: Array<{ kind: 'Deployment' | 'Rollout'; name: string; desired: number; available: number; status: number; ready: number; selectable: boolean }>;
  readyNodes: number;
}

async function workloads(ctx: Ctx): Promise<Workloads> {
  const ns = { namespace: ctx.outputs.appNamespace };
  const [deps, rollouts, nodes, pods] = [await ctx.probes.k8s.list('Deployment', ns), await ctx.probes.k8s.list('Rollout', ns), await ctx.probes.k8s.list('Node'), await ctx.probes.k8s.list('Pod', ns)];
  const readyPods = pods.filter((p: any) => podReady(p).ready && !p.metadata?.deletionTimestamp);
  const entry = (kind: 'Deployment' | 'Rollout') => (d: any) => {
    // Phase 5's Rollouts and the charts' Deployments select by matchLabels. Without them the pods
    // cannot be counted (an empty selector matches every pod): the gate does not start (step 2).
    const match = Object.entries<string>(d.spec?.selector?.matchLabels ?? {});
    const ready = match.length === 0 ? 0 : readyPods.filter((p: any) => match.every(([k, v]) => p.metadata?.labels?.[k] === v)).length;
    const status = d.status?.availableReplicas ?? 0;
    return { kind, name: d.metadata?.name ?? '?', desired: d.spec?.replicas ?? 1, available: Math.min(status, ready), status, ready, selectable: match.length > 0 };
  };
  return {
    deployments: [...deps.map(entry('Deployment')), ...rollouts.map(entry('Rollout'))],
    readyNodes: nodes.filter((n) => nodeReady(n).ready).length,
  };
}

export const chaosGate: G = {
  name: 'chaos',
  description: "Runs the env's FIS experiment once: it must complete, no SLO alarm may fire, and every workload must recover",
  live: true,
  timeoutMs: 60 * MIN,
  intervalMs: 5 * MIN,
  after: ['load'],
  async check(ctx) {
    const { outputs, probes, signal } = ctx;
    const { clock } = timing(ctx);
    const ev = new Evidence();

    // 1. The stop conditions must be able to stop.
    await sloAlarmsBefore(ctx, ev, {
      missing: 'the experiment would have no stop condition',
      notOk: (state) => `${state === 'ALARM' ? 'the SLO is already broken' : 'the stop condition cannot see its metric'}; not starting`,
      before: 'before the experiment',
    });
    if (!ev.ok) return ev.outcome('fix the SLO first (phase 7 dashboards), or the alarm metric: the ingress NLB must report HealthyHostCount');

    // 2. What recovered means.
    const before = await workloads(ctx);
    if (before.deployments.length === 0) {
      ev.problem(`no Deployment or Rollout in ${outputs.appNamespace}: recovery could not be judged; not starting`);
      return ev.outcome(`deploy the services first (phase 5), then: kubectl -n ${outputs.appNamespace} get rollouts,deploy`);
    }
    const blind = before.deployments.filter((d) => !d.selectable);
    if (blind.length > 0) {
      ev.problem(`${blind.map((d) => `${d.kind} ${outputs.appNamespace}/${d.name}`).join(', ')}: no matchLabels selector, so its pods cannot be counted: recovery could not be judged; not starting`, true);
      return ev.outcome('select the pods by spec.selector.matchLabels');
    }
    ev.saw(`before: ${before.readyNodes} Ready nodes; ${before.deployments.map((d) => `${d.kind} ${d.name} ${d.available}/${d.desired}`).join(', ')} in ${outputs.appNamespace}`);

    // 3. One experiment, always ended.
    const templateId = outputs.experimentTemplateIds[outputs.chaosExperiment];
    const started = await probes.aws.rest<{ experiment: FisExperiment }>('fis', {
      method: 'POST',
      path: '/experiments',
      body: { clientToken: `platform-verify-${clock.now()}`, experimentTemplateId: templateId, tags: { 'platform:gate': 'chaos' } },
    });
    const id = started.experiment.id;
    const startedAt = clock.now();
    ev.saw(`started FIS experiment ${id} from template ${templateId} (${outputs.chaosExperiment})`);
    let last: FisExperiment = started.experiment;
    try {
      const r = await waitFor(ctx, 15_000, async () => {
        last = (await probes.aws.rest<{ experiment: FisExperiment }>('fis', { method: 'GET', path: `/experiments/${encodeURIComponent(id)}` })).experiment;
        return { done: FINAL.has(last.state?.status ?? ''), value: last };
      });
      if (r.timedOut) throw new Error(`experiment ${id} still ${last.state?.status} at the gate's deadline`);
    } catch (e) {
      // Cancelled, out of time, or the API failed: stop the experiment so nothing keeps running.
      try {
        await probes.aws.rest('fis', { method: 'DELETE', path: `/experiments/${encodeURIComponent(id)}` });
        ev.problem(`stopped experiment ${id}: ${(e as Error).message}`, true);
      } catch (stopError) {
        ev.problem(`experiment ${id} may still be running (StopExperiment failed: ${(stopError as Error).message}); stop it: aws fis stop-experiment --id ${id}`, true);
      }
      return ev.outcome('see the experiment in the FIS console or: aws fis get-experiment --id ' + id);
    }
    const status = last.state?.status;
    const actions = Object.entries(last.actions ?? {}).map(([n, a]) => `${n} ${a.state?.status ?? '?'}`).join(', ');
    if (status === 'completed') ev.saw(`experiment ${id} completed (${when(last.startTime)} to ${when(last.endTime)}); actions: ${actions}`);
    else ev.problem(`experiment ${id} ended ${status}: ${last.state?.reason ?? 'no reason given'}${last.state?.error?.code ? ` (${last.state.error.code})` : ''}; actions: ${actions}`, true);

    // 4. The SLO held throughout.
    await sloAlarmsHeld(ctx, ev, startedAt, clock.now(), 'during the experiment');
    if (signal.aborted) return ev.outcome('cancelled');

    // 5. Everything came back.
    const ended = clock.now();
    const recoveryDeadline = Math.min(ended + RECOVERY_MS, timing(ctx).deadline);
    const rec = await waitFor({ ...ctx, deadline: recoveryDeadline }, 20_000, async () => {
      const now = await workloads(ctx);
      const short = before.deployments.filter((b) => {
        const d = now.deployments.find((x) => x.kind === b.kind && x.name === b.name);
        return !d || d.available < b.desired;
      });
      return { done: short.length === 0 && now.readyNodes >= before.readyNodes, value: { now, short } };
    });
    const { now, short } = rec.value;
    if (rec.done) ev.saw(`recovered ${Math.round((clock.now() - ended) / 1000)} s after the experiment ended: ${now.readyNodes} Ready nodes, every workload at its desired replicas`);
    else {
      if (now.readyNodes < before.readyNodes) ev.problem(`not recovered within ${RECOVERY_MS / MIN} min: ${now.readyNodes} Ready nodes, ${before.readyNodes} before`, true);
      for (const s of short) {
        const d = now.deployments.find((x) => x.kind === s.kind && x.name === s.name);
        const stale = d && d.status > d.ready ? ` (${d.ready} Ready pod${d.ready === 1 ? '' : 's'}; its status says ${d.status}: not yet updated by the controllers)` : '';
        ev.problem(`not recovered within ${RECOVERY_MS / MIN} min: ${s.kind} ${outputs.appNamespace}/${s.name} ${d ? `${d.available}/${s.desired}` : 'gone'} available${stale}`, true);
      }
    }
    return ev.outcome(`the experiment's log: aws fis get-experiment --id ${id}; Karpenter's logs for replacement nodes; kubectl -n ${outputs.appNamespace} get rollouts,deploy,pods`);
  },
};
