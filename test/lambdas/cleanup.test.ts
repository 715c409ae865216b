/**
 * The cleanup job on moto (EC2, ECR, S3) with a clock moved forward: only what matches the tag or
 * prefix and is old enough goes; a dry run reports the same set and deletes nothing; the second run
 * finds nothing (the replayed schedule changes nothing); a volume gets a final snapshot first;
 * snapshots AWS Backup manages, `platform:keep`, another env's, attached volumes, repositories with
 * a lifecycle policy and objects outside the probe prefix are never touched.
 */
import { strict as assert } from 'node:assert';
import {
  AttachVolumeCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { motoConfig, startMoto, type Moto } from '../gates/moto.js';
import { createCleanup, FINAL_SNAPSHOT_TAG, KEEP_TAG, PVC_TAG, type CleanupConfig } from '../../lambdas/src/cleanup.js';
import { buildWorld, memoryLog, REGION, type World } from './world.js';

const DAY = 86_400_000;
const config: CleanupConfig = {
  envName: 'dev',
  volumeMinAgeDays: 7,
  snapshotRetentionDays: 30,
  ecrUntaggedMinAgeDays: 14,
  gateProbeBuckets: ['platform-dev-gate-probes'],
  gateProbePrefix: 'platform-gate-probes/',
  gateProbeMaxAgeHours: 24,
};

const manifest = (c: string) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: `sha256:${c.repeat(64)}` },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 32654, digest: `sha256:${c.repeat(64)}` }],
  });

