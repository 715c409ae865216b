/**
 * The restore drill (programs/10-hardening/restore-drill.ts) end to end on local counterparts:
 * - the data: a real PostgreSQL source, a real physical backup of it (pg_basebackup, the local
 *   counterpart of the EBS snapshot AWS Backup takes of the primary's volume), and a second server
 *   started on a copy of that backup (PostgreSQL recovers it, as the scratch pod does on a restored
 *   volume). The drill's SQL runs through psql on both, as it does in the pods.
 * - AWS: the drill's real AWS port (drill-aws.ts, SDK v3 through the probe) against a loopback
 *   endpoint. AWS Backup's recovery-point and restore-job calls are answered with responses written
 *   in the API's REST-JSON wire format (moto 5.2.1 serves none of ListRecoveryPointsByBackupVault,
 *   GetRecoveryPointRestoreMetadata, StartRestoreJob, DescribeRestoreJob: its backup backend has
 *   plans, vaults and tags only), shaped after the API reference, NOT recorded from an account (none
 *   was available). EC2 (DescribeVolumes, DeleteVolume) goes to moto, where the source and the
 *   "restored" volume really exist, so clean-up is proven by moto's state afterwards.
 * Time is a fake clock started at the real time of the backup plus the RPO the case needs.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateVolumeCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AwsReplay, type AwsRoute } from '../gates/aws-replay.js';
import { motoConfig, startMoto, TEST_CREDENTIALS, type Moto } from '../gates/moto.js';
import { createAwsProbe } from '../../src/gates/probes/aws.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { createAwsBackupPort } from '../../programs/10-hardening/drill-aws.js';
import { psqlArgs } from '../../programs/10-hardening/drill-sql.js';
import { runRestoreDrill, type DrillConfig, type ScratchPort, type SqlTarget } from '../../programs/10-hardening/restore-drill.js';
import type { Probes } from '../../src/gates/probes/index.js';
import type { Manifest, ObjectRef } from '../../src/gates/probes/k8s.js';
import { outputs10, runGate10 } from '../gates/phase10-fixtures.js';
import { own, startFromBackup, startPostgres, type LocalPostgres } from './local-postgres.js';

const ACCT = '222222222222';
const REGION = 'eu-west-1';
const VAULT = `arn:aws:backup:${REGION}:${ACCT}:backup-vault:platform-stg`;
const ROLE = `arn:aws:iam::${ACCT}:role/platform-stg-backup`;
const SNAPSHOT_ARN = `arn:aws:ec2:${REGION}::snapshot/snap-0a1b2c3d4e5f60718`;
const JOB = '8C1D9E7A-2B3F-4C5D-9E8F-0A1B2C3D4E5F';
const MIN = 60_000;
const DB = 'app';
const TABLES = [
  { name: 'public.orders', timestampColumn: 'created_at' },
  { name: 'audit.events', timestampColumn: 'at' },
];
const json = (body: unknown, status = 200) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
const epoch = (ms: number) => ms / 1000;

function backupRoutes(o: { sourceVolume: string; restoredVolume: string; pointAt: number; jobs: Array<[string, string?]>; points?: 'none' | 'creating' }): AwsRoute[] {
  const point = (status: string, at: number, arn = SNAPSHOT_ARN) => ({
    RecoveryPointArn: arn,
    BackupVaultName: 'platform-stg',
    BackupVaultArn: VAULT,
    ResourceArn: `arn:aws:ec2:${REGION}:${ACCT}:volume/${o.sourceVolume}`,
    ResourceType: 'EBS',
    CreatedBy: { BackupPlanId: 'f3b1c2d4-plan', BackupPlanArn: `arn:aws:backup:${REGION}:${ACCT}:backup-plan:f3b1c2d4-plan`, BackupPlanVersion: 'NjQ1', BackupRuleId: 'daily-rule' },
    IamRoleArn: ROLE,
    Status: status,
    CreationDate: epoch(at),
    ...(status === 'COMPLETED' ? { CompletionDate: epoch(at + 4 * MIN) } : {}),
    BackupSizeInBytes: 21474836480,
    IsEncrypted: true,
    EncryptionKeyArn: `arn:aws:kms:${REGION}:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    Lifecycle: { DeleteAfterDays: 35 },
  });
  const points =
    o.points === 'none'
      ? []
      : o.points === 'creating'
        ? [point('CREATING', o.pointAt)]
        : // An older point and a newer one still being made: the drill must take the newest COMPLETED.
          [point('COMPLETED', o.pointAt - 24 * 60 * MIN, `arn:aws:ec2:${REGION}::snapshot/snap-0older000000000001`), point('COMPLETED', o.pointAt), point('CREATING', o.pointAt + 30 * MIN, `arn:aws:ec2:${REGION}::snapshot/snap-0creating00000001`)];
  const job = ([status, message]: [string, string?]) =>
    json({
      AccountId: ACCT,
      RestoreJobId: JOB,
      RecoveryPointArn: SNAPSHOT_ARN,
      CreationDate: epoch(o.pointAt + 60 * MIN),
      Status: status,
      ...(message ? { StatusMessage: message } : {}),
      PercentDone: status === 'COMPLETED' ? '100.00%' : '40.00%',
      IamRoleArn: ROLE,
      ResourceType: 'EBS',
      ...(status === 'COMPLETED' ? { CreatedResourceArn: `arn:aws:ec2:${REGION}:${ACCT}:volume/${o.restoredVolume}`, CompletionDate: epoch(o.pointAt + 70 * MIN) } : {}),
    });
  return [
    { service: 'backup', method: 'GET', path: '^/backup-vaults/platform-stg/recovery-points/?$', responses: [json({ RecoveryPoints: points })] },
    {
      service: 'backup',
      method: 'GET',
      path: '^/backup-vaults/platform-stg/recovery-points/[^/]+/restore-metadata$',
      responses: [json({ BackupVaultArn: VAULT, RecoveryPointArn: SNAPSHOT_ARN, ResourceType: 'EBS', RestoreMetadata: { volumeId: o.sourceVolume, volumeSize: '20', volumeType: 'gp3', iops: '3000', throughput: '125', encrypted: 'true', kmsKeyId: `arn:aws:kms:${REGION}:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, availabilityZone: `${REGION}c` } })],
    },
    { service: 'backup', method: 'PUT', path: '^/restore-jobs$', responses: [json({ RestoreJobId: JOB })] },
    { service: 'backup', method: 'GET', path: `^/restore-jobs/${JOB}$`, responses: o.jobs.map(job) },
  ];
}

describe('restore drill on a real PostgreSQL backup, AWS Backup answers in wire format and EC2 on moto', function () {
  this.timeout(180_000);
  let moto: Moto;
  let source: LocalPostgres;
  let backupDir: string;
  let backupAt: number;
  let replay: AwsReplay | undefined;
  const restoredServers: LocalPostgres[] = [];

  before(async () => {
    moto = await startMoto();
    source = await startPostgres();
    await source.sql('postgres', `CREATE DATABASE ${DB}`);
    await source.sql(DB, `CREATE TABLE public.orders (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL, amount integer NOT NULL, note text);
      INSERT INTO public.orders (created_at, amount, note) SELECT now() - interval '5 minutes' - i * interval '7 seconds', i * 3, 'order ' || i FROM generate_series(1, 400) AS i;
      CREATE SCHEMA audit;
      CREATE TABLE audit.events (at timestamp without time zone NOT NULL, kind text NOT NULL, payload jsonb);
      INSERT INTO audit.events SELECT (now() AT TIME ZONE 'UTC') - interval '10 minutes' - i * interval '1 minute', 'k' || (i % 5), jsonb_build_object('i', i) FROM generate_series(1, 120) AS i;`);
    const backupParent = mkdtempSync(join(tmpdir(), 'platform-drill-backup-'));
    own(backupParent);
    backupDir = join(backupParent, 'base');
    backupAt = Date.now();
    source.baseBackup(backupDir);
    // Writes after the recovery point: newer than the cutoff, so never compared.
    await source.sql(DB, `INSERT INTO public.orders (created_at, amount, note) SELECT now(), 1, 'after the backup' FROM generate_series(1, 25);
      INSERT INTO audit.events VALUES (now() AT TIME ZONE 'UTC', 'late', '{}');`);
  });
  after(async () => {
    for (const s of restoredServers) await s.stop();
    await source?.stop();
    if (backupDir) rmSync(join(backupDir, '..'), { recursive: true, force: true });
    moto?.stop();
  });
  afterEach(async () => {
    await replay?.stop();
    replay = undefined;
  });

  const sqlOf = (pg: LocalPostgres, where: string): SqlTarget => ({ where, query: (sql) => pg.psql(psqlArgs(DB, sql)) });

  /** The scratch side: a server on a copy of the backup, for the restored volume only. */
  function localScratch(restoredArn: string, o: { crashAfterMount?: boolean } = {}) {
    let server: LocalPostgres | undefined;
    const state = { mounted: 0, dataDirs: [] as string[] };
    const port: ScratchPort = {
      async mount(resourceArn) {
        if (resourceArn !== restoredArn) throw new Error(`asked to mount ${resourceArn}, restored ${restoredArn}`);
        server = await startFromBackup(backupDir);
        restoredServers.push(server);
        state.mounted++;
        state.dataDirs.push(server.dataDir);
        // The worst moment: the restored database dies after it answered, before any table is compared.
        if (o.crashAfterMount) server.kill('SIGKILL');
        return sqlOf(server, `restored copy on port ${server.port}`);
      },
      async unmount() {
        if (!server) return [];
        const s = server;
        server = undefined;
        const was = s.running ? 'stopped' : 'found already stopped';
        await s.stop();
        return [`${was} the restored PostgreSQL, removed ${s.dataDir}`];
      },
      manualCleanup: () => 'kill the restored PostgreSQL',
    };
    return { port, state };
  }

  async function world(o: { jobs?: Array<[string, string?]>; points?: 'none' | 'creating'; pointAt?: number } = {}) {
    const ec2 = new EC2Client(motoConfig(moto, REGION));
    const vol = async () => (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}b`, Size: 20, VolumeType: 'gp3', Encrypted: true }))).VolumeId!;
    const sourceVolume = await vol();
    const restoredVolume = await vol();
    const pointAt = o.pointAt ?? backupAt;
    replay = new AwsReplay(backupRoutes({ sourceVolume, restoredVolume, pointAt, jobs: o.jobs ?? [['PENDING'], ['RUNNING'], ['COMPLETED']], ...(o.points ? { points: o.points } : {}) }), moto.endpoint);
    const endpoint = await replay.start();
    const aws = createAwsProbe({ region: REGION, endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const exists = async (id: string) => ((await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'volume-id', Values: [id] }] }))).Volumes ?? []).length > 0;
    return { aws, sourceVolume, restoredVolume, restoredArn: `arn:aws:ec2:${REGION}:${ACCT}:volume/${restoredVolume}`, exists };
  }

  const cfg = (over: Partial<DrillConfig> = {}): DrillConfig => ({ rtoMinutes: 120, rpoMinutes: 1500, tables: TABLES, pollMs: 30_000, cleanupMs: 10 * MIN, ...over });

  async function drill(o: { rpoMs?: number; cfg?: Partial<DrillConfig>; world?: Parameters<typeof world>[0]; crashAfterMount?: boolean; abortAfterReads?: number } = {}) {
    const w = await world(o.world);
    const clock = new FakeClock(backupAt + (o.rpoMs ?? 90 * MIN));
    const scratch = localScratch(w.restoredArn, o.crashAfterMount ? { crashAfterMount: true } : {});
    const ac = new AbortController();
    const backup = createAwsBackupPort({ aws: w.aws, clock, vaultArn: VAULT, restoreRoleArn: ROLE, volumeId: w.sourceVolume, volumeLabel: 'data/data-postgres-0', idempotencyToken: 'drill-test' });
    let reads = 0;
    const counted = {
      ...backup,
      readRestore: async (id: string) => {
        if (o.abortAfterReads !== undefined && ++reads === o.abortAfterReads) ac.abort(new Error('the operator pressed Ctrl-C'));
        return backup.readRestore(id);
      },
    };
    const r = await runRestoreDrill({ clock, signal: ac.signal, deadline: clock.now() + 6 * 60 * MIN }, cfg(o.cfg), { backup: counted, scratch: scratch.port, source: sqlOf(source, 'source on loopback') });
    return { r, w, scratch, calls: replay!.calls };
  }

  async function assertCleanedUp(x: Awaited<ReturnType<typeof drill>>) {
    assert.equal(await x.w.exists(x.w.restoredVolume), false, 'the restored volume is deleted in moto');
    assert.equal(await x.w.exists(x.w.sourceVolume), true, 'the source volume is untouched');
    for (const d of x.scratch.state.dataDirs) assert.equal(existsSync(d), false, `${d} removed`);
    for (const s of restoredServers) assert.equal(s.running, false, 'no restored PostgreSQL left running');
  }

  it('restores the newest completed point, both tables match up to the cutoff, RTO and RPO within targets: pass, and nothing is left', async () => {
    const x = await drill();
    assert.equal(x.r.status, 'pass', x.r.evidence.join('\n'));
    const ev = x.r.evidence.join('\n');
    assert.match(ev, /RPO 90\.0 min \(recovery point arn:aws:ec2:eu-west-1::snapshot\/snap-0a1b2c3d4e5f60718 of .*\), target 1500 min/);
    assert.match(ev, /public\.orders: 400 rows up to \S+, checksum \d+ on both sides/);
    assert.match(ev, /audit\.events: 120 rows up to \S+, checksum \d+ on both sides/);
    assert.match(ev, /RTO 1\.0 min \(restore started to data validated\), target 120 min/);
    assert.match(ev, /clean-up: stopped the restored PostgreSQL/);
    assert.match(ev, new RegExp(`clean-up: deleted the restored EBS volume ${x.w.restoredVolume}`));
    // What was asked of AWS Backup: the newest COMPLETED point, restored as EBS in the source's zone, without its tags.
    const start = x.calls.find((c) => c.service === 'backup' && c.method === 'PUT');
    const body = JSON.parse(start!.body);
    assert.equal(body.RecoveryPointArn, SNAPSHOT_ARN);
    assert.equal(body.ResourceType, 'EBS');
    assert.equal(body.IamRoleArn, ROLE);
    assert.equal(body.CopySourceTagsToRestoredResource, false);
    assert.equal(body.Metadata.availabilityZone, `${REGION}b`, 'the source volume zone (moto), not the metadata one');
    assert.equal(body.Metadata.encrypted, 'true');
    assert.equal(body.Metadata.volumeType, 'gp3');
    assert.equal(x.calls.filter((c) => c.service === 'backup' && c.method === 'PUT').length, 1);
    await assertCleanedUp(x);
  });

  it('a row written into the past after the backup (missing from the restore): fail naming the table and the count; cleaned up', async () => {
    await source.sql(DB, `INSERT INTO public.orders (created_at, amount, note) VALUES (now() - interval '1 hour', 7, 'backdated')`);
    try {
      const x = await drill();
      assert.equal(x.r.status, 'fail');
      assert.match(x.r.evidence[0]!, /^public\.orders: the restore is missing 1 of the source's 401 rows up to \S+ \(restored 400\)$/);
      assert.match(x.r.evidence.join('\n'), /audit\.events: 120 rows up to/);
      assert.match(x.r.hint!, /updates or deletes on the append-only tables/);
      await assertCleanedUp(x);
    } finally {
      await source.sql(DB, `DELETE FROM public.orders WHERE note = 'backdated'`);
    }
  });

  it('a row changed in the source after the backup: same count, checksums differ, fail with that reason', async () => {
    await source.sql(DB, `UPDATE public.orders SET amount = amount + 1 WHERE note = 'order 17'`);
    try {
      const x = await drill();
      assert.equal(x.r.status, 'fail');
      assert.match(x.r.evidence[0]!, /^public\.orders: same count \(400 rows up to \S+\) but the checksums differ \(source \d+, restored \d+\): a row's content differs/);
      await assertCleanedUp(x);
    } finally {
      await source.sql(DB, `UPDATE public.orders SET amount = amount - 1 WHERE note = 'order 17'`);
    }
  });

  it('a recovery point older than the RPO and a restore slower than the RTO: fail with both measures against their targets', async () => {
    const x = await drill({ rpoMs: 26 * 60 * MIN, cfg: { rtoMinutes: 5 }, world: { jobs: [...Array(12).fill(['RUNNING']), ['COMPLETED']] } });
    assert.equal(x.r.status, 'fail');
    assert.match(x.r.evidence.join('\n'), /RPO 1560\.0 min .* target 1500 min: the newest recovery point is too old/);
    assert.match(x.r.evidence.join('\n'), /RTO 6\.0 min \(restore started to data validated\), target 5 min: the restore is too slow/);
    assert.match(x.r.evidence.join('\n'), /public\.orders: 400 rows up to/, 'the data was still validated');
    await assertCleanedUp(x);
  });

  it('the restored database crashes (SIGKILL) right after it came up: fail with psql\'s reason, and the volume and scratch server are still cleaned up', async () => {
    const x = await drill({ crashAfterMount: true });
    assert.equal(x.r.status, 'fail');
    assert.match(x.r.evidence[0]!, /^failed: psql exited 2: .*(connection|server)/);
    assert.match(x.r.evidence.join('\n'), /clean-up: found already stopped the restored PostgreSQL/);
    assert.equal(x.scratch.state.mounted, 1);
    await assertCleanedUp(x);
  });

  it('cancelled while the restore job runs: the drill waits for the job to end and deletes the volume it made', async () => {
    const x = await drill({ abortAfterReads: 2, world: { jobs: [['PENDING'], ['RUNNING'], ['RUNNING'], ['COMPLETED']] } });
    assert.equal(x.r.status, 'fail');
    assert.match(x.r.evidence[0]!, /^cancelled: the operator pressed Ctrl-C/);
    assert.equal(x.scratch.state.mounted, 0, 'nothing was mounted');
    assert.match(x.r.evidence.join('\n'), new RegExp(`clean-up: deleted the restored EBS volume ${x.w.restoredVolume}`));
    await assertCleanedUp(x);
  });

  it('a restore job that FAILED: fail with AWS Backup\'s message; nothing mounted, nothing to delete', async () => {
    const x = await drill({ world: { jobs: [['RUNNING'], ['FAILED', 'Access denied to KMS key arn:aws:kms:eu-west-1:222222222222:key/1234abcd']] } });
    assert.equal(x.r.status, 'fail');
    assert.match(x.r.evidence[0]!, /^restore job 8C1D9E7A-2B3F-4C5D-9E8F-0A1B2C3D4E5F ended FAILED: Access denied to KMS key/);
    assert.equal(x.scratch.state.mounted, 0);
    assert.equal(await x.w.exists(x.w.restoredVolume), true, 'a volume the job did not report is not touched');
  });

  it('no completed recovery point (only one still CREATING): fail without starting a restore', async () => {
    const x = await drill({ world: { points: 'creating' } });
    assert.equal(x.r.status, 'fail');
    assert.match(x.r.evidence[0]!, /^no completed recovery point to restore: 1 recovery point\(s\) of arn:aws:ec2:eu-west-1:222222222222:volume\/vol-\w+ in vault platform-stg \(CREATING\)$/);
    assert.equal(x.calls.filter((c) => c.service === 'backup' && c.method === 'PUT').length, 0);
  });

  /**
   * The cluster for the gate: PVC and PV reads answer the primary's claim on the source volume; the
   * "kubelet" starts a server on a copy of the backup when the scratch Pod is created and stops it
   * when it is deleted; exec runs the pod's psql command against the matching local server.
   */
  function standInCluster(sourceVolume: string) {
    const created: Manifest[] = [];
    const deleted: string[] = [];
    const pods = new Map<string, LocalPostgres>();
    const k8s = {
      server: 'https://stand-in',
      async read(ref: ObjectRef) {
        if (ref.kind === 'PersistentVolumeClaim' && ref.namespace === 'data' && ref.name === 'data-postgres-0') return { kind: ref.kind, spec: { volumeName: 'pvc-5d1c' }, status: { phase: 'Bound' } };
        if (ref.kind === 'PersistentVolume' && ref.name === 'pvc-5d1c') {
          return { kind: ref.kind, spec: { csi: { driver: 'ebs.csi.aws.com', volumeHandle: sourceVolume, fsType: 'ext4' }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [`${REGION}b`] }] }] } } } };
        }
        if (ref.kind === 'Pod' && pods.has(ref.name)) return { kind: 'Pod', status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
        return undefined;
      },
      async create(m: Manifest) {
        created.push(m);
        if (m.kind === 'Pod') {
          const s = await startFromBackup(backupDir);
          restoredServers.push(s);
          pods.set(m.metadata.name, s);
        }
        return m;
      },
      async delete(ref: ObjectRef) {
        deleted.push(`${ref.kind} ${ref.namespace ?? ''}/${ref.name}`);
        const s = pods.get(ref.name);
        if (ref.kind === 'Pod' && s) {
          pods.delete(ref.name);
          await s.stop();
        }
      },
      async exec(target: { namespace: string; pod: string; container: string }, command: string[]) {
        assert.deepEqual(command.slice(0, 3), ['psql', '-U', 'postgres']);
        const server = target.namespace === 'data' && target.pod === 'postgres-0' ? source : pods.get(target.pod);
        if (!server || target.container !== 'postgres') return { stdout: '', stderr: `pods "${target.pod}" not found`, code: 1 };
        try {
          return { stdout: await server.psql(command.slice(3)), stderr: '', code: 0 };
        } catch (e) {
          return { stdout: '', stderr: (e as Error).message, code: 2 };
        }
      },
    };
    return { k8s: k8s as unknown as Probes['k8s'], created, deleted, pods };
  }

  it('the restore gate through runGates: the volume behind data-postgres-0, a PV/claim/pod in the scratch namespace, psql through exec on both sides, everything deleted', async () => {
    const w = await world();
    const cluster = standInCluster(w.sourceVolume);
    const clock = new FakeClock(backupAt + 30 * MIN);
    const out = outputs10();
    const r = await runGate10('restore', { aws: w.aws, k8s: cluster.k8s }, { ...out, restoreDrill: { ...out.restoreDrill, vaultArn: VAULT, restoreRoleArn: ROLE, tables: TABLES } }, clock);
    assert.equal(r.status, 'pass', r.evidence.join('\n'));
    const ev = r.evidence.join('\n');
    assert.match(ev, new RegExp(`source: EBS volume ${w.sourceVolume} \\(data/data-postgres-0\\)`));
    assert.match(ev, /restored database running: pod restore-drill\/restore-drill-\w+/);
    assert.match(ev, /public\.orders: 400 rows up to/);
    const [pv, pvc, pod] = cluster.created;
    assert.deepEqual(cluster.created.map((m) => m.kind), ['PersistentVolume', 'PersistentVolumeClaim', 'Pod']);
    assert.equal((pv as any).spec.csi.volumeHandle, w.restoredVolume, 'the PV is on the restored volume, never the source');
    assert.deepEqual((pv as any).spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, [`${REGION}b`]);
    assert.equal((pv as any).spec.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(pvc!.metadata.namespace, 'restore-drill');
    assert.equal((pod as any).spec.containers[0].image, out.restoreDrill.source.image);
    assert.ok((pod as any).spec.containers[0].command.includes('wal_level=logical'), 'the server settings of the primary (logical slots need them)');
    const name = pod!.metadata.name;
    assert.deepEqual(cluster.deleted, [`Pod restore-drill/${name}`, `PersistentVolumeClaim restore-drill/${name}`, `PersistentVolume /${name}`]);
    assert.equal(cluster.pods.size, 0);
    assert.equal(await w.exists(w.restoredVolume), false);
    assert.equal(await w.exists(w.sourceVolume), true);
  });

  it('the restore gate when the primary claim is not on an EBS CSI volume: fail at once, nothing restored', async () => {
    const w = await world();
    const cluster = standInCluster('not-a-volume-id');
    const r = await runGate10('restore', { aws: w.aws, k8s: cluster.k8s }, outputs10(), new FakeClock(backupAt));
    assert.equal(r.status, 'fail');
    assert.match(r.evidence[0]!, /^cannot find the database's volume: PersistentVolume pvc-5d1c of data\/data-postgres-0 is not an EBS CSI volume/);
    assert.equal(replay!.calls.filter((c) => c.service === 'backup').length, 0);
    assert.equal(cluster.created.length, 0);
  });
});
