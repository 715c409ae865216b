/**
 * S3 rules (reference/reliability.md §3 rows 12-17). @pulumi/aws v7 configures a bucket through
 * companion resources (public access block, encryption, versioning, logging, policy) that name the
 * bucket in `bucket`. Stack rules link each bucket to its companions (util.linkCompanions) and report
 * a bucket that lacks one; resource rules check each companion's settings.
 *
 * One exemption, in `s3-encryption-kms` only: S3 server access logs cannot be delivered to a bucket
 * whose default encryption is SSE-KMS, so an access-log bucket may use SSE-S3 (AES256). A bucket is
 * an access-log bucket when it carries the tag `platform:role = s3-access-logs` AND is the
 * `targetBucket` of a BucketLogging in the graph AND its encryption companion names it exactly.
 * Anything else (a tag alone, a target alone, no encryption at all) is judged like every bucket.
 */
import type { CheckResource, ResourceRule, StackRule } from '../types.js';
import { at, handles, isRecord, linkCompanions, list, ofType, policyStatements } from '../util.js';
import { ACCESS_LOG_BUCKET_TAG } from '../../core/platform-names.js';

export const BUCKET_TYPES = ['aws:s3/bucket:Bucket', 'aws:s3/bucketV2:BucketV2'];
const PAB = 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock';
const SSE = ['aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', 'aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2'];
const VERSIONING = ['aws:s3/bucketVersioning:BucketVersioning', 'aws:s3/bucketVersioningV2:BucketVersioningV2'];
const LOGGING = ['aws:s3/bucketLogging:BucketLogging', 'aws:s3/bucketLoggingV2:BucketLoggingV2'];
const POLICY = 'aws:s3/bucketPolicy:BucketPolicy';
const FLAGS = ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'] as const;

function companions(resources: readonly CheckResource[], types: readonly string[]): Map<CheckResource, CheckResource[]> {
  return linkCompanions(ofType(resources, BUCKET_TYPES), ofType(resources, types), 'bucket', ['bucket']);
}

/** True when the policy has a Deny on aws:SecureTransport = false. */
export function deniesInsecureTransport(policy: unknown): boolean {
  const parsed = policyStatements(policy);
  if (!parsed) return false;
  return parsed.statements.some((s) => {
    if (s.Effect !== 'Deny') return false;
    const v = at(s.Condition, 'Bool.aws:SecureTransport');
    return list(v).some((x) => String(x) === 'false');
  });
}

function sseIsKms(sse: CheckResource): { ok: boolean; property: string; message: string } {
  const rules = list<Record<string, any>>(sse.props.rules);
  const i = rules.findIndex((x) => isRecord(x?.applyServerSideEncryptionByDefault));
  if (i < 0) return { ok: false, property: 'rules', message: 'no applyServerSideEncryptionByDefault rule' };
  const d = rules[i].applyServerSideEncryptionByDefault as Record<string, unknown>;
  if (d.sseAlgorithm !== 'aws:kms' && d.sseAlgorithm !== 'aws:kms:dsse') {
    return { ok: false, property: `rules[${i}].applyServerSideEncryptionByDefault.sseAlgorithm`, message: `sseAlgorithm ${JSON.stringify(d.sseAlgorithm)} is not aws:kms` };
  }
  if (!d.kmsMasterKeyId) return { ok: false, property: `rules[${i}].applyServerSideEncryptionByDefault.kmsMasterKeyId`, message: 'SSE-KMS with the AWS-managed key, not a customer key' };
  return { ok: true, property: '', message: '' };
}


/** Every `targetBucket` a BucketLogging in the graph names. */
function loggingTargets(resources: readonly CheckResource[]): Set<string> {
  return new Set(ofType(resources, LOGGING).map((l) => l.props.targetBucket).filter((t): t is string => typeof t === 'string'));
}

function isLoggingTarget(bucket: CheckResource, targets: ReadonlySet<string>): boolean {
  return [bucket.id, bucket.props.bucket].some((h) => typeof h === 'string' && targets.has(h));
}

