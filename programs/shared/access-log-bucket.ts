/**
 * The S3 server access-log bucket of one phase and account. S3 delivers access logs only to a bucket
 * in the same account and region as the source, and the delivery cannot use a customer KMS key:
 * default encryption of a log destination must be SSE-S3 (AES256). So this bucket is the one platform
 * bucket without SSE-KMS; it carries the `platform:role = s3-access-logs` tag that the
 * `s3-encryption-kms` check recognises (together with being a BucketLogging target) as the only
 * exemption. Everything else matches SecureBucket: versioning, all public-access blocks,
 * BucketOwnerEnforced, TLS-only. With ACLs disabled, delivery is granted by bucket policy to
 * `logging.s3.amazonaws.com`, limited to the listed source buckets (aws:SourceArn), this account
 * (aws:SourceAccount) and each source's own prefix. The bucket does not log itself (that loops).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { PlatformError } from '../../src/core/errors.js';
import { ACCESS_LOG_BUCKET_TAG } from '../../src/core/platform-names.js';
import type { PolicyStatement } from './iam-docs.js';
import { bucketBaseline, type AccessLogDestination } from './secure-bucket.js';

/** How long access logs are kept (current versions; noncurrent ones go after 30 days). */
export const ACCESS_LOG_RETENTION_DAYS = 365;

export interface AccessLogBucketArgs {
  /** The full bucket name (see naming.ts `bucketName`). */
  bucketName: string;
  /** The account that owns this bucket and every source bucket. */
  accountId: string;
  /** Names of the buckets allowed to deliver logs here (each under `<name>/`). */
  sourceBucketNames: readonly string[];
  /** Expire log objects after this many days. */
  retentionDays: number;
  tags: Record<string, string>;
  /** Keep the bucket on `pulumi destroy`. */
  retainOnDelete?: boolean;
}

/** The `logging.s3.amazonaws.com` grant: PutObject under each source's prefix, from those sources only. */
export function logDeliveryStatement(bucketArn: pulumi.Input<string>, accountId: string, sources: readonly string[]): PolicyStatement {
  return {
    Sid: 'S3ServerAccessLogsDelivery',
    Effect: 'Allow',
    Principal: { Service: 'logging.s3.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: sources.map((s) => pulumi.interpolate`${bucketArn}/${s}/*`),
    Condition: {
      ArnLike: { 'aws:SourceArn': sources.map((s) => `arn:aws:s3:::${s}`) },
      StringEquals: { 'aws:SourceAccount': accountId },
    },
  };
}

function validate(a: AccessLogBucketArgs): void {
  const fail = (message: string, value: string, hint: string): never => {
    throw new PlatformError('config-invalid', message, { value, hint });
  };
  if (a.sourceBucketNames.length === 0) fail(`access-log bucket '${a.bucketName}' has no source buckets`, a.bucketName, 'list the buckets that log here in sourceBucketNames');
  const seen = new Set<string>();
  for (const s of a.sourceBucketNames) {
    if (s === a.bucketName) fail(`access-log bucket '${a.bucketName}' lists itself as a source`, s, 'a log bucket that logs to itself loops; remove it from sourceBucketNames');
    if (seen.has(s)) fail(`access-log bucket '${a.bucketName}' lists source '${s}' twice`, s, 'list each source bucket once');
    seen.add(s);
  }
  if (!Number.isInteger(a.retentionDays) || a.retentionDays < 1) {
    fail(`access-log retention ${a.retentionDays} is not a positive whole number of days`, String(a.retentionDays), 'set retentionDays to 1 or more (365 keeps a year)');
  }
}

/** A dedicated, SSE-S3 encrypted bucket that receives S3 server access logs of named buckets. */
export class AccessLogBucket extends pulumi.ComponentResource implements AccessLogDestination {
  readonly bucket: aws.s3.Bucket;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly policy: aws.s3.BucketPolicy;
  private readonly sources: ReadonlySet<string>;
  private readonly bucketName: string;

  constructor(name: string, args: AccessLogBucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
    validate(args); // before registering anything
    super('platform:storage:AccessLogBucket', name, {}, opts);
    this.sources = new Set(args.sourceBucketNames);
    this.bucketName = args.bucketName;
    this.bucket = new aws.s3.Bucket(
      name,
      { bucket: args.bucketName, tags: { ...args.tags, [ACCESS_LOG_BUCKET_TAG.key]: ACCESS_LOG_BUCKET_TAG.value } },
      { parent: this, retainOnDelete: args.retainOnDelete },
    );
    this.name = this.bucket.id;
    this.arn = this.bucket.arn;
    this.policy = bucketBaseline(
      name,
      this.bucket,
      {
        // S3 server access logging cannot deliver to a bucket whose default encryption is SSE-KMS.
        encryption: { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
        policyStatements: [logDeliveryStatement(this.bucket.arn, args.accountId, args.sourceBucketNames)],
        expirationDays: args.retentionDays,
        noncurrentVersionExpirationDays: 30,
      },
      this,
    );
    this.registerOutputs({ name: this.name, arn: this.arn });
  }

  /** `<source>/`, for a source this bucket's policy admits; throws for any other. */
  prefixFor(sourceBucketName: string): string {
    if (!this.sources.has(sourceBucketName)) {
      throw new PlatformError('config-invalid', `bucket '${sourceBucketName}' may not deliver access logs to '${this.bucketName}'`, {
        value: sourceBucketName,
        hint: `add '${sourceBucketName}' to the sourceBucketNames of the access-log bucket, so its policy grants logging.s3.amazonaws.com for it`,
      });
    }
    return `${sourceBucketName}/`;
  }
}
