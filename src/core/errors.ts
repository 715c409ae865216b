/**
 * Typed errors: every failure the user can cause or meet carries a stable code, the exit code the
 * CLI returns for it, the offending value and a hint saying how to fix it. One renderer (src/cli)
 * turns them into a single line; anything that is not a PlatformError is a bug and shows its stack
 * only with --verbose.
 */
export const ExitCode = {
  Ok: 0,
  PhaseFailed: 1,
  Usage: 2,
  DependencyCheck: 3,
  Locked: 4,
  RecoveryNeeded: 5,
  /** `--expect-no-changes` and something would change. */
  ChangesPending: 6,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorCode =
  | 'usage'
  | 'unknown-env'
  | 'bad-phase'
  | 'config-invalid'
  | 'config-missing'
  | 'no-program'
  | 'dependency-check'
  | 'promotion-check'
  | 'cycle'
  | 'locked'
  | 'recovery-needed'
  | 'confirmation-required'
  | 'declined'
  | 'changes-pending'
  | 'drift-found'
  | 'phase-failed'
  | 'gate-failed'
  | 'outputs-invalid'
  | 'engine-missing'
  | 'engine-failed'
  | 'program-bug'
  | 'internal'
  | 'account-mismatch'
  | 'passphrase'
  | 'plugin-missing'
  | 'stack-not-found'
  | 'check-failed'
  | 'bootstrap-conflict'
  | 'bootstrap-failed'
  | 'endpoint-unreachable'
  | 'cancelled';

const exitFor: Record<ErrorCode, ExitCode> = {
  usage: ExitCode.Usage,
  'unknown-env': ExitCode.Usage,
  'bad-phase': ExitCode.Usage,
  'config-invalid': ExitCode.Usage,
  'config-missing': ExitCode.Usage,
  'no-program': ExitCode.Usage,
  'dependency-check': ExitCode.DependencyCheck,
  'promotion-check': ExitCode.DependencyCheck,
  cycle: ExitCode.Usage,
  locked: ExitCode.Locked,
  'recovery-needed': ExitCode.RecoveryNeeded,
  'confirmation-required': ExitCode.Usage,
  declined: ExitCode.Interrupted,
  'changes-pending': ExitCode.ChangesPending,
  'drift-found': ExitCode.ChangesPending,
  'phase-failed': ExitCode.PhaseFailed,
  'gate-failed': ExitCode.PhaseFailed,
  'outputs-invalid': ExitCode.PhaseFailed,
  'engine-missing': ExitCode.Usage,
  'engine-failed': ExitCode.PhaseFailed,
  'program-bug': ExitCode.PhaseFailed,
  internal: ExitCode.PhaseFailed,
  'account-mismatch': ExitCode.Usage,
  passphrase: ExitCode.Usage,
  'plugin-missing': ExitCode.Usage,
  'stack-not-found': ExitCode.DependencyCheck,
  'check-failed': ExitCode.PhaseFailed,
  'bootstrap-conflict': ExitCode.Usage,
  'bootstrap-failed': ExitCode.PhaseFailed,
  'endpoint-unreachable': ExitCode.Usage,
  cancelled: ExitCode.Interrupted,
};

export interface PlatformErrorInit {
  /** The wrong value, quoted in the message ("phase '3a'"). */
  value?: string;
  /** How to fix it: a command or the allowed values. */
  hint?: string;
  cause?: unknown;
  /** Overrides the exit code implied by the error code (rarely needed). */
  exitCode?: ExitCode;
}

/**
 * Marks a PlatformError whichever copy of this module made it (`Symbol.for` is one registry per
 * process): the compiled dist/ and the TypeScript sources can both be loaded in one process (the
 * engine tests run the built engine, as the CLI does, and check its errors with the sources'
 * isPlatformError), and `instanceof` sees two classes there. @pulumi/pulumi recognises its resources
 * across SDK copies the same way (Resource.isInstance).
 */
const BRAND = Symbol.for('platform.PlatformError');

export class PlatformError extends Error {
  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly value?: string;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, init: PlatformErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'PlatformError';
    this.code = code;
    this.exitCode = init.exitCode ?? exitFor[code];
    this.value = init.value;
    this.hint = init.hint;
  }
}

/** True for a code this module defines (a typed error that crossed a process boundary as text). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(exitFor, code);
}

/** A PlatformError from this or another copy of this module (see BRAND). */
export function isPlatformError(e: unknown): e is PlatformError {
  return e instanceof PlatformError || (typeof e === 'object' && e !== null && (e as { [BRAND]?: unknown })[BRAND] === true);
}

/** One line for humans: "message (hint)". Never includes a stack. */
export function renderError(e: PlatformError): string {
  return e.hint ? `${e.message}; ${e.hint}` : e.message;
}
