/**
 * Messages between the simulate engine and its evaluation worker (one child process per stack).
 * Everything crossing the boundary is plain JSON: functions and class instances never do.
 */
import type { SyntheticContext } from './synthetic-values.js';

/** Parent -> worker: evaluate one phase program. */
export interface EvaluateRequest {
  kind: 'evaluate';
  /** `phase.module`: the URL of the file exporting the phase definition as `phase`. */
  moduleUrl: string;
  /** Program inputs from `phase.inputs(ctx)`. */
  inputs: unknown;
  stack: string;
  project: string;
  config: Record<string, string>;
  synthetic: SyntheticContext;
  /** Timeout for draining resource registrations, inside the worker. */
  drainTimeoutMs: number;
  /** Keep full stack traces (slower evaluation); otherwise `Error.stackTraceLimit = 0`. */
  verbose: boolean;
}

/** One registered resource as plain data. */
export interface WorkerResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  id: string;
  /** Inputs with secrets unwrapped (the parent masks or hashes them) and `__provider` removed. */
  inputs: Record<string, unknown>;
  secretInputs: string[];
  /** The resource's `replaceOnChanges` option, when it has one. */
  replaceOnChanges?: string[];
}

/** Worker -> parent: the evaluation succeeded. */
export interface EvaluateResult {
  kind: 'result';
  resources: WorkerResource[];
  outputs: Record<string, unknown>;
  secretOutputs: string[];
}

/** Worker -> parent: the evaluation failed. */
export interface EvaluateFailure {
  kind: 'error';
  /** `no-program`: the phase has no loadProgram; `module`: the module or its `phase` export is unusable; `program`: the program threw. */
  reason: 'no-program' | 'module' | 'program';
  message: string;
  /** Only sent when the request was verbose. */
  stack?: string;
  /** `program`: where in the program it was thrown (`file:line`, the first frame outside the engine and node_modules). */
  location?: string;
  /** `program`: the program threw a typed PlatformError (a refused input, not a bug): its code, hint and value. */
  typed?: { code: string; hint?: string; value?: string };
}

export type WorkerReply = EvaluateResult | EvaluateFailure;
