/**
 * `platform repair --phase N --env E`: for a stack left with pending operations by an interrupted
 * update (real engine): lists them, looks each pending create up and imports or drops it only on
 * proof (src/engine/pulumi/repair.ts), and marks the phase's record so the next `up` re-runs it.
 * `--yes` never answers "drop a pending create"; `--drop-pending-create <urn>` (repeatable) does, for
 * the resources it names.
 */
import { parsePhaseSpec } from '../../core/selection.js';
import { PlatformError } from '../../core/errors.js';
import type { RunOutcome } from '../../orchestrator/context.js';
import { RunContext } from '../../orchestrator/context.js';
import { targetOf } from '../../orchestrator/scope.js';
import type { GlobalOptions } from '../main.js';
import { runCommand } from '../services.js';

export interface RepairOptions {
  env: string;
  phase: string;
  yes?: boolean;
  dropPendingCreate?: string[];
}

export default async function repair(opts: RepairOptions, globals: GlobalOptions): Promise<number> {
  return runCommand(globals, opts.env, async (session, ports, signal): Promise<RunOutcome> => {
    const ids = parsePhaseSpec(opts.phase);
    if (ids.length !== 1) throw new PlatformError('bad-phase', `repair takes one phase, got '${opts.phase}'`, { value: opts.phase, hint: 'use --phase N' });
    const phase = session.registry.find((p) => p.id === ids[0]);
    if (!phase) throw new PlatformError('bad-phase', `phase '${opts.phase}' does not exist`, { value: opts.phase, hint: 'run `platform phases`' });
    const ctx = new RunContext(ports, session.env.name);
    if (session.engine.kind !== 'pulumi') {
      throw new PlatformError('usage', `repair works on real stacks; the simulate engine's next update supersedes interrupted ones`, {
        hint: `run: platform up --phase ${phase.id} --env ${session.env.name}`,
      });
    }
    const drop = opts.dropPendingCreate ?? [];
    const bad = drop.find((u) => !u.startsWith('urn:pulumi:'));
    if (bad !== undefined) {
      throw new PlatformError('usage', `--drop-pending-create takes a URN, got '${bad}'`, { value: bad, hint: 'copy the URN from the line `pending: creating ... (urn:pulumi:...)` that repair prints' });
    }
    const [{ repairStack }, lookups] = await Promise.all([import('../../engine/pulumi/repair.js'), phase.loadLookups?.() ?? Promise.resolve([])]);
    // Phase 0's stack is the organization's (org-00-organization), with its own backend and records.
    const t = targetOf(phase, session.env, ports);
    const ref = t.ref;
    ctx.emit({ type: 'run-started', runId: ports.journal.runId, env: session.env.name, engine: 'pulumi', command: 'repair', phases: [phase.id], parallel: 1, at: ctx.at() });
    const lock = await ports.locker.acquire(ref.name, 'repair');
    try {
      const result = await repairStack(t.engine as import('../../engine/pulumi/engine.js').PulumiEngine, {
        stack: ref,
        env: t.env,
        phase,
        signal,
        emit: (e) => ctx.emit(e),
        repoRoot: session.repoRoot,
        lookups,
        dropUrns: drop,
        // One resource, by name, on a terminal only: --yes does not answer this question.
        confirmDrop: (r, lookup) =>
          ports.host.confirm({
            message: `The create of ${r.type} '${r.name}' was interrupted and whether it happened is unknown (${lookup.detail}). Drop it from the state? Only if '${r.name}' does not exist (otherwise it is orphaned and the next up makes a second one).`,
            defaultAnswer: false,
          }),
      });
      const unknownUrns = drop.filter((u) => !result.creates.some((c) => c.urn === u));
      for (const u of unknownUrns) ctx.emit({ type: 'diagnostic', phase: phase.id, severity: 'warning', message: `--drop-pending-create ${u}: no such pending create in ${ref.name}`, at: ctx.at() });
      const rec = await t.records.read(t.env.name, phase.id);
      if (result.remaining.length === 0 && rec?.status === 'in-progress') {
        await t.records.write({ ...rec, status: 'failed', error: 'interrupted; repaired, run up again', finishedAt: ctx.at() });
      }
      if (result.remaining.length > 0) {
        const open = result.creates.filter((c) => c.action === 'unresolved');
        const list = open.length ? open.map((c) => `${c.type} '${c.name}' (${c.lookup.detail})`).join('; ') : result.remaining.map((p) => `${p.op} ${p.urn}`).join('; ');
        const error = new PlatformError('recovery-needed', `phase ${phase.id}: ${result.remaining.length} pending operation(s) unresolved: ${list}`, {
          value: String(phase.id),
          hint: open.length
            ? `check whether each exists; then, on a terminal, run \`platform repair --phase ${phase.id} --env ${session.env.name}\` and answer for it, or drop what does not exist with ${open.map((c) => `--drop-pending-create '${c.urn}'`).join(' ')}`
            : `run \`platform repair --phase ${phase.id} --env ${session.env.name}\` again`,
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