function hasAccessLogTag(bucket: CheckResource): boolean {
  return isRecord(bucket.props.tags) && bucket.props.tags[ACCESS_LOG_BUCKET_TAG.key] === ACCESS_LOG_BUCKET_TAG.value;
}

/** True when `sse` is exactly SSE-S3 (AES256, no key). */
function sseIsS3(sse: CheckResource): boolean {
  const rules = list<Record<string, any>>(sse.props.rules);
  return rules.length > 0 && rules.every((x) => isRecord(x?.applyServerSideEncryptionByDefault) && x.applyServerSideEncryptionByDefault.sseAlgorithm === 'AES256' && !x.applyServerSideEncryptionByDefault.kmsMasterKeyId);
}

function missingCompanion(name: string, description: string, mirrors: string[], fix: string, types: readonly string[], what: string): StackRule {
  return {
    kind: 'stack',
    name,
    description,
    severity: 'high',
    mirrors,
    fix,
    validateStack(resources, report) {
      for (const [bucket, found] of companions(resources, types)) {
        if (found.length === 0) report({ resource: bucket, property: '(companion)', message: `no ${what} refers to this bucket` });
      }
    },
  };
}

export const s3Rules: (ResourceRule | StackRule)[] = [
  missingCompanion('s3-public-access-block-present', 'Every bucket has a public access block', ['CKV2_AWS_6', 'AVD-AWS-0094'], 'add an aws.s3.BucketPublicAccessBlock for the bucket with all four flags true', [PAB], 'aws.s3.BucketPublicAccessBlock'),
  {
    kind: 'resource',
    name: 's3-public-access-block-all',
    description: 'A bucket public access block sets all four flags',
    severity: 'high',
    mirrors: ['CKV_AWS_53', 'CKV_AWS_54', 'CKV_AWS_55', 'CKV_AWS_56', 'AVD-AWS-0086', 'AVD-AWS-0087', 'AVD-AWS-0091', 'AVD-AWS-0093', 'CIS AWS 2.1.4'],
    fix: `set ${FLAGS.join(', ')} to true`,
    resourceTypes: [PAB, 'aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock'],
    validateResource(r, report) {
      for (const f of FLAGS) if (r.props[f] !== true) report({ property: f, message: `${f} is not true` });
    },
  },
  missingCompanion('s3-encryption-present', 'Every bucket has default encryption configured', ['CKV_AWS_19', 'AVD-AWS-0088', 'aws-s3-bucket-enable-server-side-encryption'], 'add an aws.s3.BucketServerSideEncryptionConfiguration with aws:kms and the s3 KMS key', SSE, 'aws.s3.BucketServerSideEncryptionConfiguration'),
  {
    kind: 'stack',
    name: 's3-encryption-kms',
    description: 'Bucket default encryption is SSE-KMS with a customer key (an access-log bucket may use SSE-S3)',
    severity: 'medium',
    mirrors: ['CKV_AWS_145', 'AVD-AWS-0132', 'aws-s3-bucket-configure-server-side-encryption-kms'],
    fix: 'set rules[].applyServerSideEncryptionByDefault to { sseAlgorithm: "aws:kms", kmsMasterKeyId: <s3 key> } and bucketKeyEnabled: true (SSE-S3 only on a BucketLogging target tagged platform:role=s3-access-logs)',
    validateStack(resources, report) {
      const targets = loggingTargets(resources);
      const bucketOf = new Map<CheckResource, CheckResource>();
      for (const [bucket, found] of companions(resources, SSE)) for (const sse of found) bucketOf.set(sse, bucket);
      for (const sse of ofType(resources, SSE)) {
        const res = sseIsKms(sse);
        if (res.ok) continue;
        const bucket = bucketOf.get(sse);
        const exact = bucket !== undefined && typeof sse.props.bucket === 'string' && handles(bucket, ['bucket']).has(sse.props.bucket);
        const tagged = exact && hasAccessLogTag(bucket);
        const target = exact && isLoggingTarget(bucket, targets);
        if (tagged && target && sseIsS3(sse)) continue;
        const why = tagged && !target ? ' (the bucket is tagged as an access-log bucket, but no aws.s3.BucketLogging targets it)' : '';
        report({ resource: sse, property: res.property, message: `${res.message}${why}` });
      }
    },
  },
  missingCompanion('s3-versioning-present', 'Every bucket has versioning configured', ['CKV_AWS_21', 'AVD-AWS-0090'], 'add an aws.s3.BucketVersioning with status "Enabled"', VERSIONING, 'aws.s3.BucketVersioning'),
  {
    kind: 'resource',
    name: 's3-versioning-enabled',
    description: 'Bucket versioning is Enabled',
    severity: 'medium',
    mirrors: ['CKV_AWS_21', 'AVD-AWS-0090'],
    fix: 'set versioningConfiguration.status: "Enabled"',
    resourceTypes: VERSIONING,
    validateResource(r, report) {
      const s = at(r.props, 'versioningConfiguration.status');
      if (s !== 'Enabled') report({ property: 'versioningConfiguration.status', message: `versioning status is ${JSON.stringify(s)}` });
    },
  },
  {
    kind: 'stack',
    name: 's3-access-logging',
    description: 'Every bucket logs access to a log bucket (a bucket that receives access logs is exempt)',
    severity: 'low',
    mirrors: ['CKV_AWS_18', 'AVD-AWS-0089', 's3-bucket-logging-enabled'],
    fix: 'add an aws.s3.BucketLogging with targetBucket set to the access-log bucket',
    validateStack(resources, report) {
      const links = companions(resources, LOGGING);
      const targets = loggingTargets(resources);
      for (const [bucket, found] of links) {
        if (isLoggingTarget(bucket, targets)) continue;
        if (found.length === 0) report({ resource: bucket, property: '(companion)', message: 'no aws.s3.BucketLogging refers to this bucket' });
        for (const l of found) if (!l.props.targetBucket) report({ resource: l, property: 'targetBucket', message: 'the logging configuration has no target bucket' });
      }
    },
  },
  {
    kind: 'stack',
    name: 's3-tls-only',
    description: 'Every bucket policy denies requests without TLS (aws:SecureTransport = false)',
    severity: 'medium',
    mirrors: ['CIS AWS 2.1.1', 's3-bucket-ssl-requests-only', 'AWS FSBP S3.5'],
    fix: 'add an aws.s3.BucketPolicy with a Deny statement on "s3:*" when Bool aws:SecureTransport is "false"',
    validateStack(resources, report) {
      for (const [bucket, found] of companions(resources, [POLICY])) {
        if (found.length === 0) report({ resource: bucket, property: '(companion)', message: 'no aws.s3.BucketPolicy refers to this bucket, so plain HTTP is allowed' });
        else if (!found.some((p) => deniesInsecureTransport(p.props.policy))) report({ resource: found[0], property: 'policy', message: 'the bucket policy does not deny aws:SecureTransport = false' });
      }
    },
  },
  {
    kind: 'resource',
    name: 's3-no-public-acl',
    description: 'No bucket ACL grants public read or write',
    severity: 'high',
    mirrors: ['CKV_AWS_20', 'CKV_AWS_57', 'AVD-AWS-0092'],
    fix: 'drop the ACL and set BucketOwnershipControls to BucketOwnerEnforced',
    resourceTypes: [...BUCKET_TYPES, 'aws:s3/bucketAcl:BucketAcl', 'aws:s3/bucketAclV2:BucketAclV2'],
    validateResource(r, report) {
      const acl = r.props.acl;
      if (typeof acl === 'string' && /^public-|^authenticated-read$/.test(acl)) report({ property: 'acl', message: `canned ACL ${acl} opens the bucket` });
    },
  },
];
