import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { FileRecordStore } from '../../src/state/file-records.js';
import { S3RecordStore, parseS3Url } from '../../src/state/s3-records.js';
import { statePaths } from '../../src/state/paths.js';
import type { PhaseRecord, RecordStore } from '../../src/core/ports.js';
import { localEnv, prodEnv } from '../helpers/env-fixtures.js';
import { startMoto, motoConfig, type Moto } from '../gates/moto.js';

const record = (phase: 0 | 1, status: PhaseRecord['status'] = 'succeeded'): PhaseRecord => ({
  env: 'prod', phase, stack: `prod-0${phase}-x`, engine: 'pulumi', status, fingerprint: 'abc', startedAt: '2026-11-26T12:00:00.000Z', runId: 'r1',
});

function behavesAsRecordStore(name: string, make: () => Promise<RecordStore>) {
  describe(name, () => {
    it('reads back what it wrote, per phase; a missing record is undefined; remove deletes', async () => {
      const store = await make();
      assert.equal(await store.read('prod', 0), undefined);
      await store.write(record(0));
      await store.write(record(1, 'failed'));
      assert.equal((await store.read('prod', 0))!.status, 'succeeded');
      assert.equal((await store.read('prod', 1))!.status, 'failed');
      await store.remove('prod', 0);
      assert.equal(await store.read('prod', 0), undefined);
    });
  });
}

describe('phase records', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'records-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  behavesAsRecordStore('in a folder', async () => new FileRecordStore(join(dir, 'r')));

  it('a corrupt record file is a recovery error naming the file', async () => {
    const store = new FileRecordStore(dir);
    writeFileSync(join(dir, 'phase-01.json'), '{ half');
    await assert.rejects(store.read('prod', 1), (e: { exitCode: number; message: string }) => e.exitCode === 5 && e.message.includes('phase-01.json'));
  });

  describe('in the env S3 backend (moto on loopback)', () => {
    let moto: Moto;
    let client: S3Client;
    before(async () => {
      moto = await startMoto();
      await moto.reset();
      client = new S3Client(motoConfig(moto));
      await client.send(new CreateBucketCommand({ Bucket: 'acme-state', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    });
    after(() => moto?.stop());

    behavesAsRecordStore('S3', async () => new S3RecordStore(client, parseS3Url('s3://acme-state/platform/prod'), 'prod'));

    it('keeps records beside the state under <prefix>/.platform-records/<env>/', async () => {
      const store = new S3RecordStore(client, parseS3Url('s3://acme-state/teams/core?region=eu-west-1'), 'stg');
      await store.write({ ...record(1), env: 'stg' });
      const keys = (await client.send(new ListObjectsV2Command({ Bucket: 'acme-state', Prefix: 'teams/' }))).Contents!.map((o) => o.Key);
      assert.deepEqual(keys, ['teams/core/.platform-records/stg/phase-01.json']);
    });
  });

  it('simulated runs keep records locally, even for an env with an s3 backend; real runs use the backend', () => {
    const prod = { ...prodEnv, backend: { url: 's3://acme-state/platform' } };
    assert.deepEqual(statePaths('/repo', prod, 'simulate').records, { kind: 'file', dir: '/repo/.platform/simulate/prod/records' });
    assert.deepEqual(statePaths('/repo', prod, 'pulumi').records, { kind: 's3', url: 's3://acme-state/platform' });
    assert.deepEqual(statePaths('/repo', localEnv, 'pulumi').records, { kind: 'file', dir: '/repo/.platform/state/.platform-records/local' });
  });

  it('rejects a backend URL that is not s3://bucket[/prefix]', () => {
    assert.throws(() => parseS3Url('s3://'), /is not an s3:\/\/<bucket>\[\/prefix\] URL/);
  });
});
