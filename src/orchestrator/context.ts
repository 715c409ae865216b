/**
 * Shared helpers of a run: stack refs, event emission (journal first, then the host), timestamps,
 * the fix command for a phase.
 */
import { stackName, type AnyPhase, type PhaseId } from '../core/phase.js';
import type { PlatformEvent, PhaseStatus, StatusCause } from '../core/events.js';
import type { PlatformError } from '../core/errors.js';
import type { StackRef } from '../core/ports.js';
import type { OrchestratorPorts } from './ports.js';

export function stackRef(env: string, phase: AnyPhase): StackRef {
  return { env, phase: phase.id, slug: phase.slug, name: stackName(env, phase) };
}

/**
 * A command that fixes something, complete as printed. `flags` carries what the run was called with
 * that the fix needs too (`--engine X` when the run overrode the env file's engine).
 */
export function fixCommand(command: string, phase: PhaseId | string, env: string, flags = ''): string {
  return `platform ${command} --phase ${phase} --env ${env}${flags}`;
}

/** ` --engine <kind>` when the run's engine is not the env file's (a hint must keep it), else ''. */
export function engineFlag(env: { engine: string }, ports: { engine: { kind: string } }): string {
  return ports.engine.kind !== env.engine ? ` --engine ${ports.engine.kind}` : '';
}

/** Phase ids as the shortest --phase spec: `0..2` when contiguous, else `0,2,5`. */
export function phaseSpec(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  if (sorted.length > 1 && sorted.every((id, i) => i === 0 || id === sorted[i - 1]! + 1)) return `${sorted[0]}..${sorted.at(-1)}`;
  return sorted.join(',');
}

/** How a run ended: its exit code, each phase's final status, and the error that decided it. */
export interface RunOutcome {
  exitCode: number;
  phases: Partial<Record<PhaseId, PhaseStatus>>;
  error?: PlatformError;
}

export class RunContext {
  /** Final status per phase, filled as the run goes; reported by finish(). */
  readonly statuses: Partial<Record<PhaseId, PhaseStatus>> = {};
  private readonly started: number;

  constructor(
    readonly ports: OrchestratorPorts,
    readonly env: string,
  ) {
    this.started = ports.clock.now();
  }

  /** Emits run-finished (always the last event) and returns the outcome. */
  finish(exitCode: number, error?: PlatformError, next?: string): RunOutcome {
    this.emit({
      type: 'run-finished',
      runId: this.ports.journal.runId,
      exitCode,
      phases: this.statuses,
      durationMs: this.ports.clock.now() - this.started,
      next,
      error: error ? { code: error.code, message: error.message, hint: error.hint } : undefined,
      at: this.at(),
    });
    return { exitCode, phases: this.statuses, error };
  }

  at(): string {
    return new Date(this.ports.clock.now()).toISOString();
  }

  private readonly observers = new Set<(event: PlatformEvent) => void>();

  /** Sees every event emitted from now on (the run reads its own plan this way); returns the unsubscribe. */
  observe(fn: (event: PlatformEvent) => void): () => void {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }

  emit(event: PlatformEvent): void {
    this.ports.journal.append(event);
    for (const fn of this.observers) fn(event);
    this.ports.host.notify(event);
  }

  status(phase: PhaseId, status: PhaseStatus, extra: { on?: PhaseId; reason?: string; cause?: StatusCause; hint?: string } = {}): void {
    this.emit({ type: 'phase-status', phase, status, ...extra, at: this.at() });
  }
}
