/**
 * A private S3 bucket with the platform's baseline: SSE-KMS with a bucket key, versioning, all four
 * public-access blocks, BucketOwnerEnforced ownership, a TLS-only bucket policy (plus any service
 * statements the caller adds), optional expiry of noncurrent versions, and optional S3 server access
 * logging to the phase's access-log bucket (access-log-bucket.ts). AWS provider v7 names.
 *
 * `bucketBaseline` holds the companions every platform bucket shares, so the access-log bucket (which
 * must use SSE-S3) gets exactly the same versioning, blocks, ownership and TLS-only policy.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { doc, policyJson, s3TlsOnlyStatement, type PolicyStatement } from './iam-docs.js';

/** Where a bucket delivers its S3 server access logs (implemented by `AccessLogBucket`). */
export interface AccessLogDestination {
  /** The log bucket's name: the BucketLogging `targetBucket`. */
  readonly name: pulumi.Output<string>;
  /** The log-delivery grant; BucketLogging waits for it so the first logs are not refused. */
  readonly policy: aws.s3.BucketPolicy;
  /**
   * The key prefix for logs of `sourceBucketName`. Throws (PlatformError) when the destination's
   * bucket policy does not admit that source, so a bucket can never log into a denied destination.
   */
  prefixFor(sourceBucketName: string): string;
}

export interface SecureBucketArgs {
  /** The full bucket name (see naming.ts `bucketName`). */
  bucketName: string;
  /** Customer-managed KMS key for SSE-KMS. */
  kmsKeyArn: pulumi.Input<string>;
  tags: Record<string, string>;
  /** Extra bucket-policy statements (service access), given the bucket ARN. */
  policyStatements?: (bucketArn: pulumi.Output<string>) => PolicyStatement[];
  /** Expire noncurrent object versions after this many days. */
  noncurrentVersionExpirationDays?: number;
  /** Keep the bucket on `pulumi destroy` (state buckets, audit logs). */
  retainOnDelete?: boolean;
  /** Deliver S3 server access logs here (same account and region), under `<bucketName>/`. */
  accessLogs?: AccessLogDestination;
}

/** What `bucketBaseline` adds to a bucket. */
export interface BucketBaselineArgs {
  /** The default encryption rule (SSE-KMS for data buckets; SSE-S3 only for access-log buckets). */
  encryption: aws.types.input.s3.BucketServerSideEncryptionConfigurationRule;
  /** Bucket-policy statements besides the TLS-only deny. */
  policyStatements: PolicyStatement[];
  noncurrentVersionExpirationDays?: number;
  /** Expire current objects after this many days (log buckets). */
  expirationDays?: number;
}

/**
 * The companions every platform bucket carries: default encryption, versioning, all four public
 * access blocks, BucketOwnerEnforced, an optional lifecycle, and a bucket policy that denies plain
 * HTTP. Returns the bucket policy (created after the public access block).
 */
export function bucketBaseline(name: string, bucket: aws.s3.Bucket, args: BucketBaselineArgs, parent: pulumi.Resource): aws.s3.BucketPolicy {
  const child = { parent };
  new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-sse`, { bucket: bucket.id, rules: [args.encryption] }, child);
  new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } }, child);
  const pab = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    child,
  );
  new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } }, child);
  if (args.noncurrentVersionExpirationDays !== undefined || args.expirationDays !== undefined) {
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: args.expirationDays !== undefined ? 'expire-objects' : 'expire-noncurrent-versions',
            status: 'Enabled',
            filter: {},
            ...(args.expirationDays !== undefined ? { expiration: { days: args.expirationDays } } : {}),
            ...(args.noncurrentVersionExpirationDays !== undefined
              ? { noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionExpirationDays } }
              : {}),
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      child,
    );
  }
  return new aws.s3.BucketPolicy(
    `${name}-policy`,
    { bucket: bucket.id, policy: policyJson(doc(s3TlsOnlyStatement(bucket.arn), ...args.policyStatements)) },
    { ...child, dependsOn: [pab] },
  );
}

/** A private, encrypted, versioned S3 bucket that logs its access when given a destination. */
export class SecureBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  /** The bucket's name (its id). */
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** Resolves once the bucket policy is in place. */
  readonly policy: aws.s3.BucketPolicy;
  /** The server access logging configuration, when `accessLogs` was given. */
  readonly logging?: aws.s3.BucketLogging;

  constructor(name: string, args: SecureBucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Validate before registering anything: a source the destination does not admit throws here.
    const logPrefix = args.accessLogs?.prefixFor(args.bucketName);
    super('platform:storage:SecureBucket', name, {}, opts);
    const child = { parent: this };
    this.bucket = new aws.s3.Bucket(name, { bucket: args.bucketName, tags: args.tags }, { ...child, retainOnDelete: args.retainOnDelete });
    this.name = this.bucket.id;
    this.arn = this.bucket.arn;
    this.policy = bucketBaseline(
      name,
      this.bucket,
      {
        encryption: { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true },
        policyStatements: args.policyStatements?.(this.bucket.arn) ?? [],
        ...(args.noncurrentVersionExpirationDays !== undefined ? { noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays } : {}),
      },
      this,
    );
    if (args.accessLogs && logPrefix !== undefined) {
      this.logging = new aws.s3.BucketLogging(
        `${name}-access-logging`,
        {
          bucket: this.bucket.id,
          targetBucket: args.accessLogs.name,
          targetPrefix: logPrefix,
          // <prefix><account>/<region>/<bucket>/YYYY/MM/DD/...: partitions Athena can prune.
          targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: 'EventTime' } },
        },
        { ...child, dependsOn: [args.accessLogs.policy] },
      );
    }
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
