/**
 * A private S3 bucket with the platform's baseline: SSE-KMS with a bucket key, versioning, all four
 * public-access blocks, BucketOwnerEnforced ownership, a TLS-only bucket policy (plus any service
 * statements the caller adds) and optional expiry of noncurrent versions. AWS provider v7 names.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { doc, policyJson, s3TlsOnlyStatement, type PolicyStatement } from './iam-docs.js';

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
}

/** A private, encrypted, versioned S3 bucket. */
export class SecureBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  /** The bucket's name (its id). */
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** Resolves once the bucket policy is in place. */
  readonly policy: aws.s3.BucketPolicy;

  constructor(name: string, args: SecureBucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:storage:SecureBucket', name, {}, opts);
    const child = { parent: this };
    this.bucket = new aws.s3.Bucket(
      name,
      { bucket: args.bucketName, tags: args.tags },
      { ...child, retainOnDelete: args.retainOnDelete },
    );
    this.name = this.bucket.id;
    this.arn = this.bucket.arn;

    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-sse`,
      {
        bucket: this.bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: args.kmsKeyArn },
            bucketKeyEnabled: true,
          },
        ],
      },
      child,
    );
    new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } },
      child,
    );
    const pab = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: this.bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
      child,
    );
    if (args.noncurrentVersionExpirationDays !== undefined) {
      new aws.s3.BucketLifecycleConfiguration(
        `${name}-lifecycle`,
        {
          bucket: this.bucket.id,
          rules: [
            {
              id: 'expire-noncurrent-versions',
              status: 'Enabled',
              filter: {},
              noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionExpirationDays },
              abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
          ],
        },
        child,
      );
    }
    const statements = [s3TlsOnlyStatement(this.bucket.arn), ...(args.policyStatements?.(this.bucket.arn) ?? [])];
    this.policy = new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket: this.bucket.id, policy: policyJson(doc(...statements)) },
      { ...child, dependsOn: [pab] },
    );
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
