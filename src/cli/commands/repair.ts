/**
 * `platform repair --phase N --env E`: for a stack left with pending operations by an interrupted
 * update (real engine): shows them, clears a stale lock and drops pending operations only when the
 * user confirms (or --yes), refreshes, and marks the phase's record so the next `up` re-runs it.
 */
import { parsePhaseSpec } from '../../core/selection.js';
import { PlatformError } from '../../core/errors.js';
import type { RunOutcome } from '../../orchestrator/context.js';
import { RunContext } from '../../orchestrator/context.js';
import { targetOf } from '../../orchestrator/scope.js';
import type { GlobalOptions } from '../main.js';
import { runCommand } from '../services.js';

export default async function repair(opts: { env: string; phase: string; yes?: boolean }, globals: GlobalOptions): Promise<number> {
  return runCommand(globals, opts.env, async (session, ports): Promise<RunOutcome> => {
    const ids = parsePhaseSpec(opts.phase);
    if (ids.length !== 1) throw new PlatformError('bad-phase', `repair takes one phase, got '${opts.phase}'`, { value: opts.phase, hint: 'use --phase N' });
    const phase = session.registry.find((p) => p.id === ids[0])!;
    const ctx = new RunContext(ports, session.env.name);
    if (session.engine.kind !== 'pulumi') {
      throw new PlatformError('usage', `repair works on real stacks; the simulate engine's next update supersedes interrupted ones`, {
        hint: `run: platform up --phase ${phase.id} --env ${session.env.name}`,
      });
    }
    const { repairStack } = await import('../../engine/pulumi/repair.js');
    ctx.emit({ type: 'run-started', runId: ports.journal.runId, env: session.env.name, engine: 'pulumi', command: 'repair', phases: [phase.id], parallel: 1, at: ctx.at() });
    // Phase 0's stack is the organization's (org-00-organization), with its own backend and records.
    const t = targetOf(phase, session.env, ports);
    const lock = await ports.locker.acquire(t.ref.name, 'repair');
    try {
      const result = await repairStack(t.engine as import('../../engine/pulumi/engine.js').PulumiEngine, {
        stack: t.ref,
        env: t.env,
        phase,
        signal: new AbortController().signal,
        emit: (e) => ctx.emit(e),
        repoRoot: session.repoRoot,
        confirm: (req) => (opts.yes ? Promise.resolve(true) : ports.host.confirm(req)),
      });
      const rec = await t.records.read(t.env.name, phase.id);
      if (result.remaining.length === 0 && rec?.status === 'in-progress') {
        await t.records.write({ ...rec, status: 'failed', error: 'interrupted; repaired, run up again', finishedAt: ctx.at() });
      }
      if (result.remaining.length > 0) {
        const error = new PlatformError('recovery-needed', `phase ${phase.id}: ${result.remaining.length} pending operation(s) remain`, {
          hint: `confirm dropping them: platform repair --phase ${phase.id} --env ${session.env.name}`,
        });
        ctx.statuses[phase.id] = 'failed';
        return ctx.finish(error.exitCode, error);
      }
      ctx.statuses[phase.id] = 'succeeded';
      return ctx.finish(0, undefined, `platform up --phase ${phase.id} --env ${session.env.name}`);
    } finally {
      await lock.release();
    }
  });
}
