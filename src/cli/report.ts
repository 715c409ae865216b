/**
 * The one error renderer. A PlatformError becomes one line on stderr ("error: <message>; <hint>")
 * and, with --json, one JSON line on stdout; its exit code is returned. Anything else is a bug:
 * "internal error" with the stack only under --verbose, exit 1.
 */
import { ExitCode, isPlatformError, renderError } from '../core/errors.js';

function wantsJson(argv: string[]): boolean {
  return argv.includes('--json') || argv.some((a, i) => (a === '--output' && argv[i + 1] === 'json') || a === '--output=json');
}

export function report(e: unknown, argv: string[], opts: { json?: boolean } = {}): number {
  const json = opts.json ?? wantsJson(argv);
  if (isPlatformError(e)) {
    process.stderr.write(`error: ${renderError(e)}\n`);
    if (json) process.stdout.write(JSON.stringify({ type: 'error', code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode }) + '\n');
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`internal error: ${err.message} (this is a bug${argv.includes('--verbose') ? '' : '; run with --verbose for details'})\n`);
  if (argv.includes('--verbose') && err.stack) process.stderr.write(err.stack + '\n');
  if (json) process.stdout.write(JSON.stringify({ type: 'error', code: 'internal', message: err.message, exitCode: 1 }) + '\n');
  return ExitCode.PhaseFailed;
}

export function reportUsage(message: string, argv: string[]): number {
  process.stderr.write(`error: ${message}; run platform --help for usage\n`);
  if (wantsJson(argv)) process.stdout.write(JSON.stringify({ type: 'error', code: 'usage', message, exitCode: ExitCode.Usage }) + '\n');
  return ExitCode.Usage;
}
