/**
 * EKS tokens from the project: the token a fixed key signs passes an independent verifier written
 * from aws-iam-authenticator's Verify() (and fails it for another cluster, a changed signature or the
 * wrong secret); `platform eks-token`, run as kubectl runs it, prints the ExecCredential, answers
 * the apiVersion kubectl asks for, assumes the role when given (moto's STS), and without credentials
 * fails with one line.
 */
import { strict as assert } from 'node:assert';
import { eksToken, execCredential, presignedCallerIdentityUrl, tokenFromUrl } from '../../src/aws/eks-token.js';
import { verifyEksToken } from '../helpers/eks-token-verify.js';
import { startMoto, type Moto } from '../gates/moto.js';
import { Scratch } from './helpers.js';

const KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const NOW = new Date('2026-11-30T03:00:00Z');

describe('EKS token (no AWS CLI)', function () {
  this.timeout(120_000);

  it('presigns GetCallerIdentity with the cluster header signed, in the format EKS verifies', async () => {
    const t = await eksToken({ cluster: 'platform-dev', region: 'eu-west-1', credentials: KEY, now: NOW });
    assert.equal(t.expirationTimestamp, '2026-11-30T03:14:00Z');
    const v = verifyEksToken(t.token, { cluster: 'platform-dev', region: 'eu-west-1', secretAccessKey: KEY.secretAccessKey, now: NOW });
    assert.equal(v.accessKeyId, KEY.accessKeyId);
    assert.equal(v.params['X-Amz-Expires'], '60');
    assert.equal(v.params['X-Amz-SignedHeaders'], 'host;x-k8s-aws-id');
    assert.equal(v.params['X-Amz-Date'], '20261130T030000Z');
    assert.equal(v.params['X-Amz-Security-Token'], undefined);
  });

  it('the verifier rejects a token for another cluster, a changed signature, the wrong secret, a stale date', async () => {
    const t = await eksToken({ cluster: 'platform-dev', region: 'eu-west-1', credentials: KEY, now: NOW });
    const ok = { cluster: 'platform-dev', region: 'eu-west-1', secretAccessKey: KEY.secretAccessKey, now: NOW };
    assert.throws(() => verifyEksToken(t.token, { ...ok, cluster: 'platform-prod' }), /signature does not match/);
    assert.throws(() => verifyEksToken(t.token, { ...ok, secretAccessKey: 'other' }), /signature does not match/);
    assert.throws(() => verifyEksToken(t.token, { ...ok, region: 'eu-central-1' }), /unexpected hostname/);
    assert.throws(() => verifyEksToken(t.token, { ...ok, now: new Date(NOW.getTime() + 16 * 60_000) }), /expired/);
    const url = Buffer.from(t.token.slice('k8s-aws-v1.'.length), 'base64url').toString();
    const tampered = tokenFromUrl(url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`));
    assert.throws(() => verifyEksToken(tampered, ok), /signature does not match/);
    // A header hoisted into the query (the signer's default for x-amz-* headers) would be refused.
    assert.throws(() => verifyEksToken(tokenFromUrl(`${url}&x-k8s-aws-id=platform-dev`), ok), /non-whitelisted query parameter/);
  });

  it('session credentials put the session token in the signed URL', async () => {
    const url = await presignedCallerIdentityUrl({ ...KEY, sessionToken: 'session/token+x' }, 'c', 'eu-west-1', NOW);
    const v = verifyEksToken(tokenFromUrl(url), { cluster: 'c', region: 'eu-west-1', secretAccessKey: KEY.secretAccessKey, now: NOW });
    assert.equal(v.params['X-Amz-Security-Token'], 'session/token+x');
  });

  it('answers the apiVersion kubectl asks for in KUBERNETES_EXEC_INFO, v1beta1 otherwise', () => {
    const t = { token: 'k8s-aws-v1.x', expirationTimestamp: '2026-11-30T03:14:00Z' };
    assert.equal(execCredential(t).apiVersion, 'client.authentication.k8s.io/v1beta1');
    assert.equal(execCredential(t, JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1' })).apiVersion, 'client.authentication.k8s.io/v1');
    assert.equal(execCredential(t, '{not json').apiVersion, 'client.authentication.k8s.io/v1beta1');
  });

  describe('platform eks-token (the built CLI)', () => {
    const s = new Scratch();
    let moto: Moto;
    before(async () => (moto = await startMoto()));
    after(() => {
      moto?.stop();
      s.dispose();
    });
    const isolated = { AWS_PROFILE: '', AWS_CONFIG_FILE: s.path('none'), AWS_SHARED_CREDENTIALS_FILE: s.path('none'), AWS_EC2_METADATA_DISABLED: 'true', AWS_SESSION_TOKEN: '' };

    it('prints an ExecCredential whose token verifies, with the default credential chain (env)', () => {
      const before = Date.now();
      const r = s.run(['eks-token', '--cluster', 'platform-dev', '--region', 'eu-west-1'], { ...isolated, AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const cred = JSON.parse(r.stdout);
      assert.deepEqual([cred.kind, cred.apiVersion], ['ExecCredential', 'client.authentication.k8s.io/v1beta1']);
      verifyEksToken(cred.status.token, { cluster: 'platform-dev', region: 'eu-west-1', secretAccessKey: KEY.secretAccessKey, now: new Date() });
      const exp = Date.parse(cred.status.expirationTimestamp);
      assert.ok(exp >= before + 14 * 60_000 - 1000 && exp <= Date.now() + 14 * 60_000, cred.status.expirationTimestamp);
    });

    it('--role-arn signs with the assumed role session (moto STS)', () => {
      const r = s.run(['eks-token', '--cluster', 'platform-stg', '--region', 'eu-west-1', '--role-arn', 'arn:aws:iam::222222222222:role/platform-deployer'], {
        ...isolated,
        AWS_ACCESS_KEY_ID: KEY.accessKeyId,
        AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey,
        PLATFORM_AWS_ENDPOINT: moto.endpoint,
      });
      assert.equal(r.code, 0, r.stderr);
      const v = verifyEksToken(JSON.parse(r.stdout).status.token, { cluster: 'platform-stg', region: 'eu-west-1', now: new Date() });
      assert.notEqual(v.accessKeyId, KEY.accessKeyId, 'signed by the role session, not the base key');
      assert.ok(v.params['X-Amz-Security-Token'], 'the role session token is in the URL');
    });

    it('without credentials: one line on stderr, exit 2, nothing on stdout', () => {
      const r = s.run(['eks-token', '--cluster', 'platform-dev', '--region', 'eu-west-1'], { ...isolated, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^error: cannot get AWS credentials for an EKS token of cluster 'platform-dev'/);
    });
  });
});
