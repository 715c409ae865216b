/**
 * The S3 stack lock (src/state/s3-lock.ts) against moto's S3: the conditional writes, the holder in
 * the error, takeover only after the lease (the taker's clock is moved; S3's LastModified is real),
 * a renewal that finds its lock taken over, and a release that never deletes someone else's lock.
 * The CLI-level race and kill -9 are in test/real-engine/team-lock.test.ts.
 */
import { strict as assert } from 'node:assert';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3Locker } from '../../src/state/s3-lock.js';
import { isPlatformError } from '../../src/core/errors.js';
import { motoConfig, startMoto, type Moto } from '../gates/moto.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('S3 stack locks (moto)', function () {
  this.timeout(60_000);
  let moto: Moto;
  let s3: S3Client;
  let n = 0;
  let bucket: string;
  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(motoConfig(moto));
  });
  after(() => {
    s3?.destroy();
    moto?.stop();
  });
  beforeEach(async () => {
    bucket = `locks-${process.pid}-${++n}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  });

  const locker = (runId: string, opts: { lease?: number; now?: () => number; notices?: string[] } = {}) =>
    new S3Locker(s3, { bucket, prefix: 'teams/stg' }, runId, { leaseSeconds: opts.lease ?? 60, now: opts.now, onNotice: (m) => opts.notices?.push(m) });

  async function lockedError(p: Promise<unknown>) {
    try {
      await p;
    } catch (e) {
      assert.ok(isPlatformError(e), String(e));
      return e;
    }
    assert.fail('expected the lock to be refused');
  }

  it('the first takes it; the second gets locked (exit 4) naming who, host, run and since; the object holds them', async () => {
    const a = await locker('run-a').acquire('stg-02-cluster', 'up');
    const e = await lockedError(locker('run-b').acquire('stg-02-cluster', 'up'));
    assert.equal(e.code, 'locked');
    assert.equal(e.exitCode, 4);
    assert.match(e.message, /^stack stg-02-cluster is locked by \S+ on \S+ \(pid \d+, run run-a, up since \d{4}-\d\d-\d\dT[^)]+\); lease renewed \d+s ago, expires in \d+s unless renewed$/);
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'teams/stg/.platform-locks/stg-02-cluster.json' }));
    const info = JSON.parse(await obj.Body!.transformToString()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(info).sort(), ['host', 'leaseSeconds', 'nonce', 'pid', 'purpose', 'renewedAt', 'runId', 'since', 'who']);
    assert.equal(info.runId, 'run-a');
    await a.release();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.equal(listed.KeyCount ?? 0, 0, 'released: no lock object left');
    // Free again: another run takes it.
    await (await locker('run-c').acquire('stg-02-cluster', 'up')).release();
  });

  it('an expired lease is taken over with one line, never before; the engine locks it left are removed', async () => {
    const a = await locker('run-a', { lease: 30 }).acquire('stg-01-foundation', 'up');
    // The holder "dies": its renewals stop (its timer would renew every 10 s; release is not called).
    // The engine lock its Pulumi left behind:
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'teams/stg/.pulumi/locks/organization/platform/stg-01-foundation/abc.json', Body: '{}' }));
    // The takers' clocks are set from the lock object's own LastModified (what the lease is measured
    // from), read just before each try, not from Date.now(): 29 s after it is within the lease, 31 s
    // after it is not. Offsets from Date.now() left a 1 s margin that a loaded CI machine (and
    // LastModified's whole seconds) ate: a CI run took over at "29 s".
    const written = async () => (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'teams/stg/.platform-locks/stg-01-foundation.json' }))).LastModified!.getTime();
    const at29 = (await written()) + 29_000;
    const early = await lockedError(locker('run-b', { now: () => at29 }).acquire('stg-01-foundation', 'up'));
    assert.equal(early.code, 'locked');
    assert.match(early.message, /expires in 1s unless renewed$/);
    const notices: string[] = [];
    const at31 = (await written()) + 31_000;
    const late = await locker('run-c', { now: () => at31, notices }).acquire('stg-01-foundation', 'up');
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /^took over the lock of stg-01-foundation from \S+ on \S+ \(pid \d+, run run-a, up since [^)]+\): its lease of 30s expired [0-9]+s ago \(last renewed [^)]+\); removed 1 engine lock file\(s\) its engine left$/);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'teams/stg/.pulumi/' }));
    assert.equal(listed.KeyCount ?? 0, 0);
    // The dead holder's release (had it come back) must not delete the new holder's lock.
    await a.release();
    const e = await lockedError(locker('run-d').acquire('stg-01-foundation', 'up'));
    assert.match(e.message, /run run-c/);
    await late.release();
  });

  it('a live holder renews: after more than a lease of real time it still holds the lock', async () => {
    const a = await locker('run-a', { lease: 5 }).acquire('stg-03-gitops', 'up');
    await sleep(7_000);
    const e = await lockedError(locker('run-b', { lease: 5 }).acquire('stg-03-gitops', 'up'));
    assert.match(e.message, /run run-a/);
    await a.release();
  });

  it('a holder whose lock was taken over learns it at its next renewal and then deletes nothing', async () => {
    const notices: string[] = [];
    const a = await locker('run-a', { lease: 5, notices }).acquire('stg-04-data', 'up');
    // Someone took it over (as after a long freeze of run-a): the object now is theirs.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'teams/stg/.platform-locks/stg-04-data.json', Body: JSON.stringify({ who: 'bob', host: 'ci-7', pid: 1, runId: 'run-x', purpose: 'up', since: 'x', leaseSeconds: 5 }) }));
    // Its renewal runs every lease/3 (about 1.7 s here); wait for it rather than a fixed time, which
    // a loaded machine can outrun.
    for (let i = 0; i < 100 && notices.length === 0; i++) await sleep(100);
    await sleep(2_000); // a second renewal would add a second notice
    assert.equal(notices.length, 1, notices.join('\n'));
    assert.match(notices[0]!, /^lost the lock of stg-04-data: taken over by bob on ci-7 \(pid 1, run run-x, up since x\)/);
    await a.release();
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'teams/stg/.platform-locks/stg-04-data.json' }));
    assert.match(await obj.Body!.transformToString(), /run-x/);
  });
});
