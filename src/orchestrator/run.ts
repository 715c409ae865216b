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
import { hasProgram, phaseScope, type AnyPhase, type PhaseId } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import type { ConfirmRequest, LockHandle, OutputMap, StackState } from '../core/ports.js';
import { emptyCounts, type ChangeCounts, type PhaseStatus, type PlatformEvent, type StatusCause } from '../core/events.js';
import type { Selection } from '../core/selection.js';
import { WorkGraph, type WorkState } from '../core/work-graph.js';
import { RunContext, engineFlag, type RunOutcome } from './context.js';
import { targetOf } from './scope.js';
import { checkDependencies } from './dependency-check.js';
import { checkPromotion } from './promotion.js';
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
  /**
   * Set when `up` must preview and ask before any change (the real engine): `yes` skips the question;
   * without it and without `interactive` (a terminal to ask on) the run is refused before any lock.
   */
  approval?: { yes: boolean; interactive: boolean };
  /** Exit 6 (changes-pending) when anything would change (a drift check). */
  expectNoChanges?: boolean;
  /** `up --skip-promotion-check <reason>`: the promotion check is not made; the reason is journalled. */
  skipPromotionCheck?: string;
}

/**
 * Asks through the host; an abort (Ctrl-C, closed output) while the question is open ends it as
 * 'aborted', never as a silent "no".
 */
