/**
 * Event builders for the UI tests: a small DSL over PlatformEvent so each test reads as the
 * sequence of things that happened. Times are explicit (seconds after T0) so results are exact.
 */
import type { ChangeCounts, PhaseStatus, PlatformEvent, ResourceOp, StatusCause } from '../../src/core/events.js';
import type { PhaseId } from '../../src/core/phase.js';

/** 2026-01-01T00:00:00Z */
export const T0 = Date.UTC(2026, 0, 1);

/** ISO time `s` seconds after T0. */
export const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

export const NAMES: Partial<Record<PhaseId, string>> = {
  0: 'organization', 1: 'foundation', 2: 'cluster', 3: 'gitops', 4: 'data', 5: 'apps',
  6: 'edge', 7: 'observability', 8: 'resilience', 9: 'automation', 10: 'hardening',
};

export function runStarted(phases: PhaseId[], s = 0, command: 'up' | 'destroy' | 'preview' = 'up'): PlatformEvent {
  return { type: 'run-started', runId: 'run-1', env: 'local', engine: 'simulate', command, phases, parallel: 2, at: at(s) };
}

export function status(
  phase: PhaseId, st: PhaseStatus, s: number, extra: { on?: PhaseId; reason?: string; cause?: StatusCause; hint?: string } = {},
): PlatformEvent {
  return { type: 'phase-status', phase, status: st, at: at(s), ...extra };
}

export function op(
  phase: PhaseId, name: string, o: ResourceOp, st: 'started' | 'done' | 'failed', s: number,
  resourceType = 'aws:ec2/vpc:Vpc', durationMs?: number,
): PlatformEvent {
  return {
    type: 'resource-op', phase, urn: `urn:pulumi:local::platform::${resourceType}::${name}`, resourceType, name,
    op: o, status: st, at: at(s), ...(durationMs === undefined ? {} : { durationMs }),
  };
}

export function summary(phase: PhaseId, changes: Partial<ChangeCounts>, durationMs: number, s: number): PlatformEvent {
  return {
    type: 'phase-summary', phase, durationMs, at: at(s),
    changes: { create: 0, update: 0, replace: 0, delete: 0, same: 0, ...changes },
  };
}

export function gateStarted(phase: PhaseId, gate: string, s: number): PlatformEvent {
  return { type: 'gate-started', phase, gate, at: at(s) };
}

export function gateResult(
  phase: PhaseId, gate: string, st: 'pass' | 'fail' | 'skipped', s: number, hint?: string, evidence: string[] = [],
): PlatformEvent {
  return { type: 'gate-result', phase, at: at(s), result: { gate, status: st, evidence, durationMs: 1500, hint } };
}

export function outputs(phase: PhaseId, values: Record<string, unknown>, s: number, simulated = true): PlatformEvent {
  return { type: 'outputs', phase, outputs: values, simulated, at: at(s) };
}

export function finished(
  phases: Partial<Record<PhaseId, PhaseStatus>>, exitCode: number, s: number, next?: string,
): PlatformEvent {
  return { type: 'run-finished', runId: 'run-1', exitCode, phases, durationMs: s * 1000, at: at(s), ...(next ? { next } : {}) };
}

export function diagnostic(phase: PhaseId | undefined, severity: 'info' | 'warning' | 'error', message: string, s: number): PlatformEvent {
  return { type: 'diagnostic', severity, message, at: at(s), ...(phase === undefined ? {} : { phase }) };
}

/**
 * A whole `up` of phases 0..2 where 2 fails and 3, 4 are blocked by it: the chain most tests use.
 */
export function failingChain(): PlatformEvent[] {
  return [
    runStarted([0, 1, 2, 3, 4]),
    status(0, 'checking', 0), status(0, 'running', 1),
    op(0, 'org', 'create', 'started', 1, 'aws:organizations/organization:Organization'),
    op(0, 'org', 'create', 'done', 4, 'aws:organizations/organization:Organization'),
    summary(0, { create: 1 }, 3000, 4),
    outputs(0, { organizationId: 'o-abc123', deployRoleArn: 'arn:aws:iam::111111111111:role/deploy' }, 4),
    status(0, 'succeeded', 4),
    status(1, 'skipped', 5, { reason: 'unchanged since 2026-01-01T00:00:00Z (fingerprint ab12); --force runs it anyway', cause: 'unchanged' }),
    status(2, 'checking', 5), status(2, 'running', 6),
    op(2, 'eks', 'create', 'started', 6, 'eks:index:Cluster'),
    op(2, 'eks', 'create', 'failed', 20, 'eks:index:Cluster'),
    diagnostic(2, 'error', 'creating EKS Cluster: AccessDeniedException', 20),
    status(2, 'failed', 21, { reason: 'engine-failed: creating EKS Cluster: AccessDeniedException', hint: 'check the deploy role in stacks/local.yaml' }),
    status(3, 'blocked', 21, { on: 2 }),
    status(4, 'blocked', 21, { on: 2 }),
    finished({ 0: 'succeeded', 1: 'skipped', 2: 'failed', 3: 'blocked', 4: 'blocked' }, 1, 21, 'platform up --from 2 --env local'),
  ];
}
