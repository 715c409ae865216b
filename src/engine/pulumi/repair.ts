/**
 * `platform repair`: bring a stack left by an interrupted update back to a state the engine can
 * work with, clearing only what the user confirms.
 *
 * Steps (reference/reliability.md §1.2, §1.5):
 * 1. Locks. A lock whose holder ran on this host and is gone (killed) is stale: clear it (`pulumi
 *    cancel`) only when confirmed. A live holder stops the repair ('locked'): someone is working.
 * 2. Show the pending operations.
 * 3. Refresh: reads real state; Pulumi clears pending updates, deletes and reads that way. Pending
 *    creates survive it, because the engine does not know whether the resource exists.
 * 4. Each remaining pending create is dropped only when the user confirms that it was never created
 *    (otherwise it would be orphaned). `stack import` drops every pending operation, so the drop
 *    happens only when all remaining ones are confirmed; otherwise nothing is dropped and they are
 *    reported as remaining. The checkpoint is backed up before the import.
 * A following `platform up` then converges (re-creates what was never created).
 */
import type { ChangeCounts, PlatformEvent } from '../../core/events.js';
import { PlatformError } from '../../core/errors.js';
import type { ConfirmRequest, EngineRequest, PendingOperation } from '../../core/ports.js';
import type { PulumiEngine } from './engine.js';
import { backendDir } from './settings.js';
import { describeHolder, pendingOperations, readLocks } from './state.js';

export interface RepairOutcome {
  /** Lock holders cleared (described). */
  clearedLocks: string[];
  /** Pending operations found at the start. */
  found: PendingOperation[];
  refreshed?: ChangeCounts;
  /** Pending operations dropped with the user's confirmation. */
  cleared: PendingOperation[];
  /** Pending operations still there (not confirmed). */
  remaining: PendingOperation[];
}

export interface RepairRequest extends Omit<EngineRequest, 'inputs'> {
  repoRoot: string;
  confirm(req: ConfirmRequest): Promise<boolean>;
}

/** Runs the repair of one stack. */
export async function repairStack(engine: PulumiEngine, req: RepairRequest): Promise<RepairOutcome> {
  const { stack, env } = req;
  const say = (severity: 'info' | 'warning', message: string) =>
    req.emit({ type: 'diagnostic', phase: stack.phase, severity, message, at: new Date().toISOString() } satisfies PlatformEvent);

  const clearedLocks: string[] = [];
  const locks = readLocks(backendDir(env, req.repoRoot), stack.name);
  const live = locks.filter((l) => !l.stale);
  if (live.length) {
    throw new PlatformError('locked', `stack ${stack.name} is locked by ${live.map(describeHolder).join('; ')}`, {
      value: stack.name,
      hint: 'a run is in progress (or its holder ran on another host); wait for it, or clear the lock by hand only if you are sure',
    });
  }
  for (const l of locks) {
    const who = describeHolder(l);
    if (await req.confirm({ message: `Clear the lock of ${stack.name} held by ${who}?`, defaultAnswer: false })) {
      await engine.clearLocks(stack, env);
      clearedLocks.push(who);
      say('info', `cleared the stale lock held by ${who}`);
      break; // `pulumi cancel` removes every lock file of the stack
    }
    throw new PlatformError('locked', `stack ${stack.name} stays locked by ${who}`, { value: stack.name, hint: 'confirm clearing the stale lock to continue' });
  }

  const found = pendingOperations(await engine.exportState(stack, env));
  if (!found.length) say('info', `stack ${stack.name} has no pending operations`);
  for (const p of found) say('warning', `pending: ${p.op} ${p.urn}`);

  const refreshed = (await engine.refresh({ ...req }, {})).changes;
  let remaining = pendingOperations(await engine.exportState(stack, env));
  const cleared: PendingOperation[] = found.filter((f) => !remaining.some((r) => r.urn === f.urn && r.op === f.op));
  for (const c of cleared) say('info', `refresh resolved: ${c.op} ${c.urn}`);

  if (remaining.length) {
    const answers: boolean[] = [];
    for (const p of remaining) {
      answers.push(
        await req.confirm({
          message: `${p.urn} was interrupted while ${p.op}. Drop it from the state? Only if it was never created (otherwise it is orphaned).`,
          defaultAnswer: false,
        }),
      );
    }
    if (answers.every(Boolean)) {
      const dep = await engine.exportState(stack, env);
      const next = { ...dep, deployment: { ...dep.deployment, pending_operations: [] } };
      await engine.importState(stack, env, next);
      cleared.push(...remaining);
      for (const p of remaining) say('info', `dropped pending ${p.op} of ${p.urn}`);
      remaining = pendingOperations(await engine.exportState(stack, env));
    } else {
      say('warning', 'not all pending operations were confirmed; none were dropped (stack import would drop them all)');
    }
  }
  return { clearedLocks, found, refreshed, cleared, remaining };
}
