/**
 * The team state backend in the management account: a private, versioned, SSE-KMS bucket for
 * Pulumi state (`s3://<bucket>`) and a separate rotating KMS key for the `awskms://` secrets
 * provider. Both outlive the stack (retainOnDelete / protect): losing them loses every stack.
 * The state bucket's S3 server access logs go to a dedicated access-log bucket in the same account
 * and region (SSE-S3, as log delivery requires; see shared/access-log-bucket.ts), kept as well.
 */
import * as pulumi from '@pulumi/pulumi';
import { ACCESS_LOG_RETENTION_DAYS, AccessLogBucket } from '../shared/access-log-bucket.js';
import { KmsKey } from '../shared/kms-key.js';
import { bucketName, slug } from '../shared/naming.js';
import { SecureBucket } from '../shared/secure-bucket.js';

export interface StateBackendArgs {
  organizationName: string;
  managementAccountId: string;
  tags: Record<string, string>;
}

/** State bucket plus secrets key. */
export class StateBackend extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  /** The bucket that receives the state bucket's server access logs. */
  readonly accessLogBucketName: pulumi.Output<string>;
  readonly secretsKeyArn: pulumi.Output<string>;
  readonly secretsKeyAlias: pulumi.Output<string>;

  constructor(name: string, args: StateBackendArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:organization:StateBackend', name, {}, opts);
    const stateKey = new KmsKey(
      'state-key',
      {
        description: 'Encrypts the Pulumi state bucket',
        alias: 'platform-state',
        accountId: args.managementAccountId,
        tags: args.tags,
      },
      { parent: this, protect: true },
    );
    const secretsKey = new KmsKey(
      'secrets-key',
      {
        description: 'Pulumi awskms:// secrets provider for every platform stack',
        alias: 'platform-secrets',
        accountId: args.managementAccountId,
        tags: args.tags,
      },
      { parent: this, protect: true },
    );
    const stateBucketName = bucketName([slug(args.organizationName), 'pulumi-state'], args.managementAccountId);
    const accessLogs = new AccessLogBucket(
      'state-access-logs',
      {
        bucketName: bucketName([slug(args.organizationName), 'state-access-logs'], args.managementAccountId),
        accountId: args.managementAccountId,
        sourceBucketNames: [stateBucketName],
        retentionDays: ACCESS_LOG_RETENTION_DAYS,
        tags: args.tags,
        retainOnDelete: true,
      },
      { parent: this },
    );
    const bucket = new SecureBucket(
      'state-bucket',
      {
        bucketName: stateBucketName,
        kmsKeyArn: stateKey.arn,
        tags: args.tags,
        noncurrentVersionExpirationDays: 90,
        retainOnDelete: true,
        accessLogs,
      },
      { parent: this },
    );
    this.bucketName = bucket.name;
    this.accessLogBucketName = accessLogs.name;
    this.secretsKeyArn = secretsKey.arn;
    this.secretsKeyAlias = secretsKey.aliasName;
    this.registerOutputs({ bucketName: this.bucketName, secretsKeyArn: this.secretsKeyArn });
  }
}
