/**
 * Shared helpers of a run: stack refs, event emission (journal first, then the host), timestamps,
 * the fix command for a phase.
 */
import { stackName, type AnyPhase, type PhaseId } from '../core/phase.js';
import type { PlatformEvent, PhaseStatus } from '../core/events.js';
import type { StackRef } from '../core/ports.js';
import type { OrchestratorPorts } from './ports.js';

export function stackRef(env: string, phase: AnyPhase): StackRef {
  return { env, phase: phase.id, slug: phase.slug, name: stackName(env, phase) };
}

export function fixCommand(command: string, phase: PhaseId, env: string): string {
  return `platform ${command} --phase ${phase} --env ${env}`;
}

export class RunContext {
  constructor(
    readonly ports: OrchestratorPorts,
    readonly env: string,
  ) {}

  at(): string {
    return new Date(this.ports.clock.now()).toISOString();
  }

  emit(event: PlatformEvent): void {
    this.ports.journal.append(event);
    this.ports.host.notify(event);
  }

  status(phase: PhaseId, status: PhaseStatus, extra: { on?: PhaseId; reason?: string; hint?: string } = {}): void {
    this.emit({ type: 'phase-status', phase, status, ...extra, at: this.at() });
  }
}
