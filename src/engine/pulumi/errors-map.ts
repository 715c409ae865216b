/**
 * Turns what the `pulumi` CLI reports into our PlatformErrors. Classification is by stderr text, as
 * the Automation API itself does (reference/stack.md §5, reliability.md §1.3), checked most specific
 * first:
 *   locked stack          → 'locked' (exit 4), naming the holder from the lock file (or Pulumi's text)
 *   no stack named        → 'stack-not-found'
 *   passphrase            → 'passphrase'
 *   missing plugin        → 'plugin-missing', naming the plugin and version
 *   cancelled by us       → 'cancelled', naming what was in flight
 *   CLI not runnable      → 'engine-missing' (exit 2)
 *   anything else         → 'engine-failed' with the last error lines
 * Every text that leaves passes through `redact`; argv is never quoted (it carries no secrets, but
 * the rule is simpler kept absolute).
 */
import { PlatformError, isPlatformError } from '../../core/errors.js';
import type { StackRef } from '../../core/ports.js';
import { CliFailure } from './command.js';
import { stripAnsi } from './events-map.js';
import { describeHolder, holderFromText, type LockHolder } from './state.js';
import { INSTALL_HINT } from './settings.js';

export interface ErrorContext {
  stack: StackRef;
  operation: string;
  backendUrl: string;
  locks: () => LockHolder[];
  redact: (text: string) => string;
  /** Error diagnostics the engine reported during the operation (already redacted). */
  diagnostics?: string[];
  /** Set when the caller aborted: what was running then. */
  cancelled?: { inFlight: string[]; forced: boolean };
}

/** The meaningful error lines of Pulumi's stderr (drops blank lines and our own argv echo). */
export function errorLines(stderr: string, max = 8): string {
  const lines = stripAnsi(stderr)
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() && !/^(Command failed with|\s*at\s)/.test(l));
  const errs = lines.filter((l) => /error|failed|cannot|could not|unable/i.test(l));
  return (errs.length ? errs : lines).slice(-max).join('\n');
}

/** Maps any failure of a Pulumi operation to a PlatformError. */
export function mapPulumiError(e: unknown, ctx: ErrorContext): PlatformError {
  if (isPlatformError(e)) return e;
  // Pulumi prints its diagnostics on stdout when not interactive, errors on stderr: read both.
  const stderr = [
    ...(ctx.diagnostics ?? []),
    e instanceof CliFailure ? `${e.stderr}\n${e.stdout}` : e instanceof Error ? e.message : String(e),
  ].join('\n');
  const text = stripAnsi(stderr);
  const { stack } = ctx;
  // The cause is shown with --verbose: keep Pulumi's text, redacted, never the raw failure object.
  e = new Error(ctx.redact(errorLines(text, 40)));
  const repair = `platform repair --phase ${stack.phase} --env ${stack.env}`;

  if (ctx.cancelled) {
    const flight = ctx.cancelled.inFlight;
    return new PlatformError(
      'cancelled',
      ctx.cancelled.forced
        ? `${ctx.operation} of ${stack.name} was stopped immediately; in flight: ${flight.length ? flight.join(', ') : 'nothing'}`
        : `${ctx.operation} of ${stack.name} was cancelled; the engine finished its in-flight steps and released the lock`,
      {
        value: stack.name,
        hint: ctx.cancelled.forced && flight.length ? `those resources may be pending: run \`${repair}\`` : `re-run the command to continue`,
        cause: e,
      },
    );
  }
  if (/the stack is currently locked by/.test(text) || /\[409\] Conflict/.test(text)) {
    const holders = ctx.locks();
    const who = holders.length ? holders.map(describeHolder).join('; ') : holderFromText(text) ?? 'another process';
    const stale = holders.some((h) => h.stale);
    return new PlatformError('locked', `stack ${stack.name} is locked by ${who}`, {
      value: stack.name,
      hint: stale ? `that process is gone; run \`${repair}\` to clear its lock` : 'wait for that run to finish, then re-run',
      cause: e,
    });
  }
  if (/no stack named .* found/.test(text)) {
    return new PlatformError('stack-not-found', `stack ${stack.name} does not exist in backend ${ctx.backendUrl}`, {
      value: stack.name,
      hint: `check backend.url in stacks/${stack.env}.yaml; only \`platform up --phase ${stack.phase} --env ${stack.env}\` creates a stack`,
      cause: e,
    });
  }
  if (/incorrect passphrase|passphrase must be set|failed to decrypt|getting secrets manager/i.test(text)) {
    return new PlatformError('passphrase', `the secrets passphrase for ${stack.name} is missing or wrong`, {
      value: stack.name,
      hint: 'set PULUMI_CONFIG_PASSPHRASE_FILE (or PULUMI_CONFIG_PASSPHRASE) to the passphrase this stack was created with',
      cause: e,
    });
  }
  const plugin =
    /no resource plugin '([^']+)' found(?: in the workspace)?(?: at version (v?[\w.-]+))?/.exec(text) ??
    /could not (?:load|find) plugin for (\S+) provider[^\n]*?(?:version (v?[\w.-]+))?/.exec(text) ??
    /failed to load plugin (\S+)(?: version (v?[\w.-]+))?/.exec(text);
  if (plugin) {
    const name = plugin[1]!.replace(/^pulumi-resource-/, '');
    return new PlatformError('plugin-missing', `the Pulumi provider plugin '${name}'${plugin[2] ? ` ${plugin[2]}` : ''} is not installed, and plugin downloads are off`, {
      value: name,
      hint: `install it with \`pulumi plugin install resource ${name}${plugin[2] ? ` ${plugin[2].replace(/^v/, '')}` : ''}\` where the network allows, or use --engine simulate`,
      cause: e,
    });
  }
  if (/ENOENT|EACCES/.test(text) && /spawn|pulumi/.test(text)) {
    return new PlatformError('engine-missing', 'the Pulumi CLI could not be started', {
      value: 'pulumi',
      hint: INSTALL_HINT,
      cause: e,
    });
  }
  const detail = ctx.diagnostics?.length ? ctx.diagnostics.slice(-8).join('\n') : errorLines(text);
  return new PlatformError('engine-failed', `${ctx.operation} of ${stack.name} failed:\n${ctx.redact(detail)}`, {
    value: stack.name,
    hint: 'the lines above are Pulumi\'s own; fix the cause and re-run',
    cause: e,
  });
}
