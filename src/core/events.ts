/**
 * The one event stream. Engines, the orchestrator and gates emit these; the hosts (plain, JSON,
 * ink) and the journal consume them. The UI never sees Pulumi's own EngineEvent: the adapter maps
 * it. Documented in docs/events.md; adding a variant means updating that page and every host.
 * No event ever carries a secret value: outputs are masked before they are emitted.
 */
import type { PhaseId } from './phase.js';
import type { GateResult } from './gate.js';
import type { DriftedResource } from './ports.js';

export type Command = 'up' | 'preview' | 'destroy' | 'verify' | 'refresh' | 'check' | 'repair' | 'drift';
export type EngineKind = 'pulumi' | 'simulate';

/** Operations on one resource, as the engines report them. */
export type ResourceOp = 'create' | 'update' | 'replace' | 'delete' | 'same' | 'read' | 'refresh';

export type PhaseStatus =
  | 'queued'
  | 'waiting'
  | 'checking'
  | 'running'
  /** `up` that asks first: the phase's plan is done and waits for the answer (not final). */
  | 'planned'
  | 'verifying'
  | 'succeeded'
  | 'skipped'
  | 'failed'
  | 'blocked'
  | 'cancelled';

/**
 * One changed input property of an update or replace, with its values (secret values are "[secret]":
 * `secret` is then true). `path` is the top-level input name.
 */
export interface PropertyChange {
  path: string;
  old?: unknown;
  new?: unknown;
  secret?: boolean;
}

/**
 * Why a phase ended skipped, blocked or cancelled, as a typed field (hosts read this, never the
 * `reason` text): `unchanged` (fingerprint matches its last successful up), `no-program`,
 * `not-deployed` (destroy: nothing to destroy), `not-planned` (a preview could not plan it),
 * `dependency` (blocked by a failed or missing upstream), `locked` (another run holds a stack),
 * `interrupted` (Ctrl-C / SIGTERM / closed output), `fail-fast` (not started: another phase failed), `declined` (the confirmation was answered no),
 * `confirmation-required` (no terminal to ask and no --yes), `changes-pending` (--expect-no-changes).
 */
export type StatusCause =
  | 'unchanged'
  | 'no-program'
  | 'not-deployed'
  | 'not-planned'
  | 'dependency'
  | 'locked'
  | 'interrupted'
  | 'fail-fast'
  | 'declined'
  | 'confirmation-required'
  | 'changes-pending';

/**
 * The monthly cost of a phase before and after a previewed change, in USD, for what could be
 * priced; `notEstimated` names the types billed by use or unpriced on either side. When the engine
 * cannot list what the stack holds, only `afterUsd` and `unavailable` (why) are set.
 */
export interface CostChange {
  beforeUsd?: number;
  afterUsd: number;
  deltaUsd?: number;
  notEstimated: string[];
  unavailable?: string;
}

export interface ChangeCounts {
  create: number;
  update: number;
  replace: number;
  delete: number;
  same: number;
}

export type PlatformEvent =
  | {
      type: 'run-started';
      runId: string;
      env: string;
      engine: EngineKind;
      command: Command;
      phases: PhaseId[];
      parallel: number;
      at: string;
    }
  | {
      type: 'phase-status';
      phase: PhaseId;
      status: PhaseStatus;
      /** waiting on / blocked by this phase. */
      on?: PhaseId;
      /** Why (skip reason, failure message), for people. */
      reason?: string;
      /** Why, for programs and hosts (skipped, blocked, cancelled). */
      cause?: StatusCause;
      hint?: string;
      at: string;
    }
  | {
      type: 'resource-op';
      phase: PhaseId;
      urn: string;
      resourceType: string;
      name: string;
      op: ResourceOp;
      status: 'started' | 'done' | 'failed';
      /** Property names that differ (update/replace). */
      diffs?: string[];
      /** The changed properties with old -> new values (update/replace; secrets masked). */
      changes?: PropertyChange[];
      durationMs?: number;
      at: string;
    }
  | {
      type: 'diagnostic';
      phase?: PhaseId;
      severity: 'info' | 'warning' | 'error';
      message: string;
      urn?: string;
      at: string;
    }
  | {
      type: 'phase-summary';
      phase: PhaseId;
      changes: ChangeCounts;
      durationMs: number;
      /** `preview` only: what the change adds per month (docs/cost.md). */
      cost?: CostChange;
      at: string;
    }
  | { type: 'gate-started'; phase: PhaseId; gate: string; at: string }
  | { type: 'gate-result'; phase: PhaseId; result: GateResult; at: string }
  | {
      type: 'outputs';
      phase: PhaseId;
      /** Masked: secret values are replaced by "[secret]". */
      outputs: Record<string, unknown>;
      simulated: boolean;
      at: string;
    }
  | {
      /** `platform drift`: what one phase's refresh in preview mode found (empty: no drift). */
      type: 'drift';
      phase: PhaseId;
      stack: string;
      resources: DriftedResource[];
      at: string;
    }
  | {
      type: 'run-finished';
      runId: string;
      exitCode: number;
      phases: Partial<Record<PhaseId, PhaseStatus>>;
      durationMs: number;
      /** The command to run next, when there is an obvious one. */
      next?: string;
      /** The error that decided the exit code, rendered (never a secret). */
      error?: { code: string; message: string; hint?: string };
      at: string;
    };

export type PlatformEventType = PlatformEvent['type'];
export type EventOf<T extends PlatformEventType> = Extract<PlatformEvent, { type: T }>;

export function emptyCounts(): ChangeCounts {
  return { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
}
