/**
 * The preflight's fallback lookup against moto's EKS: as the deploy role in the env account, the
 * endpoint of an existing cluster; undefined for a cluster that does not exist; an STS that cannot
 * be reached is one clear error, not a silent skip.
 */
import { strict as assert } from 'node:assert';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describeClusterEndpoint } from '../../src/preflight/describe-cluster.js';
import { prodEnv } from '../helpers/env-fixtures.js';
import { startMoto, TEST_CREDENTIALS, type Moto } from '../gates/moto.js';

describe('preflight: the endpoint EKS reports (moto)', function () {
  this.timeout(120_000);
  let moto: Moto;
  const saved = { ...process.env };
  before(async () => {
    moto = await startMoto();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
  });
  after(() => {
    moto?.stop();
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_EC2_METADATA_DISABLED', 'AWS_PROFILE', 'AWS_SESSION_TOKEN']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
  beforeEach(() => moto.reset());

  const role = `arn:aws:iam::${prodEnv.accountId}:role/platform-deployer`;

  it('finds the cluster in the env account as the deploy role, and nothing when it does not exist', async () => {
    assert.equal(await describeClusterEndpoint(prodEnv, { roleArn: role, endpoint: moto.endpoint }), undefined);
    const sts = new STSClient({ region: prodEnv.regions.primary, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS });
    const c = (await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 't' }))).Credentials!;
    sts.destroy();
    const eks = new EKSClient({ region: prodEnv.regions.primary, endpoint: moto.endpoint, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken } });
    await eks.send(new CreateClusterCommand({ name: prodEnv.cluster.name, roleArn: `arn:aws:iam::${prodEnv.accountId}:role/cluster`, resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] } }));
    eks.destroy();
    const endpoint = await describeClusterEndpoint(prodEnv, { roleArn: role, endpoint: moto.endpoint });
    assert.match(endpoint ?? '', /^https:\/\//);
    assert.equal(await describeClusterEndpoint(prodEnv, { endpoint: moto.endpoint }), undefined, 'another account (no role): not found there');
  });

  it('STS cannot be reached to assume the role: config-missing naming the cluster, not a silent skip', async () => {
    await assert.rejects(describeClusterEndpoint(prodEnv, { roleArn: role, endpoint: 'http://127.0.0.1:1' }), (e: { code: string; message: string }) => {
      assert.equal(e.code, 'config-missing');
      assert.match(e.message, /cannot look up EKS cluster platform-prod/);
      return true;
    });
  });
});
