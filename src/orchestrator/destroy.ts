/**
 * `destroy` over a selection, in reverse dependency order:
 * - a phase is destroyed only after every selected phase that depends on it;
 * - it refuses (exit 3, before any change) while a phase that depends on a selected one is still
 *   deployed and not selected, unless `cascade` adds those dependents to the run;
 * - an organization-scoped phase (phase 0) is shared by every env: it refuses while any env sharing
 *   the organization (every env file in stacks/, `local` having its own) still has a dependent
 *   deployed; `cascade` never reaches into another env;
 * - it asks for confirmation through the host; without a terminal it needs `yes`;
 * - each destroyed phase's record says `destroyed`.
 */
import { PlatformError, isPlatformError } from '../core/errors.js';
import { PhaseDag } from '../core/dag.js';
import type { AnyPhase, PhaseId } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import type { PhaseStatus } from '../core/events.js';
import type { Selection } from '../core/selection.js';
import { WorkGraph } from '../core/work-graph.js';
import { RunContext } from './context.js';
import { targetOf, type EnvPorts } from './scope.js';
import { phaseScope } from '../core/phase.js';
import type { OrchestratorPorts } from './ports.js';
import { acquireLocks, askOrAbort, exitCodeFor, type RunOutcome } from './run.js';

export interface DestroyRequest {
  env: EnvConfig;
  registry: readonly AnyPhase[];
  selection: Selection;
  parallel: number;
  cascade: boolean;
  yes: boolean;
  /** Whether someone can answer a question (a TTY on stdin and stderr). */
  interactive: boolean;
  signal: AbortSignal;
}

async function isDeployed(env: EnvConfig, phase: AnyPhase, ports: Pick<OrchestratorPorts, 'engine' | 'records' | 'organization'>): Promise<boolean> {
  const t = targetOf(phase, env, ports);
  const rec = await t.records.read(t.env.name, phase.id);
  if (rec && rec.status !== 'destroyed') return true;
  return (await t.engine.info(t.ref, t.env)).exists;
}

/**
 * Refuses to destroy an organization-scoped phase while an env-scoped dependent of it is deployed
 * in any env sharing the organization (the running env is checked by the caller, with --cascade).
 */
async function checkOtherEnvs(req: DestroyRequest, dag: PhaseDag, byId: ReadonlyMap<PhaseId, AnyPhase>, ids: readonly PhaseId[], ports: OrchestratorPorts): Promise<void> {
  const shared = ids.filter((id) => phaseScope(byId.get(id)!) === 'organization');
  if (shared.length === 0) return;
  if (!ports.envs) {
    throw new PlatformError('dependency-check', `cannot destroy phase ${shared[0]} (${byId.get(shared[0]!)!.slug}): the envs sharing the organization cannot be listed`, {
      value: String(shared[0]),
      hint: 'run it from the platform CLI, which reads every env file in stacks/',
    });
  }
  const envs: EnvPorts[] = await ports.envs();
  for (const id of shared) {
    for (const other of envs) {
      if (other.env.name === req.env.name) continue;
      for (const d of dag.downstream(id)) {
        const dep = byId.get(d)!;
        if (phaseScope(dep) !== 'env' || !(await isDeployed(other.env, dep, { ...other, organization: ports.organization }))) continue;
        throw new PlatformError('dependency-check', `cannot destroy phase ${id} (${byId.get(id)!.slug}): it is shared by every env, and phase ${d} (${dep.slug}) still depends on it in env ${other.env.name}`, {
          value: String(d),
          hint: `destroy it there first: platform destroy --phase ${d} --env ${other.env.name}`,
        });
      }
    }
  }
}

