/**
 * The one error renderer. A PlatformError becomes one line on stderr ("error: <message>; <hint>")
 * and, with --json, one JSON line on stdout; its exit code is returned. Under --verbose its cause
 * chain follows, each cause with its stack (a bug in a phase program shows the program's frames).
 * Anything else is a bug: "internal error" with the stack only under --verbose, exit 1.
 */
import { ExitCode, isPlatformError, renderError } from '../core/errors.js';

function wantsJson(argv: string[]): boolean {
  return argv.includes('--json') || argv.some((a, i) => (a === '--output' && argv[i + 1] === 'json') || a === '--output=json');
}

export function report(e: unknown, argv: string[], opts: { json?: boolean } = {}): number {
  const json = opts.json ?? wantsJson(argv);
  if (isPlatformError(e)) {
    process.stderr.write(`error: ${renderError(e)}\n`);
    if (argv.includes('--verbose')) process.stderr.write(causeChain(e.cause));
    if (json) process.stdout.write(JSON.stringify({ type: 'error', code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode }) + '\n');
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`internal error: ${err.message} (this is a bug${argv.includes('--verbose') ? '' : '; run with --verbose for details'})\n`);
  if (argv.includes('--verbose') && err.stack) process.stderr.write(err.stack + '\n');
  if (json) process.stdout.write(JSON.stringify({ type: 'error', code: 'internal', message: err.message, exitCode: 1 }) + '\n');
  return ExitCode.PhaseFailed;
}

/** Each cause in turn, `caused by: <stack or message>`, at most 5 deep. */
function causeChain(cause: unknown, depth = 0): string {
  if (cause === undefined || depth >= 5) return '';
  const text = cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause);
  return `caused by: ${text}\n${cause instanceof Error ? causeChain(cause.cause, depth + 1) : ''}`;
}

export function reportUsage(message: string, argv: string[]): number {
  process.stderr.write(`error: ${message}; run platform --help for usage\n`);
  if (wantsJson(argv)) process.stdout.write(JSON.stringify({ type: 'error', code: 'usage', message, exitCode: ExitCode.Usage }) + '\n');
  return ExitCode.Usage;
}
