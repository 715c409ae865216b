/**
 * The state bucket: in the file's region, objects owned by the bucket owner (ACLs disabled), every
 * public access block on, versioning on (a bad state write can be rolled back), default encryption
 * SSE-KMS with the secrets key and an S3 Bucket Key (documented choice: one key to manage; several
 * envs may share one bucket under different prefixes, so an existing bucket encrypted with another
 * customer key is accepted), and a bucket policy denying every request not sent over TLS.
 *
 * An existing bucket is inspected setting by setting; anything weaker is a conflict that `--fix`
 * changes (the TLS statement is added to the existing policy, never replacing it). A bucket in
 * another region or another account cannot be fixed.
 */
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { awsErrorName, httpStatus, type ApplyContext, type Step } from './steps.js';
import { partitionOf, type BootstrapTarget, type BucketSpec } from './target.js';

const TLS_SID = 'DenyInsecureTransport';
const BLOCK_ALL = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

/** The statement that denies every request to the bucket and its objects not sent over TLS. */
export function tlsOnlyStatement(bucket: string, region: string): Record<string, unknown> {
  const arn = `arn:${partitionOf(region)}:s3:::${bucket}`;
  return { Sid: TLS_SID, Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, `${arn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
}

/** Whether a bucket policy denies non-TLS requests to the bucket and all its objects. */
export function deniesInsecureTransport(policy: string | undefined, bucket: string, region: string): boolean {
  if (!policy) return false;
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(policy);
  } catch {
    return false;
  }
  const arn = `arn:${partitionOf(region)}:s3:::${bucket}`;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.some((s: any) => {
    if (s?.Effect !== 'Deny') return false;
    const anyone = s.Principal === '*' || [s.Principal?.AWS].flat().includes('*');
    const actions = [s.Action].flat();
    const resources = [s.Resource].flat();
    const secure = s.Condition?.Bool?.['aws:SecureTransport'];
    return anyone && actions.includes('s3:*') && resources.includes(arn) && (resources.includes(`${arn}/*`)) && String(secure) === 'false';
  });
}

/** S3's answer for the bucket's region (`null`/empty is us-east-1, `EU` is eu-west-1). */
function normalizeLocation(loc: string | undefined | null): string {
  if (!loc) return 'us-east-1';
  return loc === 'EU' ? 'eu-west-1' : loc;
}

/** Reads a setting; the "not configured" error of that setting means undefined. */
async function optional<T>(call: () => Promise<T>, missing: string[]): Promise<T | undefined> {
  try {
    return await call();
  } catch (e) {
    if (missing.includes(awsErrorName(e))) return undefined;
    throw e;
  }
}

export async function inspectBucket(s3: S3Client, spec: BucketSpec, t: BootstrapTarget, keyNamed: boolean): Promise<Step[]> {
  const sseDetail = `default encryption SSE-KMS with ${keyNamed ? 'the secrets key' : "S3's AWS-managed key (the file names no KMS key)"} and an S3 Bucket Key`;
  const Bucket = spec.bucket;
  const name = Bucket;
  const step = (setting: string, status: Step['status'], detail: string, extra: Partial<Step> = {}): Step => ({ resource: 'bucket', name, setting, status, detail, ...extra });
  const owner = { ExpectedBucketOwner: t.accountId };
  const encryption = (ctx: ApplyContext) =>
    s3.send(
      new PutBucketEncryptionCommand({
        Bucket,
        ...owner,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', ...(ctx.keyArn ? { KMSMasterKeyID: ctx.keyArn } : {}) }, BucketKeyEnabled: true }],
        },
      }),
    );
  const putPolicy = async (existing: string | undefined) => {
    const doc = existing ? (JSON.parse(existing) as { Version?: string; Statement?: unknown }) : { Version: '2012-10-17', Statement: [] };
    const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
    const Policy = JSON.stringify({ ...doc, Version: doc.Version ?? '2012-10-17', Statement: [...statements.filter((s: any) => s?.Sid !== TLS_SID), tlsOnlyStatement(Bucket, spec.region)] });
    await s3.send(new PutBucketPolicyCommand({ Bucket, ...owner, Policy }));
  };

  let exists = true;
  try {
    await s3.send(new HeadBucketCommand({ Bucket, ...owner }));
  } catch (e) {
    const status = httpStatus(e);
    if (status === 404 || awsErrorName(e) === 'NotFound' || awsErrorName(e) === 'NoSuchBucket') exists = false;
    else if (status === 403) {
      return [step('exists', 'conflict', `exists but is not account ${t.accountId}'s (or denies these credentials); bucket names are global`)];
    } else throw e;
  }

  if (!exists) {
    return [
      step('exists', 'create', `create in ${spec.region}, objects owned by the bucket owner (ACLs disabled)`, {
        apply: async () =>
          void (await s3.send(
            new CreateBucketCommand({
              Bucket,
              ObjectOwnership: 'BucketOwnerEnforced',
              ...(spec.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: spec.region as any } }),
            }),
          )),
      }),
      step('public access', 'set', 'block every kind of public access', { apply: async () => void (await s3.send(new PutPublicAccessBlockCommand({ Bucket, ...owner, PublicAccessBlockConfiguration: BLOCK_ALL }))) }),
      step('versioning', 'set', 'turn versioning on', { apply: async () => void (await s3.send(new PutBucketVersioningCommand({ Bucket, ...owner, VersioningConfiguration: { Status: 'Enabled' } }))) }),
      step('encryption', 'set', sseDetail, { apply: async (ctx) => void (await encryption(ctx)) }),
      step('tls', 'set', 'bucket policy: deny every request not sent over TLS', { apply: () => putPolicy(undefined) }),
      step('tags', 'set', `tag ${Object.keys(t.tags).length} tags from ${t.file}`, {
        apply: async () =>
          void (Object.keys(t.tags).length > 0 &&
            (await s3.send(new PutBucketTaggingCommand({ Bucket, ...owner, Tagging: { TagSet: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })) } })))),
      }),
    ];
  }

  const steps: Step[] = [step('exists', 'ok', 'exists and belongs to the account')];
  const location = normalizeLocation((await s3.send(new GetBucketLocationCommand({ Bucket, ...owner }))).LocationConstraint);
  if (location !== spec.region) {
    steps.push(step('region', 'conflict', `is in ${location}, ${t.file} expects ${spec.region} (set ?region=${location} on backend.url or use another bucket)`));
    return steps;
  }
  steps.push(step('region', 'ok', location));

  const ownership = await optional(() => s3.send(new GetBucketOwnershipControlsCommand({ Bucket, ...owner })), ['OwnershipControlsNotFoundError']);
  const objectOwnership = ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership;
  steps.push(
    objectOwnership === 'BucketOwnerEnforced'
      ? step('ownership', 'ok', 'BucketOwnerEnforced (ACLs disabled)')
      : step('ownership', 'conflict', `object ownership is ${objectOwnership ?? 'not set'}, not BucketOwnerEnforced`, {
          fix: {
            detail: 'set object ownership to BucketOwnerEnforced (ACLs disabled)',
            apply: async () => void (await s3.send(new PutBucketOwnershipControlsCommand({ Bucket, ...owner, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }))),
          },
        }),
  );

  const pab = (await optional(() => s3.send(new GetPublicAccessBlockCommand({ Bucket, ...owner })), ['NoSuchPublicAccessBlockConfiguration']))?.PublicAccessBlockConfiguration;
  const off = Object.keys(BLOCK_ALL).filter((k) => pab?.[k as keyof typeof BLOCK_ALL] !== true);
  steps.push(
    off.length === 0
      ? step('public access', 'ok', 'every public access block is on')
      : step('public access', 'conflict', `public access blocks off: ${off.join(', ')}`, {
          fix: { detail: 'block every kind of public access', apply: async () => void (await s3.send(new PutPublicAccessBlockCommand({ Bucket, ...owner, PublicAccessBlockConfiguration: BLOCK_ALL }))) },
        }),
  );

  const versioning = (await s3.send(new GetBucketVersioningCommand({ Bucket, ...owner }))).Status;
  steps.push(
    versioning === 'Enabled'
      ? step('versioning', 'ok', 'Enabled')
      : step('versioning', 'conflict', `versioning is ${versioning ?? 'off'}, not Enabled`, {
          fix: { detail: 'turn versioning on', apply: async () => void (await s3.send(new PutBucketVersioningCommand({ Bucket, ...owner, VersioningConfiguration: { Status: 'Enabled' } }))) },
        }),
  );

  const enc = await optional(() => s3.send(new GetBucketEncryptionCommand({ Bucket, ...owner })), ['ServerSideEncryptionConfigurationNotFoundError']);
  const rule = enc?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
  steps.push(
    rule?.SSEAlgorithm?.startsWith('aws:kms')
      ? step('encryption', 'ok', `${rule.SSEAlgorithm} with ${rule.KMSMasterKeyID ?? "S3's AWS-managed key"}`)
      : step('encryption', 'conflict', `default encryption is ${rule?.SSEAlgorithm ?? 'not set'}, not SSE-KMS`, {
          fix: { detail: sseDetail, apply: async (ctx) => void (await encryption(ctx)) },
        }),
  );

  const policy = (await optional(() => s3.send(new GetBucketPolicyCommand({ Bucket, ...owner })), ['NoSuchBucketPolicy']))?.Policy;
  steps.push(
    deniesInsecureTransport(policy, Bucket, spec.region)
      ? step('tls', 'ok', 'the bucket policy denies requests not sent over TLS')
      : step('tls', 'conflict', `the bucket policy ${policy ? 'does not deny' : 'is absent, so it does not deny'} requests not sent over TLS`, {
          fix: { detail: `add the ${TLS_SID} statement to the bucket policy (other statements kept)`, apply: () => putPolicy(policy) },
        }),
  );
  return steps;
}
