/**
 * The team state backend in the management account: a private, versioned, SSE-KMS bucket for
 * Pulumi state (`s3://<bucket>`) and a separate rotating KMS key for the `awskms://` secrets
 * provider. Both outlive the stack (retainOnDelete / protect): losing them loses every stack.
 */
import * as pulumi from '@pulumi/pulumi';
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
    const bucket = new SecureBucket(
      'state-bucket',
      {
        bucketName: bucketName([slug(args.organizationName), 'pulumi-state'], args.managementAccountId),
        kmsKeyArn: stateKey.arn,
        tags: args.tags,
        noncurrentVersionExpirationDays: 90,
        retainOnDelete: true,
      },
      { parent: this },
    );
    this.bucketName = bucket.name;
    this.secretsKeyArn = secretsKey.arn;
    this.secretsKeyAlias = secretsKey.aliasName;
    this.registerOutputs({ bucketName: this.bucketName, secretsKeyArn: this.secretsKeyArn });
  }
}
