/**
 * What one orchestrated run needs from the world. The CLI builds these; tests pass fakes.
 */
import type { AnyPhase, PhaseId } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import type { GateResult } from '../core/gate.js';
import type { CostChange, PlatformEvent } from '../core/events.js';
import type { Clock, Engine, Host, Journal, Locker, PlannedResource, RecordStore, SourceHasher } from '../core/ports.js';
import type { EnvPorts, OrganizationPorts } from './scope.js';
import type { PromotionPort } from './promotion.js';

export interface GateRunOptions {
  env: EnvConfig;
  outputs: Record<string, unknown>;
  signal: AbortSignal;
  simulated: boolean;
  emit(event: PlatformEvent): void;
}
export type GateRunner = (phase: AnyPhase, opts: GateRunOptions) => Promise<GateResult[]>;

/** A static-check pass over the planned resources of a phase; returns the blocking findings as lines. */
export interface CheckOutcome {
  /** One line per finding. */
  findings: string[];
  /** Whether the env's file says violations block `up`. */
  blocking: boolean;
}
export type CheckRunner = (phase: PhaseId, resources: PlannedResource[], env: EnvConfig) => Promise<CheckOutcome>;

/**
 * Prices a phase's planned resources against what its stack holds (`before` undefined: the engine
 * cannot list them). For `preview`'s cost line; never fails the preview.
 */
export type CostRunner = (phase: PhaseId, before: PlannedResource[] | undefined, after: PlannedResource[], env: EnvConfig) => Promise<CostChange>;

export interface OrchestratorPorts {
  engine: Engine;
  records: RecordStore;
  journal: Journal;
  locker: Locker;
  host: Host;
  clock: Clock;
  sources: SourceHasher;
  gates?: GateRunner;
  checks?: CheckRunner;
  /** Cost of a previewed change (preview only). */
  cost?: CostRunner;
  /** The organization's stacks (organization-scoped phases); absent when no organization is configured. */
  organization?: OrganizationPorts;
  /** The env this env promotes from (its file's `promoteFrom`): where `up` reads promotion evidence. */
  promotion?: PromotionPort;
  /** Every env sharing the organization, for `destroy` of an organization-scoped phase. */
  envs?: () => Promise<EnvPorts[]>;
}
