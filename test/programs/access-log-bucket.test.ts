/**
 * The shared access-log bucket and SecureBucket's `accessLogs` under Pulumi mocks: arguments are
 * refused up front (no sources, itself as a source, duplicates, bad retention), a bucket the log
 * bucket does not admit cannot log into it (so no BucketLogging points at a destination whose policy
 * would refuse the delivery), and a SecureBucket without `accessLogs` creates no BucketLogging.
 */
import { strict as assert } from 'node:assert';
import { PlatformError } from '../../src/core/errors.js';
import { evaluateProgram } from '../../src/engine/simulate/evaluate.js';
import { AccessLogBucket, type AccessLogBucketArgs } from '../../programs/shared/access-log-bucket.js';
import { SecureBucket } from '../../programs/shared/secure-bucket.js';

const ACCOUNT = '111111111111';
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/abc`;
const base: AccessLogBucketArgs = { bucketName: 'logs-111111111111', accountId: ACCOUNT, sourceBucketNames: ['data-111111111111'], retentionDays: 365, tags: {} };

async function run(program: () => void) {
  const stack = 'test-access-logs';
  return evaluateProgram({ stack, synthetic: { accountId: ACCOUNT, region: 'eu-west-1', stack }, program: async () => (program(), {}) });
}

function refuses(args: Partial<AccessLogBucketArgs>, message: RegExp, value: string) {
  assert.throws(
    () => new AccessLogBucket('logs', { ...base, ...args }),
    (e: unknown) => e instanceof PlatformError && e.code === 'config-invalid' && message.test(e.message) && e.value === value && (e.hint ?? '').length > 0,
  );
}

describe('shared AccessLogBucket and SecureBucket accessLogs', () => {
  it('refuses no sources, itself as a source, a duplicate and a retention that is not a positive whole number', async () => {
    await run(() => {
      refuses({ sourceBucketNames: [] }, /has no source buckets/, 'logs-111111111111');
      refuses({ sourceBucketNames: ['logs-111111111111'] }, /lists itself as a source/, 'logs-111111111111');
      refuses({ sourceBucketNames: ['a-bucket', 'a-bucket'] }, /lists source 'a-bucket' twice/, 'a-bucket');
      refuses({ retentionDays: 0 }, /retention 0 is not a positive whole number/, '0');
      refuses({ retentionDays: 1.5 }, /retention 1.5/, '1.5');
    });
  });

  it('refuses a SecureBucket whose name the log bucket does not admit, before creating it', async () => {
    const ev = await run(() => {
      const logs = new AccessLogBucket('logs', base);
      assert.throws(
        () => new SecureBucket('other', { bucketName: 'other-111111111111', kmsKeyArn: KEY, tags: {}, accessLogs: logs }),
        (e: unknown) => e instanceof PlatformError && e.value === 'other-111111111111' && /sourceBucketNames/.test(e.hint ?? ''),
      );
      new SecureBucket('data', { bucketName: 'data-111111111111', kmsKeyArn: KEY, tags: {}, accessLogs: logs });
    });
    const buckets = ev.resources.filter((r) => r.type === 'aws:s3/bucket:Bucket').map((r) => r.id).sort();
    assert.deepEqual(buckets, ['data-111111111111', 'logs-111111111111'], 'the refused bucket was never created');
    const logging = ev.resources.filter((r) => r.type === 'aws:s3/bucketLogging:BucketLogging');
    assert.deepEqual(logging.map((l) => [l.inputs.bucket, l.inputs.targetBucket, l.inputs.targetPrefix]), [['data-111111111111', 'logs-111111111111', 'data-111111111111/']]);
  });

  it('creates no BucketLogging for a SecureBucket without accessLogs', async () => {
    const ev = await run(() => new SecureBucket('plain', { bucketName: 'plain-111111111111', kmsKeyArn: KEY, tags: {} }));
    assert.equal(ev.resources.filter((r) => r.type === 'aws:s3/bucketLogging:BucketLogging').length, 0);
    assert.equal(ev.resources.filter((r) => r.type === 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration').length, 1);
  });
});
