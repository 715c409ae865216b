/**
 * Shared assertions for S3 server access logging in an evaluated phase program: one access-log bucket
 * (tagged for the s3-encryption-kms exemption) with SSE-S3, versioning, all public-access blocks,
 * owner enforcement, TLS only and a log-delivery grant limited to the phase's other buckets and the
 * account; every other bucket logs to it under its own prefix, after the grant exists.
 */
import { strict as assert } from 'node:assert';
import type { CapturedResource, Evaluation } from '../../src/engine/simulate/evaluate.js';
import { ACCESS_LOG_BUCKET_TAG } from '../../src/core/platform-names.js';

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as any;
const byType = (ev: Evaluation, type: string) => ev.resources.filter((r) => r.type === type);

/** Asserts the access-logging layout and returns the log bucket and the buckets that log to it. */
export function assertAccessLogging(ev: Evaluation, accountId: string): { logBucket: CapturedResource; sources: CapturedResource[] } {
  const buckets = byType(ev, 'aws:s3/bucket:Bucket');
  const tagged = buckets.filter((b) => (b.inputs.tags as Record<string, string> | undefined)?.[ACCESS_LOG_BUCKET_TAG.key] === ACCESS_LOG_BUCKET_TAG.value);
  assert.equal(tagged.length, 1, 'exactly one access-log bucket');
  const logBucket = tagged[0]!;
  const sources = buckets.filter((b) => b !== logBucket);
  assert.ok(sources.length > 0);
  const of = (type: string, b: CapturedResource) => byType(ev, type).filter((r) => r.inputs.bucket === b.id);

  // The log bucket: SSE-S3 (S3 log delivery refuses SSE-KMS), and the rest of the baseline.
  const [sse] = of('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', logBucket);
  assert.deepEqual((sse!.inputs.rules as any[]).map((r) => r.applyServerSideEncryptionByDefault), [{ sseAlgorithm: 'AES256' }]);
  assert.equal((of('aws:s3/bucketVersioning:BucketVersioning', logBucket)[0]!.inputs.versioningConfiguration as any).status, 'Enabled');
  const pab = of('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', logBucket)[0]!.inputs;
  assert.ok(['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'].every((k) => pab[k] === true));
  assert.equal((of('aws:s3/bucketOwnershipControls:BucketOwnershipControls', logBucket)[0]!.inputs.rule as any).objectOwnership, 'BucketOwnerEnforced');
  const lifecycle = (of('aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration', logBucket)[0]!.inputs.rules as any[])[0];
  assert.equal(lifecycle.expiration.days, 365);
  assert.equal(of('aws:s3/bucketLogging:BucketLogging', logBucket).length, 0, 'the log bucket does not log to itself');

  const statements = json(of('aws:s3/bucketPolicy:BucketPolicy', logBucket)[0]!.inputs.policy).Statement as any[];
  const deny = statements.find((s) => s.Sid === 'DenyInsecureTransport');
  assert.deepEqual([deny.Effect, deny.Condition.Bool['aws:SecureTransport']], ['Deny', 'false']);
  const grant = statements.find((s) => s.Sid === 'S3ServerAccessLogsDelivery');
  assert.deepEqual([grant.Effect, grant.Principal, grant.Action], ['Allow', { Service: 'logging.s3.amazonaws.com' }, 's3:PutObject']);
  assert.deepEqual([...grant.Resource].sort(), sources.map((b) => `${logBucket.state.arn}/${b.id}/*`).sort(), 'writes only under each source prefix');
  assert.deepEqual([...grant.Condition.ArnLike['aws:SourceArn']].sort(), sources.map((b) => b.state.arn).sort(), 'only from the phase buckets');
  assert.equal(grant.Condition.StringEquals['aws:SourceAccount'], accountId);
  assert.equal(statements.length, 2, 'no other statement on the log bucket');

  // Every other bucket logs to it, under its own name, in partitioned form.
  for (const b of sources) {
    const logging = of('aws:s3/bucketLogging:BucketLogging', b);
    assert.equal(logging.length, 1, `${b.id} has one BucketLogging`);
    assert.equal(logging[0]!.inputs.targetBucket, logBucket.id, b.id);
    assert.equal(logging[0]!.inputs.targetPrefix, `${b.id}/`, b.id);
    assert.deepEqual(logging[0]!.inputs.targetObjectKeyFormat, { partitionedPrefix: { partitionDateSource: 'EventTime' } });
  }
  return { logBucket, sources };
}
