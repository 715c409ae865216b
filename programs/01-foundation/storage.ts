/**
 * Storage and DR baseline of the primary region: Loki chunk and ruler buckets (never Loki's default
 * names), an artifacts bucket, the data-backup bucket (phase 4's database dumps), the primary backup vault, and the KMS-encrypted SNS topic for alerts.
 * Every bucket is a SecureBucket (SSE-KMS, versioning, public access blocked, owner enforced, TLS only)
 * that logs access to the phase's access-log bucket.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { bucketName } from '../shared/naming.js';
import { SecureBucket, type AccessLogDestination } from '../shared/secure-bucket.js';

export interface StorageArgs {
  envName: string;
  accountId: string;
  s3KeyArn: pulumi.Input<string>;
  backupKeyArn: pulumi.Input<string>;
  logsKeyArn: pulumi.Input<string>;
  /** Where every bucket's server access logs go. */
  accessLogs: AccessLogDestination;
  tags: Record<string, string>;
}

/** Names of the storage buckets, known before any exists (the access-log bucket admits exactly these). */
export function storageBucketNames(envName: string, accountId: string): { lokiChunks: string; lokiRuler: string; artifacts: string; dataBackups: string } {
  return {
    lokiChunks: bucketName(['loki-chunks', envName], accountId),
    lokiRuler: bucketName(['loki-ruler', envName], accountId),
    artifacts: bucketName(['platform-artifacts', envName], accountId),
    dataBackups: bucketName(['data-backups', envName], accountId),
  };
}

/** Buckets, backup vault and alerts topic. */
export class PlatformStorage extends pulumi.ComponentResource {
  readonly lokiChunks: SecureBucket;
  readonly lokiRuler: SecureBucket;
  readonly artifacts: SecureBucket;
  /** Phase 4's logical database backups (PostgreSQL dumps). */
  readonly dataBackups: SecureBucket;
  readonly backupVaultArn: pulumi.Output<string>;
  readonly alertsTopicArn: pulumi.Output<string>;

  constructor(name: string, a: StorageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:storage:PlatformStorage', name, {}, opts);
    const child = { parent: this };
    const names = storageBucketNames(a.envName, a.accountId);
    const bucket = (key: string, name: string, noncurrentDays: number) =>
      new SecureBucket(key, { bucketName: name, kmsKeyArn: a.s3KeyArn, tags: a.tags, noncurrentVersionExpirationDays: noncurrentDays, accessLogs: a.accessLogs }, child);
    this.lokiChunks = bucket('loki-chunks', names.lokiChunks, 7);
    this.lokiRuler = bucket('loki-ruler', names.lokiRuler, 30);
    this.artifacts = bucket('artifacts', names.artifacts, 90);
    this.dataBackups = bucket('data-backups', names.dataBackups, 30);
    const vault = new aws.backup.Vault('backup-vault', { name: `platform-${a.envName}`, kmsKeyArn: a.backupKeyArn, tags: a.tags }, child);
    this.backupVaultArn = vault.arn;
    const topic = new aws.sns.Topic('alerts', { name: `platform-alerts-${a.envName}`, kmsMasterKeyId: a.logsKeyArn, tags: a.tags }, child);
    this.alertsTopicArn = topic.arn;
    this.registerOutputs({ backupVaultArn: this.backupVaultArn, alertsTopicArn: this.alertsTopicArn });
  }
}
