/**
 * Storage and DR baseline of the primary region: Loki chunk and ruler buckets (never Loki's default
 * names), an artifacts bucket, the primary backup vault, and the KMS-encrypted SNS topic for alerts.
 * Every bucket is a SecureBucket (SSE-KMS, versioning, public access blocked, owner enforced, TLS only).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { bucketName } from '../shared/naming.js';
import { SecureBucket } from '../shared/secure-bucket.js';

export interface StorageArgs {
  envName: string;
  accountId: string;
  s3KeyArn: pulumi.Input<string>;
  backupKeyArn: pulumi.Input<string>;
  logsKeyArn: pulumi.Input<string>;
  tags: Record<string, string>;
}

/** Buckets, backup vault and alerts topic. */
export class PlatformStorage extends pulumi.ComponentResource {
  readonly lokiChunks: SecureBucket;
  readonly lokiRuler: SecureBucket;
  readonly artifacts: SecureBucket;
  readonly backupVaultArn: pulumi.Output<string>;
  readonly alertsTopicArn: pulumi.Output<string>;

  constructor(name: string, a: StorageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:storage:PlatformStorage', name, {}, opts);
    const child = { parent: this };
    const bucket = (key: string, parts: string[], noncurrentDays: number) =>
      new SecureBucket(key, { bucketName: bucketName(parts, a.accountId), kmsKeyArn: a.s3KeyArn, tags: a.tags, noncurrentVersionExpirationDays: noncurrentDays }, child);
    this.lokiChunks = bucket('loki-chunks', ['loki-chunks', a.envName], 7);
    this.lokiRuler = bucket('loki-ruler', ['loki-ruler', a.envName], 30);
    this.artifacts = bucket('artifacts', ['platform-artifacts', a.envName], 90);
    const vault = new aws.backup.Vault('backup-vault', { name: `platform-${a.envName}`, kmsKeyArn: a.backupKeyArn, tags: a.tags }, child);
    this.backupVaultArn = vault.arn;
    const topic = new aws.sns.Topic('alerts', { name: `platform-alerts-${a.envName}`, kmsMasterKeyId: a.logsKeyArn, tags: a.tags }, child);
    this.alertsTopicArn = topic.arn;
    this.registerOutputs({ backupVaultArn: this.backupVaultArn, alertsTopicArn: this.alertsTopicArn });
  }
}