async function volume(ec2: EC2Client, tags: Record<string, string>): Promise<string> {
  const TagSpecifications = Object.keys(tags).length ? [{ ResourceType: 'volume' as const, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] : undefined;
  return (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 10, VolumeType: 'gp3', Encrypted: true, TagSpecifications }))).VolumeId!;
}
async function snapshot(ec2: EC2Client, vol: string, tags: Record<string, string>): Promise<string> {
  return (await ec2.send(new CreateSnapshotCommand({ VolumeId: vol, TagSpecifications: [{ ResourceType: 'snapshot', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] }))).SnapshotId!;
}

describe('lambda cleanup (moto)', function () {
  this.timeout(120_000);
  let moto: Moto;
  let w: World;
  let ecr: ECRClient;
  let s3: S3Client;
  before(async () => {
    moto = await startMoto();
  });
  after(() => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    w = await buildWorld(moto);
    ecr = new ECRClient(motoConfig(moto, REGION));
    s3 = new S3Client(motoConfig(moto, REGION));
  });

  it('deletes only tagged, old, unattached things; dry run first; the second run changes nothing', async () => {
    const ec2 = w.ec2;
    const orphan = await volume(ec2, { [PVC_TAG]: 'data-postgres-0', 'kubernetes.io/created-for/pv/name': 'pvc-1' });
    const untaggedVol = await volume(ec2, {});
    const kept = await volume(ec2, { [PVC_TAG]: 'data-kafka-0', [KEEP_TAG]: 'true' });
    const { instanceId } = await w.instance();
    const attached = await volume(ec2, { [PVC_TAG]: 'data-kafka-1' });
    await ec2.send(new AttachVolumeCommand({ VolumeId: attached, InstanceId: instanceId, Device: '/dev/xvdg' }));
    const ours = await snapshot(ec2, untaggedVol, { 'platform:env': 'dev' });
    const backupManaged = await snapshot(ec2, untaggedVol, { 'platform:env': 'dev', 'aws:backup:source-resource': 'vol' });
    const otherEnv = await snapshot(ec2, untaggedVol, { 'platform:env': 'stg' });
    const keepSnap = await snapshot(ec2, untaggedVol, { 'platform:env': 'dev', [KEEP_TAG]: 'true' });

    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'platform/frontend' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'platform/frontend', imageManifest: manifest('a'), imageTag: 'v1' }));
    const untagged = (await ecr.send(new PutImageCommand({ repositoryName: 'platform/frontend', imageManifest: manifest('b') }))).image!.imageId!.imageDigest!;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'platform/cart' }));
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'platform/cart', lifecyclePolicyText: JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } }] }) }));
    await ecr.send(new PutImageCommand({ repositoryName: 'platform/cart', imageManifest: manifest('c') }));

    await s3.send(new CreateBucketCommand({ Bucket: 'platform-dev-gate-probes' }));
    await s3.send(new PutObjectCommand({ Bucket: 'platform-dev-gate-probes', Key: 'platform-gate-probes/phase-1/probe.txt', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: 'platform-dev-gate-probes', Key: 'reports/keep.txt', Body: 'y' }));

    const t0 = Date.now();
    const at = (days: number) => createCleanup({ ec2, ecr, s3, log: memoryLog(), config, now: () => t0 + days * DAY });

    // Day 10: volumes (7 days) and untagged images? (14 days: not yet) and probes (24 h) are due; snapshots (30 days) not.
    const dry = await at(10)({ dryRun: true });
    assert.deepEqual(dry.volumes.map((v) => v.volumeId), [orphan]);
    assert.deepEqual(dry.gateProbes.map((o) => o.key), ['platform-gate-probes/phase-1/probe.txt']);
    assert.deepEqual(dry.images, []);
    assert.deepEqual(dry.snapshots, []);
    const volIds = async () => ((await ec2.send(new DescribeVolumesCommand({}))).Volumes ?? []).map((v) => v.VolumeId).sort();
    assert.ok((await volIds()).includes(orphan), 'the dry run deleted nothing');
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: 'platform-dev-gate-probes' }))).KeyCount, 2);

    const day10 = await at(10)({});
    assert.deepEqual(day10.volumes.map((v) => v.volumeId), [orphan]);
    assert.ok(!(await volIds()).includes(orphan));
    for (const v of [untaggedVol, kept, attached]) assert.ok((await volIds()).includes(v), `${v} kept`);
    const finals = (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: `tag:${FINAL_SNAPSHOT_TAG}`, Values: [orphan] }] }))).Snapshots!;
    assert.deepEqual(finals.map((s) => s.SnapshotId), [day10.volumes[0]!.finalSnapshotId], 'a final snapshot before the delete');
    assert.deepEqual((await s3.send(new ListObjectsV2Command({ Bucket: 'platform-dev-gate-probes' }))).Contents!.map((o) => o.Key), ['reports/keep.txt']);
    const again10 = await at(10)({});
    assert.deepEqual([again10.volumes, again10.snapshots, again10.images, again10.gateProbes], [[], [], [], []], 'the replayed run changes nothing');

    // Day 31: snapshots past 30 days and untagged images past 14 days are due.
    const day31 = await at(31)({});
    assert.deepEqual(day31.snapshots.sort(), [ours, finals[0]!.SnapshotId].sort());
    const left = ((await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots ?? []).map((s) => s.SnapshotId);
    for (const s of [backupManaged, otherEnv, keepSnap]) assert.ok(left.includes(s), `${s} kept`);
    assert.deepEqual(day31.images, [{ repository: 'platform/frontend', digest: untagged }]);
    const front = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'platform/frontend' }))).imageDetails!;
    assert.deepEqual(front.map((i) => i.imageTags), [['v1']], 'the tagged image stays');
    assert.equal((await ecr.send(new DescribeImagesCommand({ repositoryName: 'platform/cart' }))).imageDetails!.length, 1, 'a repository with a lifecycle policy is left to ECR');
    const again31 = await at(31)({});
    assert.deepEqual([again31.volumes, again31.snapshots, again31.images, again31.gateProbes], [[], [], [], []]);
  });

  it('refuses a dryRun that is not a boolean, deleting nothing', async () => {
    const v = await volume(w.ec2, { [PVC_TAG]: 'x' });
    const h = createCleanup({ ec2: w.ec2, ecr, s3, log: memoryLog(), config, now: () => Date.now() + 30 * DAY });
    await assert.rejects(h({ dryRun: 'yes' }), /dryRun must be true or false, got "yes"/);
    assert.ok(((await w.ec2.send(new DescribeVolumesCommand({ VolumeIds: [v] }))).Volumes ?? []).length === 1);
  });
});
