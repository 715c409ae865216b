/**
 * Names and tags that phase programs, static checks and the CLI all rely on, in one pure module
 * (each side imports it; none reaches into another's internals):
 * - the IAM roles phase 0 creates in every member account and the CLI and later phases assume;
 * - the tag that marks a bucket as an S3 server access-log destination, which the programs set and
 *   the s3 access-logging check reads.
 */

/** The role the CLI assumes in an env's account to deploy (created by phase 0). */
export const DEPLOYER_ROLE_NAME = 'platform-deployer';
/** The read-only role gates and `verify` use in an env's account (created by phase 0). */
export const VERIFIER_ROLE_NAME = 'platform-verifier';

/** The deployer role's ARN in `accountId`. */
export function deployerRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/${DEPLOYER_ROLE_NAME}`;
}

/** The tag that marks a bucket as an S3 server access-log destination. */
export const ACCESS_LOG_BUCKET_TAG = { key: 'platform:role', value: 's3-access-logs' } as const;
