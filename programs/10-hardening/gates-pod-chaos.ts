/**
 * Phase 10 pod-chaos gate (issue 18 item 3, pod-level faults): Chaos Mesh is not part of the
 * platform, so the fault goes through the Kubernetes API itself. Steps and rules:
 * 1. Every SLO alarm must be OK first (as the chaos gate: ALARM means the SLO is already broken,
 *    INSUFFICIENT_DATA means nothing would notice).
 * 2. The target workload (env `hardening.chaos.podFault`: a Rollout or Deployment of the app
 *    namespace) must be at full availability (available >= desired); one of its Ready pods (first
 *    by name) is the victim.
 * 3. The fault: `evict` uses the eviction subresource, which honours the PodDisruptionBudget (a
 *    refusal, HTTP 429, at full strength means the budget allows no voluntary disruption at all:
 *    a terminal failure naming it); `delete` deletes the pod.
 * 4. Recovery: within `recoverySeconds`, the victim gone, at least `desired` Ready pods of the
 *    workload counted in the pod list itself, and the workload's status back to available >=
 *    desired. The status alone is not enough: the controllers update it a moment after the pods
 *    change, so right after the victim is gone it can still say "1/1 available" with no pod left
 *    (a false pass seen under load; the cluster test pauses kube-controller-manager to hold that
 *    moment). Otherwise a terminal failure naming what is short and why the replacement is not
 *    running (its PodScheduled or container state).
 * 5. No SLO alarm may have changed to ALARM since the fault.
 */
import type { Gate } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import { podReady } from '../../src/gates/k8s/readiness.js';
import { timing, waitFor } from '../../src/gates/poll.js';
import type { Probes } from '../../src/gates/probes/index.js';
import type { Phase10Outputs } from './phase.js';
import { sloAlarmsBefore, sloAlarmsHeld } from './slo-alarms.js';

const MIN = 60_000;
const POLL_MS = 2_000;

interface Health {
  desired: number;
  available: number;
}

const healthOf = (w: any): Health => ({ desired: w?.spec?.replicas ?? 1, available: w?.status?.availableReplicas ?? 0 });

