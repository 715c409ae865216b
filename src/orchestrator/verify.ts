/**
 * `verify`: re-runs the gates of deployed phases and records the results against the fingerprint
 * each phase was deployed with. Changes no infrastructure. A failed gate exits 1 and shows in
 * `status`; a phase that is not deployed is a dependency-check error (exit 3).
 */
import { ExitCode, PlatformError, isPlatformError } from '../core/errors.js';
import { hasGates, type AnyPhase } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import { plainOutputs } from '../core/secrets.js';
import { RunContext, fixCommand } from './context.js';
import { targetOf } from './scope.js';
import type { OrchestratorPorts } from './ports.js';
import type { RunOutcome } from './run.js';

export async function verifyPhases(req: { env: EnvConfig; phases: readonly AnyPhase[]; signal: AbortSignal }, ports: OrchestratorPorts): Promise<RunOutcome> {
  const ctx = new RunContext(ports, req.env.name);
  const statuses = ctx.statuses;
  let error: PlatformError | undefined;
  ctx.emit({ type: 'run-started', runId: ports.journal.runId, env: req.env.name, engine: ports.engine.kind, command: 'verify', phases: req.phases.map((p) => p.id), parallel: 1, at: ctx.at() });
  for (const phase of req.phases) {
    try {
      const t = targetOf(phase, req.env, ports);
      const rec = await t.records.read(t.env.name, phase.id);
      if (!rec || rec.status === 'destroyed' || !rec.fingerprint) {
        const where = t.scope === 'organization' ? `for the organization (stack ${t.ref.name})` : `in env ${req.env.name}`;
        throw new PlatformError('dependency-check', `phase ${phase.id} (${phase.slug}) is not deployed ${where}; there is nothing to verify`, { hint: `run: ${fixCommand('up', phase.id, req.env.name)}` });
      }
      if (!hasGates(phase) || !ports.gates) {
        ctx.status(phase.id, 'skipped', { reason: `phase ${phase.id} has no gates yet` });
        statuses[phase.id] = 'skipped';
        continue;
      }
      ctx.status(phase.id, 'verifying');
      const outputs = plainOutputs(await t.engine.outputs(t.ref, t.env));
      const results = await ports.gates(phase, { env: t.env, outputs, signal: req.signal, simulated: ports.engine.kind === 'simulate', emit: (e) => ctx.emit(e) });
      await t.records.write({ ...rec, gates: { fingerprint: rec.fingerprint, results, at: new Date(ports.clock.now()).toISOString() } });
      const failed = results.find((r) => r.status === 'fail');
      if (failed) {
        error ??= new PlatformError('gate-failed', `phase ${phase.id} (${phase.slug}): gate '${failed.gate}' failed: ${failed.evidence.at(-1) ?? 'no evidence'}`, { hint: failed.hint });
        ctx.status(phase.id, 'failed', { reason: `gate '${failed.gate}' failed`, hint: failed.hint });
        statuses[phase.id] = 'failed';
      } else {
        ctx.status(phase.id, 'succeeded', { reason: results.every((r) => r.status === 'skipped') ? 'every gate skipped' : undefined });
        statuses[phase.id] = 'succeeded';
      }
    } catch (e) {
      if (!isPlatformError(e)) throw e;
      error ??= e;
      ctx.status(phase.id, 'failed', { reason: e.message, hint: e.hint });
      statuses[phase.id] = 'failed';
    }
  }
  const exitCode = error ? (error.exitCode === ExitCode.DependencyCheck ? ExitCode.DependencyCheck : ExitCode.PhaseFailed) : ExitCode.Ok;
  return ctx.finish(exitCode, error);
}
