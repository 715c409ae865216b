/**
 * Waits until a newly created member account's OrganizationAccountAccessRole can be assumed (R6).
 * CreateAccount finishes before IAM has propagated the role everywhere, so the first AssumeRole of
 * a provider configured right after it can fail with AccessDenied (eventual consistency; reported
 * for org-formation, org-formation-cli#192, and boto3#1216). Rules:
 * - try `assume` up to `attempts` times, sleeping `delayMs * attempt` between tries (linear backoff,
 *   about 7.5 minutes with the defaults);
 * - retry only AccessDenied-like errors (the role is not there yet); anything else fails at once;
 * - after the last failure, throw one PlatformError naming the role and the last error.
 * Pure apart from the injected `assume` and `sleep`, so tests drive it without timers or AWS.
 */
import { PlatformError } from '../../src/core/errors.js';

export interface WaitOptions {
  attempts?: number;
  delayMs?: number;
  sleep: (ms: number) => Promise<void>;
}

const RETRYABLE = /AccessDenied|not authorized to perform: sts:AssumeRole|InvalidClientTokenId/i;

function text(e: unknown): string {
  const err = e as { name?: string; message?: string };
  return [err.name, err.message].filter(Boolean).join(': ') || String(e);
}

/** Resolves once `assume` succeeds; returns how many attempts it took. */
export async function waitUntilAssumable(roleArn: string, assume: () => Promise<void>, opts: WaitOptions): Promise<number> {
  const attempts = opts.attempts ?? 10;
  const delayMs = opts.delayMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    try {
      await assume();
      return attempt;
    } catch (e) {
      if (!RETRYABLE.test(text(e))) {
        throw new PlatformError('phase-failed', `cannot assume ${roleArn}: ${text(e)}`, { value: roleArn, hint: 'check the management-account credentials and the account status in Organizations' });
      }
      if (attempt >= attempts) {
        throw new PlatformError('phase-failed', `${roleArn} could still not be assumed after ${attempts} attempts: ${text(e)}`, {
          value: roleArn,
          hint: 'IAM may still be propagating the new account: rerun phase 0 in a few minutes',
        });
      }
      await opts.sleep(delayMs * attempt);
    }
  }
}
