/**
 * Runs `up` or `preview` over a selection of phases:
 * 1. resolve the selection against the registry (explicit selections of phases without a program
 *    fail; broad ones report those phases plainly and leave them out);
 * 2. before anything else touches a stack, a lock on every selected stack (all or nothing; a racer
 *    fails fast with 'locked'); then dependency checks of unselected upstreams and pending
 *    operations of the selected stacks (a stack another process is updating is 'locked', not
 *    'recovery-needed': its pending operations are that run's steps in flight);
 * 3. schedule over the DAG with the parallel limit (WorkGraph), fail-fast, cancellation by signal;
 * 4. release locks, emit run-finished with the exit code and the next command.
 */
import { ExitCode, PlatformError, isPlatformError } from '../core/errors.js';
import { PhaseDag } from '../core/dag.js';
import { hasProgram, type AnyPhase, type PhaseId } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import type { LockHandle, OutputMap } from '../core/ports.js';
import type { PhaseStatus } from '../core/events.js';
import type { Selection } from '../core/selection.js';
import { WorkGraph, type WorkState } from '../core/work-graph.js';
import { RunContext, type RunOutcome } from './context.js';
import { targetOf } from './scope.js';
import { checkDependencies } from './dependency-check.js';
import { runStep, type StepResult } from './phase-step.js';
import type { OrchestratorPorts } from './ports.js';

export interface RunRequest {
  command: 'up' | 'preview';
  env: EnvConfig;
  registry: readonly AnyPhase[];
  selection: Selection;
  parallel: number;
  force: boolean;
  signal: AbortSignal;
}

export type { RunOutcome } from './context.js';

/** Splits a selection into phases to run and phases reported as having no program. */
export function planSelection(registry: readonly AnyPhase[], selection: Selection): { run: AnyPhase[]; missing: AnyPhase[] } {
  const byId = new Map(registry.map((p) => [p.id, p] as const));
  const chosen = selection.ids.map((id) => byId.get(id)!).filter(Boolean);
  const missing = chosen.filter((p) => !hasProgram(p));
  if (selection.explicit && missing.length > 0) {
    const have = registry.filter(hasProgram).map((p) => p.id);
    const m = missing[0]!;
    throw new PlatformError('no-program', `phase ${m.id} (${m.slug}) has no program yet`, {
      value: String(m.id),
      hint: `phases with programs: ${have.join(', ')}`,
    });
  }
  return { run: chosen.filter(hasProgram), missing };
}

export async function preflight(
  req: { command: string; env: EnvConfig; run: readonly AnyPhase[]; registry: readonly AnyPhase[] },
  ports: OrchestratorPorts,
): Promise<Map<PhaseId, OutputMap>> {
  const byId = new Map(req.registry.map((p) => [p.id, p] as const));
  const states = await checkDependencies(req.run, byId, req.env, ports);
  // Pending operations of a selected stack block a real run (exit 5, repair first); the simulate
  // engine's next update supersedes its own, which stand for nothing real.
  for (const phase of ports.engine.kind === 'simulate' ? [] : req.run) {
    const t = targetOf(phase, req.env, ports);
    const info = await t.engine.info(t.ref, t.env);
    if (info.lockedBy) {
      throw new PlatformError('locked', `phase ${phase.id} (${phase.slug}): stack ${t.ref.name} is being updated by ${info.lockedBy}`, {
        value: String(phase.id),
        hint: 'wait for that run to finish, then run again',
      });
    }
    if (info.pendingOperations.length > 0) {
      throw new PlatformError(
        'recovery-needed',
        `phase ${phase.id} (${phase.slug}) has ${info.pendingOperations.length} pending operation(s) from an interrupted update`,
        { value: String(phase.id), hint: `run: platform repair --phase ${phase.id} --env ${req.env.name}` },
      );
    }
  }
  return new Map([...states].map(([id, s]) => [id, s.outputs]));
}

/** Locks every stack of `phases` (an organization-scoped phase's one stack, whichever env runs it); all or nothing. */
export async function acquireLocks(env: EnvConfig, phases: readonly AnyPhase[], purpose: string, ports: OrchestratorPorts): Promise<LockHandle[]> {
  const held: LockHandle[] = [];
  try {
    for (const p of [...phases].sort((a, b) => a.id - b.id)) {
      held.push(await ports.locker.acquire(targetOf(p, env, ports).ref.name, purpose));
    }
    return held;
  } catch (e) {
    await Promise.all(held.map((h) => h.release()));
    throw e;
  }
}

export function exitCodeFor(states: WorkState[], interrupted: boolean, firstError?: PlatformError): number {
  if (interrupted) return ExitCode.Interrupted;
  // A phase that failed for a reason with its own code (a missing plugin: 2, a lock: 4, pending
  // operations: 5) exits with that code; an ordinary failure with 1.
  if (states.some((s) => s === 'failed')) return firstError && firstError.exitCode !== ExitCode.Interrupted ? firstError.exitCode : ExitCode.PhaseFailed;
  if (states.some((s) => s === 'cancelled' || s === 'blocked')) return ExitCode.PhaseFailed;
  return ExitCode.Ok;
}