export async function askOrAbort(ctx: RunContext, req: ConfirmRequest, signal: AbortSignal): Promise<boolean | 'aborted'> {
  if (signal.aborted) return 'aborted';
  let onAbort = () => {};
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([ctx.ports.host.confirm(req), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export type { RunOutcome } from './context.js';

/**
 * Splits a selection into phases to run and phases reported as having no program. Under a broad
 * selection (--all, --from) a phase whose upstream has no program cannot run either: it is reported
 * with the missing upstream (`needs`) and left out, instead of blocking the whole run.
 */
export function planSelection(registry: readonly AnyPhase[], selection: Selection): { run: AnyPhase[]; missing: AnyPhase[]; needs: Map<PhaseId, AnyPhase> } {
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
  const needs = new Map<PhaseId, AnyPhase>();
  if (!selection.explicit) {
    const dag = new PhaseDag(registry);
    for (const p of chosen) {
      if (!hasProgram(p)) continue;
      const lacking = [...dag.upstream(p.id)].sort((a, b) => a - b).map((id) => byId.get(id)!).find((u) => !hasProgram(u));
      if (lacking) needs.set(p.id, lacking);
    }
  }
  return { run: chosen.filter((p) => hasProgram(p) && !needs.has(p.id)), missing, needs };
}

export interface Preflight {
  /** Outputs of the unselected upstream phases (dependency checks). */
  upstream: Map<PhaseId, OutputMap>;
  /** Of those, the ones read sealed: their recorded outputs hash. */
  sealedHashes: Map<PhaseId, string>;
  /** Each selected stack as read here, from engines that offer `state` (the skip reuses it). */
  states: Map<PhaseId, StackState>;
}

export async function preflight(
  req: { command: string; env: EnvConfig; run: readonly AnyPhase[]; registry: readonly AnyPhase[] },
  ports: OrchestratorPorts,
  emit?: (e: PlatformEvent) => void,
): Promise<Preflight> {
  const byId = new Map(req.registry.map((p) => [p.id, p] as const));
  const checked = await checkDependencies(req.run, byId, req.env, ports);
  const states = new Map<PhaseId, StackState>();
  // Pending operations of a selected stack block a real run (exit 5, repair first); the simulate
  // engine's next update supersedes its own, which stand for nothing real. An engine that reads its
  // checkpoint (`state`) answers in one pass, no secret decrypted, and the skip reuses that read.
  for (const phase of ports.engine.kind === 'simulate' ? [] : req.run) {
    const t = targetOf(phase, req.env, ports);
    let info: { lockedBy?: string; pendingOperations: readonly unknown[] };
    if (t.engine.state) {
      const st = await t.engine.state(t.ref, t.env);
      if (st.fallback) emit?.({ type: 'diagnostic', phase: phase.id, severity: 'info', message: `read stack ${t.ref.name} with one Pulumi CLI call: ${st.fallback}`, at: new Date(ports.clock.now()).toISOString() });
      states.set(phase.id, st);
      info = st;
    } else info = await t.engine.info(t.ref, t.env);
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
  const sealedHashes = new Map([...checked].flatMap(([id, s]) => (s.sealedHash ? [[id, s.sealedHash] as const] : [])));
  return { upstream: new Map([...checked].map(([id, s]) => [id, s.outputs])), sealedHashes, states };
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

/** Per-phase change counts of a plan, and whether anything would change. */
export interface PlanSummary {
  phases: { id: PhaseId; changes: ChangeCounts; planned: boolean }[];
  changed: boolean;
}

function hasChanges(c: ChangeCounts): boolean {
  return c.create + c.update + c.replace + c.delete > 0;
}

/** "3 to create, 1 to update" over a plan; "no resource changes" when nothing would change. */
export function describePlan(plan: PlanSummary): string {
  const t = emptyCounts();
  for (const p of plan.phases) for (const k of Object.keys(t) as (keyof ChangeCounts)[]) t[k] += p.changes[k];
  const parts = [
    t.create && `${t.create} to create`,
    t.update && `${t.update} to update`,
    t.replace && `${t.replace} to replace`,
    t.delete && `${t.delete} to delete`,
  ].filter(Boolean);
  const unplanned = plan.phases.filter((p) => !p.planned).length;
  return `${parts.length ? parts.join(', ') : 'no resource changes'}${unplanned ? ` (${unplanned} phase(s) could not be planned before their upstreams are deployed)` : ''}`;
}

export async function runPhases(req: RunRequest, ports: OrchestratorPorts): Promise<RunOutcome> {
  const ctx = new RunContext(ports, req.env.name);
  const { run, missing, needs } = planSelection(req.registry, req.selection);
  const dag = new PhaseDag(req.registry);
  const byId = new Map(req.registry.map((p) => [p.id, p] as const));
  // Promotion (an env whose file names promoteFrom): refused before the run starts, so nothing is
  // locked, journalled, previewed or changed (promotion.ts).
  if (req.command === 'up' && ports.promotion && req.skipPromotionCheck === undefined && run.length > 0) {
    await checkPromotion(req.env.name, run, ports.promotion, { own: ports.records, sources: ports.sources, simulated: ports.engine.kind === 'simulate' });
  }
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
  const changesSeen = new Set<PhaseId>();
  ctx.observe((e) => {
    if (e.type === 'phase-summary' && hasChanges(e.changes)) changesSeen.add(e.phase);
  });
  for (const m of missing) {
    ctx.status(m.id, 'skipped', { reason: 'no program yet; nothing was run', cause: 'no-program' });
    statuses[m.id] = 'skipped';
  }
  for (const [id, lacking] of needs) {
    ctx.status(id, 'skipped', { reason: `needs phase ${lacking.id} (${lacking.slug}), which has no program yet; nothing was run`, cause: 'no-program', on: lacking.id });
    statuses[id] = 'skipped';
  }
  /** Ends the run before anything started: every selected phase gets `status`. */
  const endAll = (status: PhaseStatus, e: PlatformError, cause: StatusCause, on?: PhaseId) => {
    for (const p of run) {
      const st: PhaseStatus = status === 'blocked' && (on === undefined || on === p.id) ? 'cancelled' : status;
      ctx.status(p.id, st, { on: st === 'blocked' ? on : undefined, reason: `not started: ${e.message}`, cause, hint: e.hint });
      statuses[p.id] = st;
    }
    return finish(e.exitCode, e);
  };
  const approval = req.approval && !req.approval.yes && run.length > 0 ? req.approval : undefined;
  // Nobody to ask and no --yes: refused before any lock, preview or change.
  if (approval && !approval.interactive) {
    const names = run.map((p) => `${p.id} (${p.slug})`).join(', ');
    return endAll(
      'cancelled',
      new PlatformError('confirmation-required', `up needs confirmation: phases ${names} of env ${req.env.name} (${ports.engine.kind} engine)`, {
        hint: `pass --yes (-y) to confirm when not on a terminal, or run platform preview ${req.selection.text} --env ${req.env.name} --diff first`,
      }),
      'confirmation-required',
    );
  }

  // The reason a promotion check was skipped goes to the journal, for every phase it let through.
  if (req.command === 'up' && ports.promotion && req.skipPromotionCheck !== undefined) {
    for (const p of run.filter((x) => phaseScope(x) === 'env')) {
      ctx.emit({ type: 'diagnostic', phase: p.id, severity: 'warning', message: `promotion check from ${ports.promotion.from} skipped: ${req.skipPromotionCheck}`, at: ctx.at() });
    }
  }

  let upstream: Map<PhaseId, OutputMap>;
  let states: Map<PhaseId, StackState>;
  let sealedHashes: Map<PhaseId, string>;
  let locks: LockHandle[] = [];
  try {
    locks = await acquireLocks(req.env, run, req.command, ports);
    ({ upstream, states, sealedHashes } = await preflight({ command: req.command, env: req.env, run, registry: req.registry }, ports, (e) => ctx.emit(e)));
  } catch (e) {
    await Promise.all(locks.map((l) => l.release()));
    if (!isPlatformError(e)) throw e;
    // Nothing started: every selected phase ends blocked by the upstream named in the error (a
    // dependency problem), or cancelled before it started (a lock), so no host shows it "queued".
    const on = e.value !== undefined && /^\d+$/.test(e.value) ? (Number(e.value) as PhaseId) : undefined;
    const dependency = e.code === 'dependency-check' || e.code === 'recovery-needed';
    return endAll(dependency && on !== undefined ? 'blocked' : 'cancelled', e, dependency ? 'dependency' : e.code === 'locked' ? 'locked' : 'interrupted', on);
  }

  // Outputs a skip read sealed (no secret decrypted) carry their recorded hash; a dependent that
  // runs and needs the secrets reads them once, here.
  const revealed = new Map<PhaseId, Promise<OutputMap>>();
  const reveal = (dep: PhaseId): Promise<OutputMap> => {
    let p = revealed.get(dep);
    if (!p) {
      const t = targetOf(byId.get(dep)!, req.env, ports);
      p = t.engine.outputs(t.ref, t.env);
      revealed.set(dep, p);
    }
    return p;
  };

  try {
    if (approval) {
      // Preview, then ask, with the locks held: what is confirmed is what runs.
      const plan: PlanSummary = { phases: [], changed: false };
      const unobserve = ctx.observe((e) => {
        if (e.type === 'phase-summary') plan.phases.push({ id: e.phase, changes: e.changes, planned: true });
        // Unchanged since its last up: nothing to preview, nothing to change.
        if (e.type === 'phase-status' && e.cause === 'unchanged') plan.phases.push({ id: e.phase, changes: emptyCounts(), planned: true });
      });
      const previewed = await schedule('preview', new Map(upstream));
      unobserve();
      for (const p of run) if (!plan.phases.some((x) => x.id === p.id)) plan.phases.push({ id: p.id, changes: emptyCounts(), planned: false });
      plan.changed = plan.phases.some((p) => hasChanges(p.changes));
      if (previewed.exitCode !== 0) return previewed.finishRun();
      const answer = await askOrAbort(ctx, { message: `Apply to env ${req.env.name}: ${describePlan(plan)}?`, defaultAnswer: false }, req.signal);
      if (answer !== true) {
        const interrupted = answer === 'aborted';
        const e = interrupted
          ? new PlatformError('cancelled', 'interrupted at the confirmation; nothing was changed')
          : new PlatformError('declined', 'update not confirmed; nothing was changed', { hint: `run platform up ${req.selection.text} --env ${req.env.name} again to be asked again` });
        for (const p of run) {
          ctx.status(p.id, 'cancelled', { reason: e.message, cause: interrupted ? 'interrupted' : 'declined' });
          statuses[p.id] = 'cancelled';
        }
        return finish(e.exitCode, e);
      }
    }
    return (await schedule(req.command, upstream)).finishRun();
  } finally {
    await Promise.all(locks.map((l) => l.release()));
  }

  /**
   * Runs `command` over the selected phases in DAG order. A preview inside an `up` that asks first
   * reports its phases `planned` (not final) so that the update after the answer can run them.
   */
  async function schedule(command: 'up' | 'preview', upstream: Map<PhaseId, OutputMap>): Promise<{ exitCode: number; finishRun: () => RunOutcome }> {
    const planning = command === 'preview' && req.command === 'up';
    const graph = new WorkGraph(dag, run.map((p) => p.id), Math.max(1, req.parallel));
    // `waiting` is reported when the phase waited on changes, never twice for the same one.
    const waitingShown = new Map<PhaseId, PhaseId>();
    const showWaiting = (id: PhaseId, on: PhaseId) => {
      if (waitingShown.get(id) === on) return;
      waitingShown.set(id, on);
      ctx.status(id, 'waiting', { on });
    };
    for (const item of graph.all()) {
      const on = graph.waitingOn(item.id);
      if (on === undefined) ctx.status(item.id, 'queued');
      else showWaiting(item.id, on);
    }
    let firstError: PlatformError | undefined;
    let interrupted = false;
    const inflight = new Map<PhaseId, Promise<{ id: PhaseId; result: StepResult }>>();
    const onAbort = () => {
      interrupted = true;
      for (const id of graph.cancel('cancelled before it started')) ctx.status(id, 'cancelled', { reason: 'cancelled before it started', cause: 'interrupted' });
    };
    req.signal.addEventListener('abort', onAbort, { once: true });
    if (req.signal.aborted) onAbort();
    try {
      for (;;) {
        for (const id of graph.startReady()) {
          const phase = byId.get(id)!;
          inflight.set(
            id,
            runStep(ctx, {
              command, phase, env: req.env, upstream, upstreamIds: [...dag.upstream(id)].sort((a, b) => a - b), force: req.force,
              plannedInRun: run.map((p) => p.id), runId: ports.journal.runId, signal: req.signal, sealedHashes, reveal, state: states.get(id),
              skipUnchanged: planning,
            }).then(
              (result) => ({ id, result }),
            ),
          );
          for (const d of dag.directDependents(id)) {
            const it = graph.all().find((i) => i.id === d);
            const on = graph.waitingOn(d);
            if (it?.state === 'pending' && on !== undefined) showWaiting(d, on);
          }
        }
        if (inflight.size === 0) break;
        const { id, result } = await Promise.race(inflight.values());
        inflight.delete(id);
        if (result.outputs) upstream.set(id, result.outputs);
        if (result.outputsHash) sealedHashes.set(id, result.outputsHash);
        else sealedHashes.delete(id);
        if (result.error && !firstError && result.state !== 'cancelled') firstError = result.error;
        const changed = graph.finish(id, result.state, result.reason ?? result.error?.message);
        const shown: PhaseStatus = planning && (result.state === 'succeeded' || result.state === 'skipped') ? 'planned' : result.state;
        ctx.status(id, shown, {
          reason: result.reason ?? result.error?.message,
          cause: result.cause ?? (result.state === 'cancelled' ? 'interrupted' : undefined),
          hint: result.error?.hint,
        });
        for (const c of changed) {
          const it = graph.get(c);
          ctx.status(c, it.state as PhaseStatus, { on: it.blockedBy, reason: it.reason, cause: it.state === 'blocked' ? 'dependency' : interrupted ? 'interrupted' : 'fail-fast' });
        }
      }
    } finally {
      req.signal.removeEventListener('abort', onAbort);
    }
    const exitCode = exitCodeFor(graph.all().map((i) => i.state), interrupted, firstError);
    return {
      exitCode,
      finishRun: () => {
        for (const it of graph.all()) statuses[it.id] = it.state === 'pending' ? 'cancelled' : (it.state as PhaseStatus);
        const failed = graph.all().find((i) => i.state === 'failed');
        // The whole selection again (the failed phase and what it blocked), as the user called it.
        const flag = engineFlag(req.env, ports);
        const next = failed || interrupted ? `platform ${req.command} ${req.selection.text} --env ${req.env.name}${flag}` : undefined;
        if (exitCode === 0 && req.expectNoChanges && plannedChanges(graph)) {
          const e = new PlatformError('changes-pending', `${command === 'preview' ? 'the preview found' : 'the run made'} changes in env ${req.env.name}, and --expect-no-changes was given`, {
            hint: 'the deployed state differs from the programs and env file: review the diff above (add --diff for values)',
          });
          return finish(e.exitCode, e);
        }
        return finish(exitCode, firstError, next);
      },
    };
  }

  function plannedChanges(graph: WorkGraph): boolean {
    return graph.all().some((i) => changesSeen.has(i.id));
  }
}
