/**
 * `platform bootstrap --env dev`, driven as users run it (the built CLI, the shipped stacks/dev.yaml)
 * against the moto AWS emulator: it creates exactly the bucket and key the file names, with every
 * setting; a second run changes nothing; `doctor` then passes its backend and secrets checks. Bad
 * input (unknown env, wrong account, a conflicting existing bucket) gets one line, its exit code and
 * no change in the account.
 */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import {
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  PutBucketVersioningCommand,
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand, ListKeysCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { startMoto, TEST_CREDENTIALS, type Moto } from '../gates/moto.js';
import { Scratch } from './helpers.js';

const REGION = 'eu-west-1';
const MGMT = '999999999999'; // managementAccountId of stacks/dev.yaml
const BUCKET = 'example-platform-state';
const ALIAS = 'alias/platform-dev-state';

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

describe('CLI: platform bootstrap (moto)', function () {
  this.timeout(180_000);
  let moto: Moto;
  const s = new Scratch();
  let mgmt: Creds;

  before(async () => {
    moto = await startMoto();
  });
  after(() => {
    moto?.stop();
    s.dispose();
  });
  beforeEach(async () => {
    await moto.reset();
    // moto acts in the account of an assumed role: credentials for the management account.
    const sts = new STSClient({ region: REGION, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS });
    const c = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MGMT}:role/operator`, RoleSessionName: 'test' }))).Credentials!;
    sts.destroy();
    mgmt = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  });

  const cli = (args: string[], creds: Creds = mgmt) =>
    s.run(args, {
      PLATFORM_AWS_ENDPOINT: moto.endpoint,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_SESSION_TOKEN: creds.sessionToken ?? '',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: s.path('no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: s.path('no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  const clients = () => {
    const cfg = { region: REGION, endpoint: moto.endpoint, credentials: mgmt };
    return { s3: new S3Client({ ...cfg, forcePathStyle: true }), kms: new KMSClient(cfg) };
  };
  /** Every bucket and customer key alias in the management account. */
  const inventory = async () => {
    const { s3, kms } = clients();
    try {
      const buckets = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name).sort();
      const aliases = ((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).map((a) => a.AliasName!).filter((a) => !a.startsWith('alias/aws/')).sort();
      const keys = ((await kms.send(new ListKeysCommand({}))).Keys ?? []).length;
      return { buckets, aliases, keys };
    } finally {
      s3.destroy();
      kms.destroy();
    }
  };

  it('creates exactly the bucket and key stacks/dev.yaml names, with every setting; a second run changes nothing; doctor passes', async () => {
    const first = cli(['bootstrap', '--env', 'dev']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^created\s+key alias\/platform-dev-state: exists/m);
    assert.match(first.stdout, /changed 9 setting\(s\) in account 999999999999/);
    assert.deepEqual(await inventory(), { buckets: [BUCKET], aliases: [ALIAS], keys: 1 });

    const { s3, kms } = clients();
    try {
      const key = (await kms.send(new DescribeKeyCommand({ KeyId: ALIAS }))).KeyMetadata!;
      assert.equal(key.KeyManager, 'CUSTOMER');
      assert.equal(key.KeySpec, 'SYMMETRIC_DEFAULT');
      assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId! }))).KeyRotationEnabled, true);
      assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status, 'Enabled');
      const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }))).ServerSideEncryptionConfiguration!.Rules![0]!;
      assert.deepEqual([rule.ApplyServerSideEncryptionByDefault!.SSEAlgorithm, rule.ApplyServerSideEncryptionByDefault!.KMSMasterKeyID], ['aws:kms', key.Arn]);
      const pab = (await s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }))).PublicAccessBlockConfiguration!;
      assert.deepEqual([pab.BlockPublicAcls, pab.IgnorePublicAcls, pab.BlockPublicPolicy, pab.RestrictPublicBuckets], [true, true, true, true]);
      assert.equal((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET }))).OwnershipControls!.Rules![0]!.ObjectOwnership, 'BucketOwnerEnforced');
      const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!);
      const tls = policy.Statement.find((st: any) => st.Effect === 'Deny');
      assert.deepEqual(tls.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
      assert.deepEqual(tls.Resource, [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`]);
    } finally {
      s3.destroy();
      kms.destroy();
    }

    const second = cli(['bootstrap', '--env', 'dev']);
    assert.equal(second.code, 0, second.stderr);
    const lines = second.stdout.trim().split('\n');
    assert.match(lines.at(-1)!, /^nothing to change: the state bucket and secrets key of env 'dev' match stacks\/dev\.yaml/);
    assert.deepEqual(lines.slice(0, -1).filter((l) => !l.startsWith('ok ')), [], 'every setting is ok on the second run');
    assert.deepEqual(await inventory(), { buckets: [BUCKET], aliases: [ALIAS], keys: 1 });

    const json = cli(['bootstrap', '--env', 'dev', '--json']);
    const last = JSON.parse(json.stdout.trim().split('\n').at(-1)!);
    assert.deepEqual([last.type, last.changed, last.exitCode], ['bootstrap-finished', 0, 0]);

    // moto evaluates bucket policies without their conditions (moto/s3/models.py put_bucket_policy:
    // "Conditions are not taken into account"), so the TLS-only Deny denies every request there, even
    // the doctor's; real S3 lets TLS requests through. The statement was asserted above; drop it here.
    const s3b = clients().s3;
    await s3b.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    s3b.destroy();
    const doctor = cli(['doctor', '--env', 'dev']);
    assert.match(doctor.stdout, /^PASS backend: s3:\/\/example-platform-state\/dev is reachable and writable$/m, doctor.stdout);
    assert.match(doctor.stdout, /^PASS secrets provider: KMS key alias\/platform-dev-state is enabled$/m, doctor.stdout);
    assert.match(doctor.stdout, /^PASS eks token: a token for cluster platform-dev is signed as arn:aws:iam::222222222222:role\/platform-deployer .*no AWS CLI needed$/m, doctor.stdout);
    assert.match(doctor.stdout, /^PASS kubernetes auth: EKS tokens come from `platform eks-token`; the AWS CLI is not needed/m, doctor.stdout);
    assert.doesNotMatch(doctor.stdout, /k8s-aws-v1/, 'the token is never printed');
  });

  it('a dry run reports what it would create and creates nothing', async () => {
    const r = cli(['bootstrap', '--env', 'dev', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^would create\s+bucket example-platform-state: exists/m);
    assert.match(r.stdout, /would change 9 setting\(s\).*nothing was changed/);
    assert.deepEqual(await inventory(), { buckets: [], aliases: [], keys: 0 });
  });

  it('a second env sharing the bucket gets its own key and leaves the bucket as it is', async () => {
    assert.equal(cli(['bootstrap', '--env', 'dev']).code, 0);
    const stg = cli(['bootstrap', '--env', 'stg']);
    assert.equal(stg.code, 0, stg.stderr);
    assert.match(stg.stdout, /^ok\s+bucket example-platform-state: encryption: aws:kms with arn:aws:kms:/m);
    assert.deepEqual(await inventory(), { buckets: [BUCKET], aliases: ['alias/platform-dev-state', 'alias/platform-stg-state'], keys: 2 });
  });

  it('an existing bucket with versioning off: refused with one line and no change; --fix turns it on', async () => {
    const { s3 } = clients();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Suspended' } }));
    const r = cli(['bootstrap', '--env', 'dev']);
    assert.equal(r.code, 2, r.stderr);
    const err = r.stderr.trim().split('\n');
    assert.equal(err.length, 1, r.stderr);
    // moto creates buckets without the defaults real S3 now applies, so ownership is the first conflict.
    assert.match(err[0]!, /^error: bucket example-platform-state: object ownership is not set, not BucketOwnerEnforced \(and 4 more: bucket public access, bucket versioning, bucket encryption, bucket tls\); nothing was changed; run again with --fix/);
    assert.deepEqual(await inventory(), { buckets: [BUCKET], aliases: [], keys: 0 }, 'not even the key was created');
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status, 'Suspended');

    const fixed = cli(['bootstrap', '--env', 'dev', '--fix']);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fixed.stdout, /^set\s+bucket example-platform-state: versioning: turn versioning on/m);
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status, 'Enabled');
    assert.equal((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET }))).OwnershipControls!.Rules![0]!.ObjectOwnership, 'BucketOwnerEnforced');
    const again = cli(['bootstrap', '--env', 'dev']);
    assert.match(again.stdout, /^nothing to change/m, 'after --fix the bucket matches the file');
    s3.destroy();
  });

  it('an existing key with rotation off: refused, bucket not created; --fix turns rotation on; a key open to anyone cannot be fixed', async () => {
    const { kms } = clients();
    const key = (await kms.send(new CreateKeyCommand({ KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT' }))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: ALIAS, TargetKeyId: key.KeyId! }));
    const r = cli(['bootstrap', '--env', 'dev']);
    oneLine(r, 2, /^error: key alias\/platform-dev-state: automatic key rotation is off; nothing was changed; run again with --fix/);
    assert.deepEqual((await inventory()).buckets, [], 'the bucket was not created either');
    assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId! }))).KeyRotationEnabled, false);
    assert.equal(cli(['bootstrap', '--env', 'dev', '--fix']).code, 0);
    assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId! }))).KeyRotationEnabled, true);

    const open = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Anyone', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }] });
    await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId!, PolicyName: 'default', Policy: open }));
    oneLine(cli(['bootstrap', '--env', 'dev', '--fix']), 2, /^error: key alias\/platform-dev-state: the key policy allows any principal without a condition \(statement Anyone\); nothing was changed; fix the key by hand/);
    kms.destroy();
  });

  const oneLine = (r: { code: number; stderr: string }, code: number, message: RegExp) => {
    assert.equal(r.code, code, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  };

  it('wrong account: one line naming both ids, exit 2, nothing created', async () => {
    oneLine(cli(['bootstrap', '--env', 'dev'], TEST_CREDENTIALS), 2, /^error: the AWS credentials are for account 123456789012, but stacks\/dev\.yaml puts the state of env 'dev' in account 999999999999/);
    assert.deepEqual(await inventory(), { buckets: [], aliases: [], keys: 0 });
  });

  it('unknown env: one line, exit 2, nothing created', async () => {
    oneLine(cli(['bootstrap', '--env', 'devv']), 2, /^error: unknown env 'devv'.*did you mean 'dev'\?/);
    assert.deepEqual(await inventory(), { buckets: [], aliases: [], keys: 0 });
  });

  it('--organization creates the organization stack\'s bucket and key from stacks/organization.yaml, then an env shares the bucket', async () => {
    const org = cli(['bootstrap', '--organization']);
    assert.equal(org.code, 0, org.stderr);
    assert.match(org.stdout, /^created\s+key alias\/platform-org-state: exists/m);
    assert.deepEqual(await inventory(), { buckets: [BUCKET], aliases: ['alias/platform-org-state'], keys: 1 });
    const dev = cli(['bootstrap', '--env', 'dev']);
    assert.equal(dev.code, 0, dev.stderr);
    assert.deepEqual(await inventory(), { buckets: [BUCKET], aliases: ['alias/platform-dev-state', 'alias/platform-org-state'], keys: 2 });
  });

  it('missing organization file: one line, exit 2, nothing created', async () => {
    const bare = new Scratch();
    try {
      rmSync(bare.path('stacks/organization.yaml'));
      const r = bare.run(['bootstrap', '--organization'], { PLATFORM_AWS_ENDPOINT: moto.endpoint, AWS_ACCESS_KEY_ID: mgmt.accessKeyId, AWS_SECRET_ACCESS_KEY: mgmt.secretAccessKey, AWS_SESSION_TOKEN: mgmt.sessionToken });
      oneLine(r, 2, /^error: stacks\/organization\.yaml not found/);
    } finally {
      bare.dispose();
    }
    assert.deepEqual(await inventory(), { buckets: [], aliases: [], keys: 0 });
  });

  it('--env and --organization together, or neither: one usage line, exit 2', () => {
    oneLine(cli(['bootstrap', '--env', 'dev', '--organization']), 2, /^error: bootstrap takes one of --env <name> and --organization/);
    oneLine(cli(['bootstrap']), 2, /^error: bootstrap takes one of --env <name> and --organization/);
  });

  it('local (file backend, passphrase): one line saying there is nothing to bootstrap', () => {
    const r = cli(['bootstrap', '--env', 'local']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^nothing to bootstrap for env 'local': its state is a local file backend/);
  });
});
