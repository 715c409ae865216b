/**
 * `platform drift`: per deployed phase of an env, the resources changed outside the CLI, found by a
 * refresh in preview mode (Engine.drift: providers read every resource; nothing is written to the
 * stack). Each checked phase's record gets the result (`drift`), under the stack's lock, so `status`
 * can show it.
 *
 * Rules:
 * - An engine without `drift` (simulate: nothing real can drift) is refused before anything runs
 *   (exit 2, nothing locked or written).
 * - Phases without a program, or not deployed (no stack, or destroyed), are skipped with the reason.
 * - A stack with pending operations is not refreshed (exit 5 names the repair): its state is not the
 *   truth to compare with. A stack another run holds is not refreshed (exit 4 names the holder).
 * - Each drifted phase gets a `drift` event (the resources and the names of the changed properties,
 *   never their values) and one warning diagnostic.
 * - Exit 0 when nothing drifted; 6 (`drift-found`) when something did, as `terraform plan
 *   -detailed-exitcode` exits 2 and `preview --expect-no-changes` exits 6; an error (locked,
 *   recovery needed, engine failure) decides the exit code over drift.
 */
import { PlatformError, isPlatformError } from '../core/errors.js';
import { hasProgram, type AnyPhase } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import { RunContext, engineFlag, fixCommand, type RunOutcome } from './context.js';
import { targetOf } from './scope.js';
import type { OrchestratorPorts } from './ports.js';

export interface DriftRequest {
  env: EnvConfig;
  phases: readonly AnyPhase[];
  signal: AbortSignal;
}

export async function detectDrift(req: DriftRequest, ports: OrchestratorPorts): Promise<RunOutcome> {
  if (!ports.engine.drift) {
    throw new PlatformError('usage', `env ${req.env.name} runs on the ${ports.engine.kind} engine here: nothing real can drift there`, {
      value: ports.engine.kind,
      hint: `run drift against an env deployed with the real engine (engine: pulumi in stacks/${req.env.name}.yaml, no --engine simulate)`,
    });
  }
  const ctx = new RunContext(ports, req.env.name);
  const statuses = ctx.statuses;
  let error: PlatformError | undefined;
  let drifted = 0;
  const flag = engineFlag(req.env, ports);
  ctx.emit({ type: 'run-started', runId: ports.journal.runId, env: req.env.name, engine: ports.engine.kind, command: 'drift', phases: req.phases.map((p) => p.id), parallel: 1, at: ctx.at() });
  for (const phase of req.phases) {
    const skip = (reason: string, cause: 'no-program' | 'not-deployed' | 'interrupted') => {
      ctx.status(phase.id, 'skipped', { reason, cause });
      statuses[phase.id] = 'skipped';
    };
    if (req.signal.aborted) {
      skip('interrupted before it was checked', 'interrupted');
      continue;
    }
    if (!hasProgram(phase)) {
      skip(`phase ${phase.id} has no program yet`, 'no-program');
      continue;
    }
    const t = targetOf(phase, req.env, ports);
    try {
      const rec = await t.records.read(t.env.name, phase.id);
      const info = await t.engine.info(t.ref, t.env);
      if (!info.exists || rec?.status === 'destroyed') {
        skip(`not deployed (stack ${t.ref.name})`, 'not-deployed');
        continue;
      }
      if (info.pendingOperations.length) {
        throw new PlatformError('recovery-needed', `phase ${phase.id} (${phase.slug}) has ${info.pendingOperations.length} pending operation(s); its state is not the truth to compare with`, {
          value: String(phase.id),
          hint: `run: ${fixCommand('repair', phase.id, req.env.name, flag)}`,
        });
      }
      ctx.status(phase.id, 'checking');
      const lock = await ports.locker.acquire(t.ref.name, 'drift');
      try {
        const result = await t.engine.drift!({ stack: t.ref, env: t.env, phase, signal: req.signal, emit: (e) => ctx.emit(e) });
        const at = ctx.at();
        ctx.emit({ type: 'drift', phase: phase.id, stack: t.ref.name, resources: result.resources, at });
        if (result.resources.length) {
          drifted += result.resources.length;
          const names = result.resources.map((r) => `${r.name} (${r.change === 'deleted' ? 'deleted' : r.properties.join(', ') || 'changed'})`);
          ctx.emit({ type: 'diagnostic', phase: phase.id, severity: 'warning', message: `${result.resources.length} resource(s) changed outside the CLI: ${names.join('; ')}`, at });
        }
        if (rec) await t.records.write({ ...rec, drift: { at, resources: result.resources } });
        ctx.status(phase.id, 'succeeded', { reason: result.resources.length ? `${result.resources.length} resource(s) drifted` : 'no drift' });
        statuses[phase.id] = 'succeeded';
      } finally {
        await lock.release();
      }
    } catch (e) {
      if (!isPlatformError(e)) throw e;
      error ??= e;
      const cancelled = e.code === 'cancelled';
      ctx.status(phase.id, cancelled ? 'cancelled' : 'failed', { reason: e.message, hint: e.hint, ...(cancelled ? { cause: 'interrupted' as const } : {}) });
      statuses[phase.id] = cancelled ? 'cancelled' : 'failed';
    }
  }
  if (error) return ctx.finish(error.exitCode, error);
  if (drifted > 0) {
    const e = new PlatformError('drift-found', `${drifted} resource(s) in env ${req.env.name} changed outside the CLI`, {
      hint: 'review them (--json lists each resource and property): undo the change by hand (drift then finds nothing), or make the program say what the resource now is and run up',
    });
    return ctx.finish(e.exitCode, e);
  }
  return ctx.finish(0);
}
