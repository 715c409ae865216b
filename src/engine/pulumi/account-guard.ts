/**
 * The account guard: before any mutating operation, the AWS caller identity (after assuming the
 * env's deploy role, when one is given) must be the account the env file names: the management
 * account for phase 0, the env's workload account for the others. A mismatch stops the run before
 * any change, naming both ids.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import type { EnvConfig } from '../../core/env.js';
import { isOrganizationTargetName, LOCAL_ORGANIZATION_FILE, ORGANIZATION_FILE } from '../../core/organization.js';
import { PlatformError, isPlatformError } from '../../core/errors.js';
import type { PhaseId } from '../../core/phase.js';

export interface AccountGuardOptions {
  /** STS client settings (region, endpoint for an emulator, credentials). Region defaults to the env's primary. */
  sts?: STSClientConfig;
  /** The deploy role to assume first; its session's identity is what is checked. */
  roleArn?: string;
  sessionName?: string;
}

export interface CallerIdentity {
  account: string;
  arn: string;
}

/** The caller identity, after assuming `roleArn` when given. */
export async function callerIdentity(env: EnvConfig, opts: AccountGuardOptions = {}): Promise<CallerIdentity> {
  const base: STSClientConfig = { region: env.regions.primary, ...opts.sts };
  let client = new STSClient(base);
  try {
    if (opts.roleArn) {
      const assumed = await client.send(
        new AssumeRoleCommand({ RoleArn: opts.roleArn, RoleSessionName: opts.sessionName ?? 'platform-account-guard', DurationSeconds: 900 }),
      );
      const c = assumed.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) {
        throw new PlatformError('config-missing', `assuming ${opts.roleArn} returned no credentials`, { value: opts.roleArn, hint: 'check the role trust policy' });
      }
      client.destroy();
      client = new STSClient({ ...base, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } });
    }
    const id = await client.send(new GetCallerIdentityCommand({}));
    if (!id.Account || !id.Arn) throw new Error('GetCallerIdentity returned no account');
    return { account: id.Account, arn: id.Arn };
  } catch (e) {
    if (isPlatformError(e)) throw e;
    const name = (e as { name?: string }).name ?? 'Error';
    throw new PlatformError('config-missing', `cannot determine the AWS caller identity for env '${env.name}' (${name})`, {
      value: opts.roleArn ?? env.name,
      hint: 'configure AWS credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) for this env, then `platform doctor --env ' + env.name + '`',
      cause: e,
    });
  } finally {
    client.destroy();
  }
}

/**
 * The account a stack must run in: the target's accountId. For an organization-scoped phase (phase
 * 0) the target is the organization (core/organization.ts organizationTarget), whose accountId is
 * the management account of stacks/organization.yaml.
 */
export function expectedAccount(env: EnvConfig, _phase: PhaseId): string {
  return env.accountId;
}

function fileOf(env: EnvConfig): { file: string; field: string } {
  return isOrganizationTargetName(env.name)
    ? { file: `stacks/${env.name === 'org' ? ORGANIZATION_FILE : LOCAL_ORGANIZATION_FILE}`, field: 'managementAccountId' }
    : { file: `stacks/${env.name}.yaml`, field: 'accountId' };
}

/** Throws 'account-mismatch' (exit 2) naming both ids when the caller is in another account. */
export async function assertAccount(env: EnvConfig, phase: PhaseId, opts: AccountGuardOptions = {}): Promise<CallerIdentity> {
  const id = await callerIdentity(env, opts);
  const want = expectedAccount(env, phase);
  if (id.account !== want) {
    throw new PlatformError(
      'account-mismatch',
      `the AWS credentials are for account ${id.account}, but ${fileOf(env).file} names account ${want} for phase ${phase}`,
      { value: id.account, hint: `switch to credentials for ${want} (AWS_PROFILE), or fix ${fileOf(env).field} in ${fileOf(env).file}` },
    );
  }
  return id;
}
