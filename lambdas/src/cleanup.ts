/**
 * Cleanup job (EventBridge Scheduler, daily). Every task is scoped by tag or prefix and has a
 * minimum age; `{"dryRun": true}` reports what it would delete and deletes nothing.
 * - volumes: unattached (`available`) EBS volumes the EBS CSI driver created for a PVC (tag key
 *   `kubernetes.io/created-for/pvc/name`), older than `VOLUME_MIN_AGE_DAYS`, not tagged
 *   `platform:keep=true`: a final snapshot (tagged `platform:final-snapshot-of`, `platform:env`)
 *   is taken, then the volume is deleted.
 * - snapshots: snapshots of this account tagged `platform:env=<env>` (the forensic and final
 *   snapshots this phase takes) older than `SNAPSHOT_RETENTION_DAYS`; never one that AWS Backup or
 *   Data Lifecycle Manager manages (their own retention rules own those), never `platform:keep=true`.
 * - images: untagged ECR images older than `ECR_UNTAGGED_MIN_AGE_DAYS` in repositories that have
 *   no lifecycle policy (a repository with one is ECR's to expire).
 * - gate probes: object versions under `GATE_PROBE_PREFIX` in `GATE_PROBE_BUCKETS` older than
 *   `GATE_PROBE_MAX_AGE_HOURS` (test objects a gate wrote and could not remove).
 * Idempotent by state: a second run finds nothing left to delete, so it changes nothing.
 */
import {
  CreateSnapshotCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { BatchDeleteImageCommand, DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, GetLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { listEnv, numberEnv, requireEnv } from './shared/env.js';
import { createLogger, type Logger } from './shared/log.js';

const DAY = 86_400_000;
export const PVC_TAG = 'kubernetes.io/created-for/pvc/name';
export const KEEP_TAG = 'platform:keep';
export const FINAL_SNAPSHOT_TAG = 'platform:final-snapshot-of';
const MANAGED_SNAPSHOT_TAGS = ['aws:backup:source-resource', 'aws:dlm:lifecycle-policy-id'];

export interface CleanupConfig {
  envName: string;
  volumeMinAgeDays: number;
  snapshotRetentionDays: number;
  ecrUntaggedMinAgeDays: number;
  gateProbeBuckets: string[];
  gateProbePrefix: string;
  gateProbeMaxAgeHours: number;
}

export interface CleanupDeps {
  ec2: EC2Client;
  ecr: ECRClient;
  s3: S3Client;
  log: Logger;
  config: CleanupConfig;
  now?: () => number;
}

export interface CleanupReport {
  dryRun: boolean;
  volumes: { volumeId: string; finalSnapshotId?: string }[];
  snapshots: string[];
  images: { repository: string; digest: string }[];
  gateProbes: { bucket: string; key: string; versionId?: string }[];
}

const tagsOf = (tags: { Key?: string; Value?: string }[] | undefined) => Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value]));

async function volumes(d: CleanupDeps, dryRun: boolean, now: number, r: CleanupReport) {
  const cutoff = now - d.config.volumeMinAgeDays * DAY;
  let token: string | undefined;
  do {
    const page = await d.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'status', Values: ['available'] }, { Name: 'tag-key', Values: [PVC_TAG] }], NextToken: token }));
    for (const v of page.Volumes ?? []) {
      const tags = tagsOf(v.Tags);
      if (tags[KEEP_TAG] === 'true' || !v.CreateTime || v.CreateTime.getTime() > cutoff) continue;
      if (dryRun) {
        r.volumes.push({ volumeId: v.VolumeId! });
        continue;
      }
      const snap = await d.ec2.send(
        new CreateSnapshotCommand({
          VolumeId: v.VolumeId,
          Description: `final snapshot of unattached volume ${v.VolumeId} (PVC ${tags[PVC_TAG]}) before cleanup`,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: FINAL_SNAPSHOT_TAG, Value: v.VolumeId! }, { Key: 'platform:env', Value: d.config.envName }] }],
        }),
      );
      await d.ec2.send(new DeleteVolumeCommand({ VolumeId: v.VolumeId }));
      d.log.info('unattached volume deleted', { volumeId: v.VolumeId, finalSnapshotId: snap.SnapshotId, pvc: tags[PVC_TAG] });
      r.volumes.push({ volumeId: v.VolumeId!, finalSnapshotId: snap.SnapshotId });
    }
    token = page.NextToken;
  } while (token);
}

async function snapshots(d: CleanupDeps, dryRun: boolean, now: number, r: CleanupReport) {
  const cutoff = now - d.config.snapshotRetentionDays * DAY;
  let token: string | undefined;
  do {
    const page = await d.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'tag:platform:env', Values: [d.config.envName] }], NextToken: token }));
    for (const s of page.Snapshots ?? []) {
      const tags = tagsOf(s.Tags);
      if (tags[KEEP_TAG] === 'true' || MANAGED_SNAPSHOT_TAGS.some((k) => k in tags)) continue;
      if (!s.StartTime || s.StartTime.getTime() > cutoff) continue;
      if (!dryRun) {
        await d.ec2.send(new DeleteSnapshotCommand({ SnapshotId: s.SnapshotId }));
        d.log.info('snapshot past retention deleted', { snapshotId: s.SnapshotId, startTime: s.StartTime.toISOString() });
      }
      r.snapshots.push(s.SnapshotId!);
    }
    token = page.NextToken;
  } while (token);
}