/** Why a pod of the workload is not running yet (scheduling or container state). */
function notRunning(p: any): string {
  const sched = (p?.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled' && c.status !== 'True');
  if (sched) return `${p.metadata?.name}: not scheduled (${sched.reason ?? ''}: ${sched.message ?? ''})`;
  const w = (p?.status?.containerStatuses ?? []).map((c: any) => c.state?.waiting?.reason).filter(Boolean);
  return `${p?.metadata?.name}: ${p?.status?.phase ?? 'no phase'}${w.length ? ` (${w.join(', ')})` : ''}`;
}

export const podChaosGate: Gate<Phase10Outputs, Probes> = {
  name: 'pod-chaos',
  description: "Deletes or evicts one pod of the env's target workload through the Kubernetes API: it must be back to full availability within the env's recovery time, and no SLO alarm may fire",
  live: true,
  timeoutMs: 40 * MIN,
  intervalMs: 5 * MIN,
  after: ['load'],
  async check(ctx) {
    const { outputs, probes } = ctx;
    const { clock, deadline } = timing(ctx);
    const f = outputs.podFault;
    const ns = outputs.appNamespace;
    const what = `${f.workload} ${ns}/${f.name}`;
    const ev = new Evidence();
    const k8s = probes.k8s;

    await sloAlarmsBefore(ctx, ev, { missing: "nothing would show the fault's effect", notOk: () => 'not injecting a fault', before: 'before the fault' });
    if (!ev.ok) return ev.outcome('fix the SLO first (phase 7 dashboards), or the alarm metric');

    const workload: any = await k8s.read({ kind: f.workload, namespace: ns, name: f.name });
    if (!workload) return ev.problem(`${what} does not exist`, true).outcome(`set hardening.chaos.podFault to a workload of ${ns} in stacks/${ctx.env.name}.yaml`);
    const before = healthOf(workload);
    if (before.available < before.desired) return ev.problem(`${what} is not at full availability before the fault (${before.available}/${before.desired} available): not injecting`).outcome(`kubectl -n ${ns} get ${f.workload.toLowerCase()} ${f.name}`);
    const selector = Object.entries(workload.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    if (!selector) return ev.problem(`${what} has no matchLabels selector`, true).outcome('the pod-chaos gate selects pods by matchLabels');
    const pods = (await k8s.list('Pod', { namespace: ns, labelSelector: selector })).filter((p: any) => podReady(p).ready && !p.metadata?.deletionTimestamp);
    pods.sort((a: any, b: any) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
    const victim: any = pods[0];
    if (!victim) return ev.problem(`${what}: no Ready pod matches ${selector}`).outcome(`kubectl -n ${ns} get pods -l ${selector}`);
    const victimName: string = victim.metadata.name;
    const victimUid: string | undefined = victim.metadata.uid;
    ev.saw(`${what}: ${before.available}/${before.desired} available; victim pod ${victimName}`);

    const startedAt = clock.now();
    try {
      if (f.action === 'evict') await k8s.evict({ namespace: ns, name: victimName });
      else await k8s.delete({ kind: 'Pod', namespace: ns, name: victimName });
    } catch (e) {
      const msg = (e as Error).message;
      if (f.action === 'evict' && /HTTP 429/.test(msg)) {
        return ev.problem(`eviction of ${victimName} refused at full availability: the PodDisruptionBudget allows no voluntary disruption (${msg})`, true).outcome(`let the budget allow one pod down (maxUnavailable: 1, or minAvailable below the replicas): kubectl -n ${ns} get pdb`);
      }
      throw e;
    }
    ev.saw(`${f.action === 'evict' ? 'evicted' : 'deleted'} pod ${ns}/${victimName} at ${new Date(startedAt).toISOString()}`);

    const until = Math.min(startedAt + f.recoverySeconds * 1000, deadline);
    const r = await waitFor({ ...ctx, deadline: until }, POLL_MS, async () => {
      const w = healthOf(await k8s.read({ kind: f.workload, namespace: ns, name: f.name }));
      const v: any = await k8s.read({ kind: 'Pod', namespace: ns, name: victimName });
      const victimGone = !v || (victimUid !== undefined && v.metadata?.uid !== victimUid);
      const ready = (await k8s.list('Pod', { namespace: ns, labelSelector: selector })).filter((p: any) => podReady(p).ready && !p.metadata?.deletionTimestamp && p.metadata?.uid !== victimUid).length;
      return { done: victimGone && ready >= before.desired && w.available >= before.desired, value: { w, victimGone, ready } };
    });
    const { w, victimGone, ready } = r.value;
    if (r.done) ev.saw(`${what} back to ${w.available}/${before.desired} available ${Math.round((clock.now() - startedAt) / 1000)} s after the fault (limit ${f.recoverySeconds} s)`);
    else {
      const now = await k8s.list('Pod', { namespace: ns, labelSelector: selector });
      const short = now.filter((p: any) => !podReady(p).ready).map(notRunning);
      const stale = w.available > ready ? ` (its status says ${w.available} available: not yet updated by the controllers)` : '';
      ev.problem(`${what} not recovered within ${f.recoverySeconds} s: ${Math.min(ready, w.available)}/${before.desired} available, ${ready} Ready pod${ready === 1 ? '' : 's'}${stale}${victimGone ? '' : `, pod ${victimName} still terminating`}${short.length ? `; ${short.join('; ')}` : ''}`, true);
    }
    await sloAlarmsHeld(ctx, ev, startedAt, clock.now(), 'after the fault');
    return ev.outcome(`kubectl -n ${ns} describe ${f.workload.toLowerCase()} ${f.name}; kubectl -n ${ns} get pods -l ${selector}`);
  },
};
