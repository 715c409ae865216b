/**
 * What `platform bootstrap` creates, from a config file: the state bucket named by `backend.url` and
 * the KMS key named by `secrets.provider`, in one account and region. The target is narrow on purpose
 * so the env file and the organization file map onto it the same way.
 *
 * Which account: Pulumi opens the backend and resolves the `awskms://` alias with the runner's own
 * credentials (never the deploy role, which only the phase programs' providers assume), so the bucket
 * and the key live in the account those credentials belong to: the organization's management account,
 * where phase 0 runs too. `roleArn` exists for a state account reached through a role.
 */
import type { EnvConfig } from '../core/env.js';
import type { OrganizationConfig } from '../core/organization.js';
import { PlatformError } from '../core/errors.js';

export interface BootstrapTarget {
  /** `env 'dev'` or `the organization`: used in every line. */
  label: string;
  /** The file the names come from (`stacks/dev.yaml`), for messages. */
  file: string;
  /** The account the bucket and key must be in; the caller identity is checked against it first. */
  accountId: string;
  /** The default region of the bucket and the key (the URLs' `region=` wins). */
  region: string;
  backendUrl: string;
  secretsProvider: string;
  /** Assume this role before anything else (optional). */
  roleArn?: string;
  /** Skip the account check (files whose account ids are not real, e.g. `local`). */
  skipAccountGuard?: boolean;
  tags: Record<string, string>;
}

export interface BucketSpec {
  bucket: string;
  prefix: string;
  region: string;
}

export interface KeySpec {
  /** `alias/<name>`. */
  alias: string;
  region: string;
}

/** `managementAccountId` comes from the organization file the env shares (stacks/organization.yaml). */
export function envTarget(env: EnvConfig, managementAccountId: string): BootstrapTarget {
  return {
    label: `env '${env.name}'`,
    file: `stacks/${env.name}.yaml`,
    accountId: managementAccountId,
    region: env.regions.primary,
    backendUrl: env.backend.url,
    secretsProvider: env.secrets.provider,
    ...(env.accountGuard === false ? { skipAccountGuard: true } : {}),
    tags: env.tags,
  };
}

/** The organization stack's own state and secrets (`stacks/organization.yaml`), in the management account. */
export function organizationTarget(org: OrganizationConfig, file: string): BootstrapTarget {
  return {
    label: 'the organization',
    file,
    accountId: org.managementAccountId,
    region: org.regions.primary,
    backendUrl: org.backend.url,
    secretsProvider: org.secrets.provider,
    ...(org.accountGuard === false ? { skipAccountGuard: true } : {}),
    tags: org.tags,
  };
}

/** The bucket of an `s3://` backend URL, or undefined for `file://`. Throws `config-invalid` for anything else. */
export function bucketSpec(t: BootstrapTarget): BucketSpec | undefined {
  if (t.backendUrl.startsWith('file://')) return undefined;
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/[^?]*)?(\?.*)?$/.exec(t.backendUrl);
  if (!m) {
    throw new PlatformError('config-invalid', `${t.file}: backend.url '${t.backendUrl}' is not an S3 bucket URL bootstrap can create`, {
      value: t.backendUrl,
      hint: 'use s3://<bucket>[/prefix] with a valid bucket name (3-63 lower-case letters, digits, dots, dashes)',
    });
  }
  const params = new URLSearchParams(m[3]?.slice(1) ?? '');
  return { bucket: m[1]!, prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, ''), region: params.get('region') ?? t.region };
}

/** The key alias of an `awskms://alias/...` provider, or undefined for `passphrase`. */
export function keySpec(t: BootstrapTarget): KeySpec | undefined {
  if (t.secretsProvider === 'passphrase') return undefined;
  let u: URL;
  try {
    u = new URL(t.secretsProvider);
  } catch {
    u = new URL('invalid://');
  }
  const keyId = decodeURIComponent(`${u.host}${u.pathname}`);
  if (u.protocol !== 'awskms:' || !/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(keyId) || keyId.startsWith('alias/aws/')) {
    throw new PlatformError('config-invalid', `${t.file}: secrets.provider '${t.secretsProvider}' does not name a key alias bootstrap can create`, {
      value: t.secretsProvider,
      hint: 'use awskms://alias/<name>?region=<region> (a key id or ARN is used as it is, but bootstrap only creates keys named by alias)',
    });
  }
  return { alias: keyId, region: u.searchParams.get('region') ?? t.region };
}

/** The partition of a region (`aws`, `aws-cn`, `aws-us-gov`), for ARNs. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
