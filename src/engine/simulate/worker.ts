/**
 * The simulate engine's evaluation worker: loaded by worker-main.ts in a child process forked once
 * per stack evaluation, so that every program runs in a fresh Pulumi runtime (stack.md §4: `setMocks` does
 * not reset config, and two stacks in one process mix their URNs).
 *
 * Protocol: receives one EvaluateRequest over IPC; imports `moduleUrl`, takes its `phase` export,
 * calls `phase.loadProgram()`, runs it under mocks via `evaluateProgram`, replies with plain data
 * (EvaluateResult) or an EvaluateFailure, then exits. If the parent goes away (IPC disconnect) the
 * worker exits at once, so a killed CLI leaves no orphan evaluations behind.
 */
import type { AnyPhase } from '../../core/phase.js';
import { evaluateProgram } from './evaluate.js';
import { mapStack, programLocation } from './program-location.js';
import { toPlain, toPlainRecord } from './plain.js';
import type { EvaluateFailure, EvaluateRequest, WorkerReply, WorkerResource } from './protocol.js';

/** Dynamic providers carry their serialized code here; it is not a user-visible input. */
const DYNAMIC_PROVIDER_KEY = '__provider';

let replied = false;
let verbose = false;

function reply(msg: WorkerReply): void {
  if (replied || !process.send) return;
  replied = true;
  process.send(msg, () => process.exit(0));
}

function failure(reason: EvaluateFailure['reason'], e: unknown): EvaluateFailure {
  const err = e instanceof Error ? e : new Error(String(e));
  // Compiled frames (dist/) name the program's .ts file and line through its source map.
  const stack = mapStack(err.stack);
  const base: EvaluateFailure = { kind: 'error', reason, message: err.message, ...(verbose && stack ? { stack } : {}) };
  if (reason !== 'program') return base;
  // A PlatformError the program threw on purpose (a refused input) keeps its code; anything else is a bug there.
  const typed = err as Error & { code?: unknown; hint?: unknown; value?: unknown };
  if (err.name === 'PlatformError' && typeof typed.code === 'string') {
    return { ...base, typed: { code: typed.code, ...(typeof typed.hint === 'string' ? { hint: typed.hint } : {}), ...(typeof typed.value === 'string' ? { value: typed.value } : {}) } };
  }
  const location = programLocation(stack, process.cwd());
  return { ...base, ...(location ? { location } : {}) };
}

async function loadPhase(moduleUrl: string): Promise<AnyPhase> {
  const mod = (await import(moduleUrl)) as { phase?: AnyPhase };
  if (!mod.phase || typeof mod.phase !== 'object') {
    throw new Error(`module ${moduleUrl} has no 'phase' export`);
  }
  return mod.phase;
}

async function handle(req: EvaluateRequest): Promise<void> {
  verbose = req.verbose;
  // Frames name the program's file and line even without --verbose (the one-line error gives them);
  // failure() maps the compiled CLI's dist/*.js frames back to the programs' .ts lines. Node's own
  // source-map stack traces stay off: they would map every stack @pulumi/pulumi takes (measured
  // 2026-11-30: the workers of `preview --phase 0..3 --env local` took 10.7 s of CPU with them, 8.1 s without).
  Error.stackTraceLimit = 50;
  let phase: AnyPhase;
  try {
    phase = await loadPhase(req.moduleUrl);
  } catch (e) {
    reply(failure('module', e));
    return;
  }
  if (typeof phase.loadProgram !== 'function') {
    reply({ kind: 'error', reason: 'no-program', message: `phase ${phase.id} has no program yet` });
    return;
  }
  try {
    const program = await phase.loadProgram();
    const evaluation = await evaluateProgram({
      project: req.project,
      stack: req.stack,
      config: req.config,
      synthetic: req.synthetic,
      timeoutMs: req.drainTimeoutMs,
      program: () => program(req.inputs),
    });
    const resources: WorkerResource[] = [];
    for (const r of evaluation.resources) {
      const { [DYNAMIC_PROVIDER_KEY]: _provider, ...inputs } = r.inputs;
      resources.push({
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        id: r.id,
        inputs: await toPlainRecord(inputs),
        secretInputs: r.secretInputs.filter((k) => k !== DYNAMIC_PROVIDER_KEY),
        ...(r.replaceOnChanges ? { replaceOnChanges: r.replaceOnChanges } : {}),
      });
    }
    const outputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(evaluation.outputs)) {
      const p = await toPlain(v);
      if (p !== undefined) outputs[k] = p;
    }
    reply({ kind: 'result', resources, outputs, secretOutputs: evaluation.secretOutputs });
  } catch (e) {
    reply(failure('program', e));
  }
}

process.on('disconnect', () => {
  if (!replied) process.exit(1);
});
process.on('uncaughtException', (e) => {
  reply(failure('program', e));
});
process.on('unhandledRejection', (e) => {
  reply(failure('program', e));
});
process.once('message', (msg: EvaluateRequest) => {
  void handle(msg);
});
