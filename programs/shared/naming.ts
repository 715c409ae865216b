/**
 * Names of AWS resources. Pure helpers that build names from the env and fail early (with the
 * offending value) when AWS would reject them, instead of letting a deployment fail half-way.
 */
import { PlatformError } from '../../src/core/errors.js';

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `<prefix>-<env>` style names for resources whose names are account-scoped. */
export function envName(envName: string, ...parts: string[]): string {
  return [...parts, envName].join('-');
}

/**
 * An S3 bucket name: globally unique, so it carries the account id. Validates the S3 rules (3-63
 * lower-case letters, digits, dots and dashes; no leading/trailing dash).
 */
export function bucketName(parts: readonly string[], accountId: string): string {
  const name = [...parts, accountId].join('-').toLowerCase();
  if (!BUCKET_RE.test(name) || name.includes('..')) {
    throw new PlatformError('config-invalid', `bucket name '${name}' is not a valid S3 bucket name`, {
      value: name,
      hint: 'bucket names are 3-63 characters of a-z, 0-9, dots and dashes; shorten the env or organization name',
    });
  }
  return name;
}

/** IAM role and policy names are at most 64 characters of [\w+=,.@-]. */
export function iamName(name: string): string {
  if (!/^[\w+=,.@-]{1,64}$/.test(name)) {
    throw new PlatformError('config-invalid', `IAM name '${name}' is not valid`, {
      value: name,
      hint: 'IAM names are 1-64 characters of letters, digits and +=,.@_-; shorten the cluster or env name',
    });
  }
  return name;
}

/** Lower-case, dash-separated form of a display name ("Acme Corp" -> "acme-corp"). */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
