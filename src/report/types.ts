/** Types of the posture report (see gather.ts for what goes in and where it comes from). */
import type { PhaseId } from '../core/phase.js';
import type { GateResult } from '../core/gate.js';
import type { CheckResult } from '../checks/types.js';
import type { CostEstimate } from '../cost/types.js';

/** A source the report could not read, and why (never a made-up value in its place). */
export interface Unavailable {
  available: false;
  reason: string;
}

export interface SecurityHubSummary {
  available: true;
  region: string;
  /** Active findings whose workflow is NEW or NOTIFIED, by severity label. */
  activeBySeverity: Record<string, number>;
  /** True when there were more findings than the report reads (the counts are then lower bounds). */
  truncated: boolean;
  /** The CRITICAL and HIGH ones, first few: title, resource, severity. */
  top: { severity: string; title: string; resource: string }[];
}

export interface GuardDutySummary {
  available: true;
  region: string;
  detectorId: string;
  status: string;
  /** Current (not archived) findings by severity band (low < 4 <= medium < 7 <= high). */
  bySeverity: { high: number; medium: number; low: number };
}

export interface BackupSummary {
  available: true;
  region: string;
  vaults: { name: string; recoveryPoints: number }[];
  /** Backup jobs created in the last `windowHours`, by state. */
  jobsByState: Record<string, number>;
  windowHours: number;
  lastCompletedAt?: string;
  failed: { resource: string; state: string; message: string }[];
}

/** The DR region's vaults and the copies phase 8's plan makes into them. */
export interface DrBackupSummary {
  available: true;
  /** The env's DR region. */
  region: string;
  vaults: { name: string; recoveryPoints: number }[];
  /** Copy jobs into the DR region created in the last `windowHours`, by state. */
  copyJobsByState: Record<string, number>;
  windowHours: number;
  lastCopiedAt?: string;
  failed: { resource: string; state: string; message: string }[];
}

export interface PhaseGates {
  phase: PhaseId;
  slug: string;
  status: string;
  /** When the gates last ran, and whether they verified the phase's current fingerprint. */
  at?: string;
  current: boolean;
  results: GateResult[];
}

export interface PostureReport {
  env: string;
  engine: string;
  generatedAt: string;
  gates: PhaseGates[];
  /** Set when the record store could not be read (e.g. an S3 backend offline): gates are unknown, not absent. */
  recordsUnavailable?: string;
  /** Phases with no record (never deployed in this env). */
  notDeployed: PhaseId[];
  checks: CheckResult | Unavailable;
  securityHub: SecurityHubSummary | Unavailable;
  guardDuty: GuardDutySummary | Unavailable;
  backup: BackupSummary | Unavailable;
  /** The DR region's vaults and the copies into them. */
  drBackup: DrBackupSummary | Unavailable;
  cost: CostEstimate | Unavailable;
  /** Selected phases that could not be planned (checks and cost leave them out). */
  notPlanned: { phase: PhaseId; reason: string }[];
}
