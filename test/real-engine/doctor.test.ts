/**
 * `platform doctor` checks against the real engine build and a moto AWS emulator: pass lines when
 * everything is there, fail lines with hints when the Node is old, the passphrase is missing, the
 * account differs; S3 backend and KMS secrets provider probed through the emulator.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { doctorLines, runDoctor, type DoctorCheck } from '../../src/engine/pulumi/doctor.js';
import { makeEnv } from '../helpers/env-fixtures.js';
import { REPO_ROOT, requireEngineRoot } from './harness.js';
import { motoSts, startMoto, type Moto } from './moto.js';

const byName = (checks: DoctorCheck[], name: string) => checks.find((c) => c.name === name)!;

describe('platform doctor', function () {
  this.timeout(120_000);
  let moto: Moto;
  let dir: string;
  before(async () => {
    requireEngineRoot();
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'platform-doctor-'));
    writeFileSync(join(dir, 'pass'), 'doctor-pass', { mode: 0o600 });
  });
  after(async () => {
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const base = () => ({ repoRoot: REPO_ROOT, cacheDir: join(dir, 'cache'), processEnv: { PATH: process.env.PATH } });

  it('reports node, engine and launcher without an env', async () => {
    const checks = await runDoctor(base());
    assert.deepEqual(checks.map((c) => [c.name, c.ok]), [['node', true], ['engine', true], ['dynamic-provider launcher', true], ['kubernetes auth', true]]);
    assert.match(byName(checks, 'kubernetes auth').detail, /the AWS CLI is not needed/);
    assert.match(byName(checks, 'engine').detail, /^pulumi 3\.\d+\.\d+ at \//);
    const old = await runDoctor({ ...base(), nodeVersion: '20.11.1' });
    assert.equal(byName(old, 'node').ok, false);
    assert.match(doctorLines(old)[0]!, /^FAIL node: Node 20\.11\.1; Node >= 22\.12\.0 is needed/);
  });

  it('with an env: file backend writable, passphrase file, account matches', async () => {
    const env = makeEnv((e) => ({
      ...e,
      accountId: '123456789012',
      backend: { url: `file://${join(dir, 'state')}` },
      secrets: { provider: 'passphrase', passphraseFile: join(dir, 'pass') },
    }));
    const checks = await runDoctor({ ...base(), env, aws: motoSts(moto.endpoint) });
    for (const c of checks) assert.ok(c.ok, doctorLines([c])[0]);
    assert.match(byName(checks, 'secrets provider').detail, /passphrase from file .*pass$/);
    assert.match(byName(checks, 'aws account').detail, /account 123456789012/);
  });

  it('fails the lines that are wrong, with hints, and keeps going', async () => {
    const env = makeEnv((e) => ({ ...e, accountId: '999988887777', backend: { url: `file://${join(dir, 'state2')}` }, secrets: { provider: 'passphrase' } }));
    const checks = await runDoctor({ ...base(), env, aws: motoSts(moto.endpoint) });
    const secrets = byName(checks, 'secrets provider');
    assert.equal(secrets.ok, false);
    assert.match(secrets.hint!, /PULUMI_CONFIG_PASSPHRASE_FILE/);
    const account = byName(checks, 'aws account');
    assert.equal(account.ok, false);
    assert.match(account.detail, /123456789012.*999988887777/);
    assert.equal(byName(checks, 'backend').ok, true, 'one failure does not stop the other checks');
  });

  it('probes an S3 backend and a KMS secrets provider', async () => {
    const aws = { ...motoSts(moto.endpoint), forcePathStyle: true };
    const s3 = new S3Client(aws);
    await s3.send(new CreateBucketCommand({ Bucket: 'doctor-state', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    s3.destroy();
    const kms = new KMSClient(aws);
    const key = await kms.send(new CreateKeyCommand({}));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/doctor-state', TargetKeyId: key.KeyMetadata!.KeyId! }));
    kms.destroy();
    const env = makeEnv((e) => ({
      ...e,
      accountId: '123456789012',
      backend: { url: 's3://doctor-state/platform' },
      secrets: { provider: 'awskms://alias/doctor-state?region=eu-west-1' },
    }));
    const checks = await runDoctor({ ...base(), env, aws });
    assert.equal(byName(checks, 'backend').ok, true, doctorLines([byName(checks, 'backend')])[0]);
    assert.equal(byName(checks, 'secrets provider').ok, true, doctorLines([byName(checks, 'secrets provider')])[0]);
    const missing = await runDoctor({ ...base(), env: { ...env, backend: { url: 's3://no-such-bucket/x' } }, aws });
    assert.equal(byName(missing, 'backend').ok, false);
  });
});