async function images(d: CleanupDeps, dryRun: boolean, now: number, r: CleanupReport) {
  const cutoff = now - d.config.ecrUntaggedMinAgeDays * DAY;
  let token: string | undefined;
  do {
    const page = await d.ecr.send(new DescribeRepositoriesCommand({ nextToken: token }));
    for (const repo of page.repositories ?? []) {
      const name = repo.repositoryName!;
      const hasPolicy = await d.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name })).then(
        () => true,
        (e) => {
          if (e?.name === 'LifecyclePolicyNotFoundException') return false;
          throw e;
        },
      );
      if (hasPolicy) continue;
      const stale: string[] = [];
      let itoken: string | undefined;
      do {
        const imgs = await d.ecr.send(new DescribeImagesCommand({ repositoryName: name, filter: { tagStatus: 'UNTAGGED' }, nextToken: itoken }));
        for (const i of imgs.imageDetails ?? []) if (i.imagePushedAt && i.imagePushedAt.getTime() <= cutoff && !(i.imageTags?.length)) stale.push(i.imageDigest!);
        itoken = imgs.nextToken;
      } while (itoken);
      for (let k = 0; k < stale.length; k += 100) {
        const batch = stale.slice(k, k + 100);
        if (!dryRun) await d.ecr.send(new BatchDeleteImageCommand({ repositoryName: name, imageIds: batch.map((imageDigest) => ({ imageDigest })) }));
      }
      if (stale.length && !dryRun) d.log.info('untagged images deleted', { repository: name, count: stale.length });
      r.images.push(...stale.map((digest) => ({ repository: name, digest })));
    }
    token = page.nextToken;
  } while (token);
}

async function gateProbes(d: CleanupDeps, dryRun: boolean, now: number, r: CleanupReport) {
  const cutoff = now - d.config.gateProbeMaxAgeHours * 3_600_000;
  for (const bucket of d.config.gateProbeBuckets) {
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await d.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: d.config.gateProbePrefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
      const old = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].filter((v) => v.LastModified && v.LastModified.getTime() <= cutoff);
      if (old.length && !dryRun) {
        await d.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: old.map((v) => ({ Key: v.Key!, VersionId: v.VersionId })), Quiet: true } }));
        d.log.info('expired gate probe objects deleted', { bucket, count: old.length });
      }
      r.gateProbes.push(...old.map((v) => ({ bucket, key: v.Key!, versionId: v.VersionId })));
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
  }
}

export function createCleanup(d: CleanupDeps) {
  return async function handler(event: { dryRun?: unknown } | null | undefined): Promise<CleanupReport> {
    const raw = event?.dryRun;
    if (raw !== undefined && typeof raw !== 'boolean') throw new Error(`cleanup: dryRun must be true or false, got ${JSON.stringify(raw)}`);
    const dryRun = raw === true;
    const now = (d.now ?? Date.now)();
    const r: CleanupReport = { dryRun, volumes: [], snapshots: [], images: [], gateProbes: [] };
    await volumes(d, dryRun, now, r);
    await snapshots(d, dryRun, now, r);
    await images(d, dryRun, now, r);
    await gateProbes(d, dryRun, now, r);
    d.log.info('cleanup finished', { dryRun, volumes: r.volumes.length, snapshots: r.snapshots.length, images: r.images.length, gateProbes: r.gateProbes.length });
    return r;
  };
}

export async function handler(event: { dryRun?: unknown }) {
  const env = process.env;
  return createCleanup({
    ec2: new EC2Client({}),
    ecr: new ECRClient({}),
    s3: new S3Client({}),
    log: createLogger('cleanup', { env: env.PLATFORM_ENV }),
    config: {
      envName: requireEnv(env, 'PLATFORM_ENV'),
      volumeMinAgeDays: numberEnv(env, 'VOLUME_MIN_AGE_DAYS', 7),
      snapshotRetentionDays: numberEnv(env, 'SNAPSHOT_RETENTION_DAYS', 30),
      ecrUntaggedMinAgeDays: numberEnv(env, 'ECR_UNTAGGED_MIN_AGE_DAYS', 14),
      gateProbeBuckets: listEnv(env, 'GATE_PROBE_BUCKETS'),
      gateProbePrefix: env.GATE_PROBE_PREFIX || 'platform-gate-probes/',
      gateProbeMaxAgeHours: numberEnv(env, 'GATE_PROBE_MAX_AGE_HOURS', 24),
    },
  })(event);
}
