/**
 * Phase 2's kubeconfig needs no AWS CLI (review R11): its user runs `platform eks-token` for the
 * cluster, region and deploy role, both in the exported output and in the Kubernetes provider the
 * phase's charts deploy through; @kubernetes/client-node reads it as an exec user.
 */
import { strict as assert } from 'node:assert';
import { KubeConfig } from '@kubernetes/client-node';
import { eksTokenRequest, kubeconfigObject } from '../../programs/shared/kubeconfig.js';
import { shippedEnv } from './phase-02-upstream.js';
import { byType, runPhase2 } from './phase-02-run.js';

describe('kubeconfig (platform eks-token, no AWS CLI)', function () {
  this.timeout(120_000);

  it('the exec user runs platform eks-token with the cluster, region and role; client-node reads it', () => {
    const o = kubeconfigObject({ clusterName: 'platform-dev', endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthorityData: 'Q0E=', region: 'eu-west-1', roleArn: 'arn:aws:iam::222222222222:role/platform-deployer' });
    const kc = new KubeConfig();
    kc.loadFromString(JSON.stringify(o));
    assert.equal(kc.getCurrentCluster()?.server, 'https://ABC.gr7.eu-west-1.eks.amazonaws.com');
    const exec = kc.getCurrentUser()?.exec;
    assert.equal(exec.command, 'platform');
    assert.deepEqual(exec.args, ['eks-token', '--cluster', 'platform-dev', '--region', 'eu-west-1', '--role-arn', 'arn:aws:iam::222222222222:role/platform-deployer']);
    assert.equal(exec.apiVersion, 'client.authentication.k8s.io/v1beta1');
  });

  it('reads the token request back from ours and from an @pulumi/eks `aws eks get-token` user', () => {
    assert.deepEqual(eksTokenRequest({ command: 'platform', args: ['eks-token', '--cluster', 'c', '--region', 'eu-west-1'] }), { clusterName: 'c', region: 'eu-west-1' });
    assert.deepEqual(
      eksTokenRequest({ command: 'aws', args: ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'c', '--role', 'arn:aws:iam::1:role/r'] }),
      { clusterName: 'c', region: 'eu-west-1', roleArn: 'arn:aws:iam::1:role/r' },
    );
    assert.equal(eksTokenRequest({ command: 'kubelogin', args: ['get-token'] }), undefined);
    assert.equal(eksTokenRequest({ command: 'platform', args: ['eks-token', '--cluster', 'c'] }), undefined, 'no region: not ours to mint');
  });

  for (const name of ['dev', 'prod'] as const) {
    it(`phase 2 (${name}) exports and deploys through a kubeconfig that runs platform eks-token as the deploy role`, async () => {
      const env = shippedEnv(name);
      const r = await runPhase2(env);
      const exported = JSON.parse(r.out.kubeconfig as string);
      const exec = exported.users[0].user.exec;
      assert.equal(exec.command, 'platform');
      assert.deepEqual(exec.args, ['eks-token', '--cluster', env.cluster.name, '--region', env.regions.primary, '--role-arn', r.inputs.deployRoleArn]);
      assert.ok(!JSON.stringify(exported).includes('get-token'), 'no AWS CLI call left');
      const [provider] = byType(r.ev, 'pulumi:providers:kubernetes');
      assert.equal(JSON.parse(provider!.inputs.kubeconfig as string).users[0].user.exec.command, 'platform', "the charts' provider uses the same kubeconfig");
    });
  }
});