export async function runPhases(req: RunRequest, ports: OrchestratorPorts): Promise<RunOutcome> {
  const ctx = new RunContext(ports, req.env.name);
  const { run, missing } = planSelection(req.registry, req.selection);
  const dag = new PhaseDag(req.registry);
  const byId = new Map(req.registry.map((p) => [p.id, p] as const));
  ctx.emit({
    type: 'run-started',
    runId: ports.journal.runId,
    env: req.env.name,
    engine: ports.engine.kind,
    command: req.command,
    phases: dag.order(run.map((p) => p.id)),
    parallel: req.parallel,
    at: ctx.at(),
  });
  const statuses = ctx.statuses;
  const finish = (exitCode: number, error?: PlatformError, next?: string) => ctx.finish(exitCode, error, next);
  for (const m of missing) {
    ctx.status(m.id, 'skipped', { reason: 'no program yet; nothing was run' });
    statuses[m.id] = 'skipped';
  }

  let upstream: Map<PhaseId, OutputMap>;
  let locks: LockHandle[] = [];
  try {
    locks = await acquireLocks(req.env, run, req.command, ports);
    upstream = await preflight({ command: req.command, env: req.env, run, registry: req.registry }, ports);
  } catch (e) {
    await Promise.all(locks.map((l) => l.release()));
    if (!isPlatformError(e)) throw e;
    // Nothing started: every selected phase ends blocked by the upstream named in the error (a
    // dependency problem), or cancelled before it started (a lock), so no host shows it "queued".
    const on = e.value !== undefined && /^\d+$/.test(e.value) ? (Number(e.value) as PhaseId) : undefined;
    const dependency = e.code === 'dependency-check' || e.code === 'recovery-needed';
    for (const p of run) {
      const status: PhaseStatus = dependency && on !== undefined && on !== p.id ? 'blocked' : 'cancelled';
      ctx.status(p.id, status, { on: status === 'blocked' ? on : undefined, reason: `not started: ${e.message}`, hint: e.hint });
      statuses[p.id] = status;
    }
    return finish(e.exitCode, e);
  }

  const graph = new WorkGraph(dag, run.map((p) => p.id), Math.max(1, req.parallel));
  for (const item of graph.all()) {
    const on = graph.waitingOn(item.id);
    ctx.status(item.id, on === undefined ? 'queued' : 'waiting', on === undefined ? {} : { on });
  }
  let firstError: PlatformError | undefined;
  let interrupted = false;
  const inflight = new Map<PhaseId, Promise<{ id: PhaseId; result: StepResult }>>();
  const onAbort = () => {
    interrupted = true;
    for (const id of graph.cancel('cancelled before it started')) ctx.status(id, 'cancelled', { reason: 'cancelled before it started' });
  };
  req.signal.addEventListener('abort', onAbort, { once: true });
  if (req.signal.aborted) onAbort();
  try {
    for (;;) {
      for (const id of graph.startReady()) {
        const phase = byId.get(id)!;
        inflight.set(
          id,
          runStep(ctx, { command: req.command, phase, env: req.env, upstream, upstreamIds: [...dag.upstream(id)].sort((a, b) => a - b), force: req.force, plannedInRun: run.map((p) => p.id), runId: ports.journal.runId, signal: req.signal }).then(
            (result) => ({ id, result }),
          ),
        );
        for (const d of dag.directDependents(id)) {
          const it = graph.all().find((i) => i.id === d);
          if (it?.state === 'pending' && graph.waitingOn(d) !== undefined) ctx.status(d, 'waiting', { on: graph.waitingOn(d) });
        }
      }
      if (inflight.size === 0) break;
      const { id, result } = await Promise.race(inflight.values());
      inflight.delete(id);
      if (result.outputs) upstream.set(id, result.outputs);
      if (result.error && !firstError && result.state !== 'cancelled') firstError = result.error;
      const changed = graph.finish(id, result.state, result.reason ?? result.error?.message);
      ctx.status(id, result.state, { reason: result.reason ?? result.error?.message, hint: result.error?.hint });
      for (const c of changed) {
        const it = graph.get(c);
        ctx.status(c, it.state as PhaseStatus, { on: it.blockedBy, reason: it.reason });
      }
    }
  } finally {
    req.signal.removeEventListener('abort', onAbort);
    await Promise.all(locks.map((l) => l.release()));
  }
  for (const it of graph.all()) statuses[it.id] = it.state === 'pending' ? 'cancelled' : (it.state as PhaseStatus);
  const exitCode = exitCodeFor(graph.all().map((i) => i.state), interrupted, firstError);
  const failed = graph.all().find((i) => i.state === 'failed');
  const next = failed
    ? `platform ${req.command} --phase ${failed.id} --env ${req.env.name}`
    : interrupted
      ? `platform ${req.command} ${req.selection.text} --env ${req.env.name}`
      : undefined;
  return finish(exitCode, firstError, next);
}