export async function destroyPhases(req: DestroyRequest, ports: OrchestratorPorts): Promise<RunOutcome> {
  const ctx = new RunContext(ports, req.env.name);
  const dag = new PhaseDag(req.registry);
  const byId = new Map(req.registry.map((p) => [p.id, p] as const));
  const statuses = ctx.statuses;
  const finish = (exitCode: number, error?: PlatformError, next?: string) => ctx.finish(exitCode, error, next);

  try {
    const selected = new Set<PhaseId>(req.selection.ids);
    for (const id of [...selected]) {
      for (const d of dag.downstream(id)) {
        if (selected.has(d) || !(await isDeployed(req.env, byId.get(d)!, ports))) continue;
        if (!req.cascade) {
          throw new PlatformError('dependency-check', `cannot destroy phase ${id} (${byId.get(id)!.slug}): phase ${d} (${byId.get(d)!.slug}) depends on it and is still deployed in env ${req.env.name}`, {
            value: String(d),
            hint: `destroy it first (platform destroy --phase ${d} --env ${req.env.name}) or add --cascade`,
          });
        }
        selected.add(d);
      }
    }
    await checkOtherEnvs(req, dag, byId, [...selected], ports);
    const deployed: AnyPhase[] = [];
    for (const id of selected) {
      const p = byId.get(id)!;
      if (await isDeployed(req.env, p, ports)) deployed.push(p);
      else statuses[id] = 'skipped';
    }
    ctx.emit({ type: 'run-started', runId: ports.journal.runId, env: req.env.name, engine: ports.engine.kind, command: 'destroy', phases: deployed.map((p) => p.id).sort((a, b) => b - a), parallel: req.parallel, at: ctx.at() });
    for (const id of selected) if (statuses[id] === 'skipped') ctx.status(id, 'skipped', { reason: 'not deployed; nothing to destroy', cause: 'not-deployed' });
    if (deployed.length === 0) return finish(0);

    const names = deployed.map((p) => `${p.id} (${p.slug})`).sort().reverse().join(', ');
    if (!req.yes && !req.interactive) {
      throw new PlatformError('confirmation-required', `destroy needs confirmation: phases ${names} of env ${req.env.name}`, {
        hint: 'pass --yes (-y) to confirm when not on a terminal',
      });
    }
    // Locked before the question: what is confirmed cannot change under it.
    const locks = await acquireLocks(req.env, deployed, 'destroy', ports);
    if (!req.yes) {
      const answer = await askOrAbort(ctx, { message: `Destroy phases ${names} of env ${req.env.name}? Their resources will be deleted.`, defaultAnswer: false }, req.signal);
      if (answer !== true) {
        await Promise.all(locks.map((l) => l.release()));
        const interrupted = answer === 'aborted';
        const e = interrupted
          ? new PlatformError('cancelled', 'interrupted at the confirmation; nothing was destroyed')
          : new PlatformError('declined', 'destroy not confirmed; nothing was destroyed', { hint: `run platform destroy ${req.selection.text} --env ${req.env.name} again to be asked again` });
        for (const p of deployed) {
          ctx.status(p.id, 'cancelled', { reason: e.message, cause: interrupted ? 'interrupted' : 'declined' });
          statuses[p.id] = 'cancelled';
        }
        return finish(e.exitCode, e);
      }
    }
    // Reverse DAG: a phase "depends on" its dependents, so they are destroyed first.
    const reversed = new PhaseDag(req.registry.map((p) => ({ id: p.id, dependsOn: dag.directDependents(p.id) })));
    const graph = new WorkGraph(reversed, deployed.map((p) => p.id), Math.max(1, req.parallel));
    let interrupted = false;
    let firstError: PlatformError | undefined;
    const onAbort = () => {
      interrupted = true;
      for (const id of graph.cancel('cancelled before it started')) ctx.status(id, 'cancelled', { reason: 'cancelled before it started', cause: 'interrupted' });
    };
    req.signal.addEventListener('abort', onAbort, { once: true });
    const inflight = new Map<PhaseId, Promise<{ id: PhaseId; ok: boolean; error?: PlatformError }>>();
    try {
      for (;;) {
        for (const id of graph.startReady()) {
          const phase = byId.get(id)!;
          ctx.status(id, 'running');
          inflight.set(id, destroyOne(ctx, req.env, phase, req.signal));
        }
        if (inflight.size === 0) break;
        const r = await Promise.race(inflight.values());
        inflight.delete(r.id);
        const state = r.ok ? 'succeeded' : r.error?.code === 'cancelled' ? 'cancelled' : 'failed';
        if (r.error && !firstError) firstError = r.error;
        const changed = graph.finish(r.id, state, r.error?.message);
        ctx.status(r.id, state, { reason: r.error?.message ?? (r.ok ? 'destroyed' : undefined), hint: r.error?.hint });
        for (const c of changed) {
          const st = graph.get(c).state as PhaseStatus;
          ctx.status(c, st, { on: graph.get(c).blockedBy, reason: graph.get(c).reason, cause: st === 'blocked' ? 'dependency' : interrupted ? 'interrupted' : 'fail-fast' });
        }
      }
    } finally {
      req.signal.removeEventListener('abort', onAbort);
      await Promise.all(locks.map((l) => l.release()));
    }
    for (const it of graph.all()) statuses[it.id] = it.state as PhaseStatus;
    return finish(exitCodeFor(graph.all().map((i) => i.state), interrupted, firstError), firstError);
  } catch (e) {
    if (!isPlatformError(e)) throw e;
    return finish(e.exitCode, e);
  }
}

async function destroyOne(ctx: RunContext, runEnv: EnvConfig, phase: AnyPhase, signal: AbortSignal): Promise<{ id: PhaseId; ok: boolean; error?: PlatformError }> {
  const { clock } = ctx.ports;
  const { env, engine, records, ref } = targetOf(phase, runEnv, ctx.ports);
  const started = clock.now();
  try {
    const result = await engine.destroy({ stack: ref, env, phase, signal, emit: (e) => ctx.emit(e) });
    ctx.emit({ type: 'phase-summary', phase: phase.id, changes: result.changes, durationMs: clock.now() - started, at: ctx.at() });
    const prev = await records.read(env.name, phase.id);
    await records.write({
      env: env.name,
      phase: phase.id,
      stack: ref.name,
      engine: engine.kind,
      status: 'destroyed',
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(clock.now()).toISOString(),
      runId: ctx.ports.journal.runId,
      fingerprint: prev?.fingerprint,
    });
    return { id: phase.id, ok: true };
  } catch (e) {
    const error = isPlatformError(e) ? e : new PlatformError('engine-failed', `phase ${phase.id} (${phase.slug}) destroy failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    return { id: phase.id, ok: false, error };
  }
}
