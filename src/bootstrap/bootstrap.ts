/**
 * `platform bootstrap`: before any stack can exist, create the state bucket and the secrets key a
 * config file names, in the account it names. Rules:
 * - The account guard runs first: the caller (after assuming `roleArn` when given) must be in the
 *   target's account, or nothing is read or written.
 * - Everything is inspected before anything changes; any conflict with the file stops the run with
 *   one line and no change, unless `fix` allows changing the existing resource's settings.
 * - Creating is idempotent: a second run finds every setting `ok` and changes nothing.
 * - A file backend and a passphrase need nothing: the result says so.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { PlatformError, isPlatformError } from '../core/errors.js';
import { inspectBucket } from './bucket.js';
import { inspectKey } from './key.js';
import { applySteps, assertNoConflict, awsText, changes, withFixes, type ApplyContext, type Step } from './steps.js';
import { bucketSpec, keySpec, type BootstrapTarget } from './target.js';

export interface BootstrapOptions {
  /** Only inspect and report what would change. */
  dryRun?: boolean;
  /** Change the settings of existing resources that conflict with the file (never their region or account). */
  fix?: boolean;
  /** Send every AWS call here (an emulator on loopback in tests). */
  endpoint?: string;
  /** Called after each step is done (or, in a dry run, inspected). */
  onStep?: (s: Step) => void;
}

export interface BootstrapResult {
  /** Nothing in the file needs creating (file backend, passphrase). */
  nothingToDo?: string;
  caller?: { account: string; arn: string };
  steps: Step[];
  changed: number;
  dryRun: boolean;
}

async function guard(t: BootstrapTarget, endpoint: string | undefined): Promise<{ account: string; arn: string; credentials?: AwsCredentialIdentity }> {
  if (t.skipAccountGuard) {
    throw new PlatformError('config-invalid', `${t.file} turns the account guard off (accountGuard: false), so its account ids are not real and bootstrap will not create anything for it`, {
      value: t.file,
      hint: 'bootstrap only envs with real account ids and the account guard on',
    });
  }
  const base = { region: t.region, maxAttempts: 3, ...(endpoint ? { endpoint } : {}) };
  let sts = new STSClient(base);
  let credentials: AwsCredentialIdentity | undefined;
  try {
    if (t.roleArn) {
      const c = (await sts.send(new AssumeRoleCommand({ RoleArn: t.roleArn, RoleSessionName: 'platform-bootstrap', DurationSeconds: 900 }))).Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`assuming ${t.roleArn} returned no credentials`);
      credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
      sts.destroy();
      sts = new STSClient({ ...base, credentials });
    }
    const id = await sts.send(new GetCallerIdentityCommand({}));
    if (id.Account !== t.accountId) {
      throw new PlatformError('account-mismatch', `the AWS credentials are for account ${id.Account}, but ${t.file} puts the state of ${t.label} in account ${t.accountId}`, {
        value: String(id.Account),
        hint: `switch to credentials for ${t.accountId} (AWS_PROFILE), or fix the account id in ${t.file}`,
      });
    }
    return { account: id.Account!, arn: id.Arn ?? '?', ...(credentials ? { credentials } : {}) };
  } catch (e) {
    if (isPlatformError(e)) throw e;
    throw new PlatformError('config-missing', `cannot determine the AWS caller identity for ${t.label} (${awsText(e)})`, {
      value: t.roleArn ?? t.label,
      hint: 'configure AWS credentials for the account that holds the state (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), then run bootstrap again',
      cause: e,
    });
  } finally {
    sts.destroy();
  }
}

/** Inspects, then (unless a dry run) creates or fixes the target's bucket and key. */
export async function bootstrap(t: BootstrapTarget, opts: BootstrapOptions = {}): Promise<BootstrapResult> {
  const bucket = bucketSpec(t);
  const key = keySpec(t);
  const dryRun = Boolean(opts.dryRun);
  if (!bucket && !key) {
    return { nothingToDo: `nothing to bootstrap for ${t.label}: its state is a local file backend (${t.backendUrl}) and its secrets use a passphrase`, steps: [], changed: 0, dryRun };
  }
  const caller = await guard(t, opts.endpoint);
  const common = { maxAttempts: 3, ...(caller.credentials ? { credentials: caller.credentials } : {}), ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) };
  const kms = key ? new KMSClient({ ...common, region: key.region }) : undefined;
  const s3 = bucket ? new S3Client({ ...common, region: bucket.region, ...(opts.endpoint ? { forcePathStyle: true } : {}) }) : undefined;
  try {
    const ctx: ApplyContext = {};
    let steps: Step[] = [];
    try {
      if (kms && key) {
        const k = await inspectKey(kms, key, t);
        steps.push(...k.steps);
        if (k.existing) Object.assign(ctx, k.existing);
      }
      if (s3 && bucket) steps.push(...(await inspectBucket(s3, bucket, t, Boolean(key))));
    } catch (e) {
      if (isPlatformError(e)) throw e;
      throw new PlatformError('bootstrap-failed', `inspecting the state bucket and key of ${t.label} failed (${awsText(e)}); nothing was changed`, {
        hint: 'check that the credentials may read S3 bucket settings and describe KMS keys',
        cause: e,
      });
    }
    if (opts.fix) steps = withFixes(steps);
    assertNoConflict(steps, t.file);
    const todo = changes(steps).length;
    if (dryRun) {
      for (const s of steps) opts.onStep?.(s);
    } else {
      await applySteps(steps, ctx, (s) => opts.onStep?.(s));
    }
    return { caller: { account: caller.account, arn: caller.arn }, steps, changed: todo, dryRun };
  } finally {
    kms?.destroy();
    s3?.destroy();
  }
}

/** One line per step for the plain output: `create  bucket b: versioning: turn versioning on`. */
export function stepLine(s: Step, dryRun: boolean): string {
  const verb = s.status === 'ok' ? 'ok' : dryRun ? `would ${s.status}` : s.status === 'create' ? 'created' : s.status === 'set' ? 'set' : s.status;
  return `${verb.padEnd(12)} ${s.resource} ${s.name}: ${s.setting}: ${s.detail}`;
}
