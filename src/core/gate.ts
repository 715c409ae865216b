/**
 * A gate is a named live check run after a phase's update. Its result is recorded with the
 * fingerprint it verified, and later dependency checks require it. Gates reach the world only
 * through probes handed in by the caller.
 */
import type { EnvConfig } from './env.js';
import type { Clock } from './ports.js';

export type GateStatus = 'pass' | 'fail' | 'skipped';

export interface GateResult {
  gate: string;
  status: GateStatus;
  /** What it looked at and what it saw. */
  evidence: string[];
  /** On failure: how to fix it. On skip: why. */
  hint?: string;
  durationMs: number;
}

export interface GateContext<Out, Probes = unknown> {
  env: EnvConfig;
  outputs: Out;
  /** Probes, clock and signal are supplied by the gates runner. */
  probes: Probes;
  signal: AbortSignal;
  /** The runner's clock (fake in tests); gates that poll inside one check use it. Set by runGates. */
  clock?: Clock;
  /** Epoch ms (on `clock`) by which this gate must finish. Set by runGates. */
  deadline?: number;
}

/**
 * What one evaluation of a gate returns. A `fail` is retried every `intervalMs` until `timeoutMs`
 * unless `terminal` says waiting cannot help (ProgressDeadlineExceeded, an expired certificate).
 */
export type GateCheckOutcome = Omit<GateResult, 'gate' | 'durationMs'> & { terminal?: boolean };

export interface Gate<Out = Record<string, unknown>, Probes = unknown> {
  name: string;
  description: string;
  /** Live gates are reported `skipped: simulated` by the simulate engine. */
  live: boolean;
  timeoutMs: number;
  intervalMs: number;
  /** Names of gates that must pass first (others run in parallel). */
  after?: readonly string[];
  check(ctx: GateContext<Out, Probes>): Promise<GateCheckOutcome>;
}
