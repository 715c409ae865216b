/**
 * The restore drill's AWS side (restore-drill.ts `BackupPort`), over AWS Backup and EC2 (SDK v3):
 * - the source is the EBS volume behind the PostgreSQL primary's claim (phase 8's `volumes`
 *   selection backs it up: phase 2's storage classes tag every CSI volume backup=true);
 * - ListRecoveryPointsByBackupVault (ByResourceArn = the volume) in the primary vault, newest
 *   COMPLETED or AVAILABLE point (RecoveryPointStatus; CREATING, PARTIAL, EXPIRED... are skipped);
 * - GetRecoveryPointRestoreMetadata, then StartRestoreJob (ResourceType EBS) with that metadata, the
 *   source's zone (the scratch pod must run where the volume is), `encrypted: true`, and
 *   CopySourceTagsToRestoredResource false: the source's backup=true tag would put the scratch
 *   volume into the backup plan;
 * - DescribeRestoreJob until PENDING/RUNNING end; CreatedResourceArn is the new volume;
 * - clean-up: DeleteVolume once the volume is no longer attached (the scratch pod is gone first;
 *   detaching takes a while, so `in-use` is waited out to the clean-up deadline).
 */
import { BackupClient, DescribeRestoreJobCommand, GetRecoveryPointRestoreMetadataCommand, ListRecoveryPointsByBackupVaultCommand, StartRestoreJobCommand, type RecoveryPointByBackupVault } from '@aws-sdk/client-backup';
import { DeleteVolumeCommand, DescribeVolumesCommand, EC2Client, type Volume } from '@aws-sdk/client-ec2';
import type { Clock } from '../../src/core/ports.js';
import type { AwsProbe } from '../../src/gates/probes/aws.js';
import type { BackupPort, RecoveryPoint, RestoreJobReading, RestoreJobStatus } from './restore-drill.js';
import { vaultName } from '../08-resilience/names.js';

/** Recovery point states a restore can start from. */
const RESTORABLE = new Set(['COMPLETED', 'AVAILABLE']);
/** How often an attached volume is re-read before deleting it. */
const DETACH_POLL_MS = 10_000;

export interface AwsBackupPortOptions {
  aws: AwsProbe;
  clock: Clock;
  vaultArn: string;
  restoreRoleArn: string;
  /** The source volume (`vol-...`) and what it is (evidence). */
  volumeId: string;
  volumeLabel: string;
  /** A per-run token, so a retried StartRestoreJob does not start a second restore. */
  idempotencyToken: string;
}

/** `arn:aws:ec2:<region>:<account>:volume/vol-...` -> `vol-...`. */
export function volumeIdOf(arn: string): string {
  const m = /^arn:aws[\w-]*:ec2:[a-z0-9-]+:\d{12}:volume\/(vol-[0-9a-f]+)$/.exec(arn);
  if (!m) throw new Error(`'${arn}' is not an EBS volume ARN`);
  return m[1]!;
}

export function createAwsBackupPort(o: AwsBackupPortOptions): BackupPort {
  const backup = o.aws.client(BackupClient);
  const ec2 = o.aws.client(EC2Client);
  const [, partition, , region, account] = o.vaultArn.split(':');
  const volumeArn = `arn:${partition}:ec2:${region}:${account}:volume/${o.volumeId}`;
  const vault = vaultName(o.vaultArn);
  let source: Volume | undefined;
  const readVolume = async (id: string): Promise<Volume | undefined> => {
    try {
      return (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [id] }))).Volumes?.[0];
    } catch (e) {
      if ((e as { name?: string }).name === 'InvalidVolume.NotFound') return undefined;
      throw e;
    }
  };
  return {
    async describeSource() {
      source = await readVolume(o.volumeId);
      if (!source) throw new Error(`the source volume ${o.volumeId} (${o.volumeLabel}) does not exist`);
      return `EBS volume ${o.volumeId} (${o.volumeLabel}), ${source.Size} GiB ${source.VolumeType} in ${source.AvailabilityZone}`;
    },
    async latestRecoveryPoint() {
      const points: RecoveryPointByBackupVault[] = [];
      let token: string | undefined;
      do {
        const r = await backup.send(new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: vault, ByResourceArn: volumeArn, ...(token ? { NextToken: token } : {}) }));
        points.push(...(r.RecoveryPoints ?? []));
        token = r.NextToken;
      } while (token);
      const usable = points
        .filter((p) => p.RecoveryPointArn && p.CreationDate && RESTORABLE.has(p.Status ?? ''))
        .sort((a, b) => b.CreationDate!.getTime() - a.CreationDate!.getTime());
      const seen = `${points.length} recovery point(s) of ${volumeArn} in vault ${vault}${points.length ? ` (${[...new Set(points.map((p) => p.Status))].join(', ')})` : ''}`;
      const p = usable[0];
      if (!p) return { seen };
      return { seen, point: { arn: p.RecoveryPointArn!, createdAt: p.CreationDate!.getTime(), resourceArn: p.ResourceArn ?? volumeArn } };
    },
    async startRestore(point: RecoveryPoint) {
      const meta = await backup.send(new GetRecoveryPointRestoreMetadataCommand({ BackupVaultName: vault, RecoveryPointArn: point.arn }));
      const az = source?.AvailabilityZone;
      if (!az) throw new Error('the source volume was not read before the restore (describeSource first)');
      const r = await backup.send(
        new StartRestoreJobCommand({
          RecoveryPointArn: point.arn,
          IamRoleArn: o.restoreRoleArn,
          ResourceType: 'EBS',
          IdempotencyToken: o.idempotencyToken,
          CopySourceTagsToRestoredResource: false,
          Metadata: { ...(meta.RestoreMetadata ?? {}), availabilityZone: az, encrypted: 'true' },
        }),
      );
      if (!r.RestoreJobId) throw new Error('StartRestoreJob returned no RestoreJobId');
      return r.RestoreJobId;
    },
    async readRestore(jobId: string): Promise<RestoreJobReading> {
      const r = await backup.send(new DescribeRestoreJobCommand({ RestoreJobId: jobId }));
      return {
        status: (r.Status ?? 'PENDING') as RestoreJobStatus,
        ...(r.StatusMessage ? { message: r.StatusMessage } : {}),
        ...(r.CreatedResourceArn ? { createdResourceArn: r.CreatedResourceArn } : {}),
      };
    },
    async deleteRestored(resourceArn: string, signal: AbortSignal, deadline: number) {
      const id = volumeIdOf(resourceArn);
      if (id === o.volumeId) throw new Error(`refusing to delete ${id}: it is the source volume`);
      for (;;) {
        const v = await readVolume(id);
        if (!v || v.State === 'deleted' || v.State === 'deleting') return `EBS volume ${id} already gone`;
        if (v.State !== 'in-use') break;
        if (o.clock.now() >= deadline) throw new Error(`EBS volume ${id} still attached to ${(v.Attachments ?? []).map((a) => a.InstanceId).join(', ')}`);
        await o.clock.sleep(Math.min(DETACH_POLL_MS, deadline - o.clock.now()), signal);
      }
      await ec2.send(new DeleteVolumeCommand({ VolumeId: id }));
      return `deleted the restored EBS volume ${id}`;
    },
    manualDelete(resourceArn: string) {
      return `aws ec2 delete-volume --region ${region} --volume-id ${resourceArn.split('/').pop()}`;
    },
  };
}
