/**
 * Parent side of the evaluation worker: forks one child per evaluation, sends the request over IPC,
 * and settles on the child's exit. Rules:
 * - TypeScript (a .ts/.tsx phase module, or this engine itself running from source under tsx) forks
 *   with `--import <tsx>`; compiled code forks plain node;
 * - a timeout kills the child (SIGKILL) and fails with `engine-failed`;
 * - an aborted signal kills the child and fails with `cancelled`;
 * - the child's stderr is kept (last 4 KB) only as the `cause` of a crash, never in the message:
 *   a program may print values we cannot vet.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isErrorCode, PlatformError } from '../../core/errors.js';
import type { EvaluateRequest, EvaluateResult, WorkerReply } from './protocol.js';

export interface RunWorkerOptions {
  signal: AbortSignal;
  timeoutMs: number;
  /** For messages: the phase id. */
  phaseId: number;
}

const STDERR_TAIL = 4096;

function isTypeScript(url: string): boolean {
  return /\.(ts|tsx|mts|cts)$/.test(new URL(url).pathname);
}

function workerUrl(): URL {
  const self = import.meta.url;
  return new URL(isTypeScript(self) ? './worker-main.ts' : './worker-main.js', self);
}

function execArgvFor(moduleUrl: string, worker: URL): string[] {
  if (!isTypeScript(moduleUrl) && !isTypeScript(worker.href)) return [];
  let tsx: string;
  try {
    // createRequire rather than import.meta.resolve: under tsx this module may run as CommonJS.
    tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch (e) {
    throw new PlatformError('engine-missing', `phase module ${moduleUrl} is TypeScript and tsx is not installed`, {
      value: moduleUrl,
      hint: 'run the compiled CLI (npm run build) or install the dev dependencies',
      cause: e,
    });
  }
  return ['--import', tsx];
}

function cancelled(stack: string): PlatformError {
  return new PlatformError('cancelled', `simulated update of stack ${stack} was cancelled`, {
    value: stack,
    hint: 'nothing was applied; run the command again to continue',
  });
}

function fromReply(reply: Exclude<WorkerReply, EvaluateResult>, req: EvaluateRequest, phaseId: number): PlatformError {
  const cause = reply.stack ? Object.assign(new Error(reply.message), { stack: reply.stack }) : undefined;
  switch (reply.reason) {
    case 'no-program':
      return new PlatformError('no-program', `phase ${phaseId} has no program yet`, {
        value: String(phaseId),
        hint: 'select phases that have a program (see `platform phases`)',
      });
    case 'module':
      return new PlatformError('engine-failed', `could not load phase ${phaseId} from ${req.moduleUrl}: ${reply.message}`, {
        value: req.moduleUrl,
        hint: "the module must export its PhaseDefinition as 'phase'",
        cause,
      });
    case 'program': {
      if (reply.typed && isErrorCode(reply.typed.code)) {
        // The program refused an input on purpose: its own typed error, as if thrown here.
        return new PlatformError(reply.typed.code, reply.message, { hint: reply.typed.hint, value: reply.typed.value, cause });
      }
      const at = reply.location ? ` at ${reply.location}` : '';
      return new PlatformError('program-bug', `phase ${phaseId}: bug in the phase program${at} (stack ${req.stack}): ${reply.message}`, {
        value: reply.location ?? req.stack,
        hint: `fix the program${reply.location ? ' there' : ''}; nothing was applied, the stack is as it was${req.verbose ? '' : ' (run with --verbose for the stack trace)'}`,
        cause,
      });
    }
  }
}

/** Evaluates one phase program in a fresh child process and returns its plain-data result. */
export function runWorker(req: EvaluateRequest, opts: RunWorkerOptions): Promise<EvaluateResult> {
  if (opts.signal.aborted) return Promise.reject(cancelled(req.stack));
  const worker = workerUrl();
  const execArgv = execArgvFor(req.moduleUrl, worker);
  return new Promise<EvaluateResult>((resolve, reject) => {
    const child = fork(fileURLToPath(worker), [], {
      execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    let reply: WorkerReply | undefined;
    let stopped: PlatformError | undefined;
    let stderr = '';
    child.stdout?.resume();
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    const stop = (err: PlatformError) => {
      if (stopped || reply) return;
      stopped = err;
      child.kill('SIGKILL');
    };
    const onAbort = () => stop(cancelled(req.stack));
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () =>
        stop(
          new PlatformError('engine-failed', `simulated evaluation of stack ${req.stack} timed out after ${opts.timeoutMs} ms`, {
            value: req.stack,
            hint: 'look for a program that never resolves, or raise the simulate engine timeout',
          }),
        ),
      opts.timeoutMs,
    );
    const done = () => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
    };
    child.on('message', (msg: WorkerReply) => {
      reply ??= msg;
    });
    child.on('error', (e) => {
      done();
      reject(
        stopped ??
          new PlatformError('engine-failed', `could not start the simulate worker: ${e.message}`, {
            value: fileURLToPath(worker),
            hint: 'check that node can run the worker module',
            cause: e,
          }),
      );
    });
    child.on('exit', (code, signal) => {
      done();
      if (stopped) return reject(stopped);
      if (reply?.kind === 'result') return resolve(reply);
      if (reply) return reject(fromReply(reply, req, opts.phaseId));
      reject(
        new PlatformError(
          'engine-failed',
          `the simulate worker for stack ${req.stack} exited (${signal ?? `code ${code}`}) without a result`,
          {
            value: req.stack,
            hint: 'run again with --verbose to see the worker output',
            cause: new Error(stderr.trim() || 'no output'),
          },
        ),
      );
    });
    child.send(req);
  });
}
