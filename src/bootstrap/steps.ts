/**
 * A bootstrap plan is a list of steps, one per setting of one resource: already right (`ok`), to
 * create or set, or in conflict with the file. Inspection builds the list without changing anything;
 * applying runs the `apply` of every `create`/`set` step in order (the key before the bucket, whose
 * encryption needs the key's ARN).
 */
import { PlatformError, isPlatformError } from '../core/errors.js';

export type StepStatus = 'ok' | 'create' | 'set' | 'conflict';

/** Shared between steps while applying: the key's id and ARN once it exists. */
export interface ApplyContext {
  keyId?: string;
  keyArn?: string;
}

export interface Step {
  resource: 'bucket' | 'key';
  /** Bucket name or key alias. */
  name: string;
  /** `exists`, `versioning`, `rotation`, ... */
  setting: string;
  status: StepStatus;
  /** What was found, or what will be done. */
  detail: string;
  /** For a conflict that `--fix` may change on the existing resource: what it does. */
  fix?: { detail: string; apply: (ctx: ApplyContext) => Promise<void> };
  apply?: (ctx: ApplyContext) => Promise<void>;
}

/** Turns fixable conflicts into `set` steps (the user said `--fix`). */
export function withFixes(steps: readonly Step[]): Step[] {
  return steps.map((s) => (s.status === 'conflict' && s.fix ? { ...s, status: 'set', detail: s.fix.detail, apply: s.fix.apply, fix: undefined } : s));
}

export function changes(steps: readonly Step[]): Step[] {
  return steps.filter((s) => s.status === 'create' || s.status === 'set');
}

/** Throws one `bootstrap-conflict` line naming the first conflict (and how many more) when there is any. */
export function assertNoConflict(steps: readonly Step[], file: string): void {
  const conflicts = steps.filter((s) => s.status === 'conflict');
  if (conflicts.length === 0) return;
  const first = conflicts[0]!;
  const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more: ${conflicts.slice(1).map((c) => `${c.resource} ${c.setting}`).join(', ')})` : '';
  const fixable = conflicts.every((c) => c.fix);
  throw new PlatformError('bootstrap-conflict', `${first.resource} ${first.name}: ${first.detail}${more}; nothing was changed`, {
    value: first.name,
    hint: fixable
      ? `run again with --fix to change the existing ${first.resource}, or point ${first.resource === 'bucket' ? 'backend.url' : 'secrets.provider'} in ${file} at another`
      : `fix the ${first.resource} by hand or point ${first.resource === 'bucket' ? 'backend.url' : 'secrets.provider'} in ${file} at another`,
  });
}

/** Runs the changes in order; an AWS failure names the step (earlier steps stay done: re-running resumes). */
export async function applySteps(steps: readonly Step[], ctx: ApplyContext, onDone: (s: Step) => void): Promise<void> {
  for (const s of steps) {
    if ((s.status === 'create' || s.status === 'set') && s.apply) {
      try {
        await s.apply(ctx);
      } catch (e) {
        if (isPlatformError(e)) throw e;
        throw new PlatformError('bootstrap-failed', `${s.resource} ${s.name}: ${s.setting} failed (${awsText(e)})`, {
          value: s.name,
          hint: 'check that the credentials may create and configure S3 buckets and KMS keys, then run bootstrap again (it resumes where it stopped)',
          cause: e,
        });
      }
    }
    onDone(s);
  }
}

/** `Code: message` of an AWS SDK error, without request ids or credentials. */
export function awsText(e: unknown): string {
  const err = e as { name?: string; Code?: string; message?: string };
  return `${err.Code ?? err.name ?? 'Error'}: ${err.message ?? String(e)}`;
}

/** The AWS error name (`NoSuchBucket`, `NotFoundException`...), or the HTTP status as text. */
export function awsErrorName(e: unknown): string {
  const err = e as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return err.Code ?? err.name ?? String(err.$metadata?.httpStatusCode ?? 'Error');
}

export function httpStatus(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
