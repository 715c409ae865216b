import { strict as assert } from 'node:assert';
import { createKubeProbe } from '../../src/gates/probes/k8s.js';
import { deploymentReady, crReady } from '../../src/gates/k8s/readiness.js';
import { KubeReplay, kubeconfigFor, loadScenario } from './kube-replay.js';
import { verifyEksToken } from '../helpers/eks-token-verify.js';

describe('Kubernetes probe (against a loopback API server replaying recorded responses)', () => {
  let replay: KubeReplay;
  let kubeconfig: string;
  before(async () => {
    replay = new KubeReplay([...loadScenario('deployment-ready'), ...loadScenario('nodepool-not-ready'), ...loadScenario('deployment-deadline-exceeded')]);
    kubeconfig = kubeconfigFor(await replay.start());
  });
  after(() => replay.stop());

  it('reads a Deployment through the apps/v1 path with the kubeconfig token', async () => {
    const k = createKubeProbe(kubeconfig);
    const d = await k.read({ kind: 'Deployment', namespace: 'kube-system', name: 'coredns' });
    assert.ok(d);
    assert.equal(d.kind, 'Deployment');
    assert.equal(deploymentReady(d).ready, true);
    const req = replay.requests.at(-1)!;
    assert.equal(req.path, '/apis/apps/v1/namespaces/kube-system/deployments/coredns');
    assert.equal(req.authorization, 'Bearer replay-token-0123456789');
  });

  it('reads cluster-scoped CRs and returns undefined for a 404', async () => {
    const k = createKubeProbe(kubeconfig);
    const np = await k.read({ kind: 'NodePool', name: 'default' });
    assert.equal(crReady(np!).ready, false);
    assert.equal(await k.read({ kind: 'NodePool', name: 'missing' }), undefined);
  });

  it('lists core objects in a namespace', async () => {
    const k = createKubeProbe(kubeconfig);
    const pods = await k.list('Pod', { namespace: 'external-dns' });
    assert.equal(pods.length, 1);
    assert.equal(pods[0]!.metadata?.name, 'external-dns-6c4d9f7b8d-x2x7q');
  });

  it('reports a failed list with the HTTP code and the API message, not the token', async () => {
    const k = createKubeProbe(kubeconfig);
    await assert.rejects(k.list('Deployment', { namespace: 'nope' }), (e: Error) => {
      assert.match(e.message, /list Deployment in nope failed with HTTP 404: the server could not find/);
      assert.equal(e.message.includes('replay-token'), false);
      return true;
    });
  });

  it('creates with the right apiVersion and path, and deletes ignoring 404', async () => {
    replay.add([{ method: 'POST', path: '/apis/batch/v1/namespaces/kube-system/jobs', status: 201, body: { kind: 'Job', metadata: { name: 'dns-check', namespace: 'kube-system' } } }]);
    const k = createKubeProbe(kubeconfig);
    const created = await k.create({ kind: 'Job', metadata: { name: 'dns-check', namespace: 'kube-system' }, spec: { template: {} } });
    assert.equal(created.metadata?.name, 'dns-check');
    const post = replay.requests.at(-1)!;
    assert.equal(JSON.parse(post.body).apiVersion, 'batch/v1');
    assert.match(post.query, /fieldValidation=Strict/);
    await k.delete({ kind: 'Job', namespace: 'kube-system', name: 'dns-check' });
  });

  it('creates a core kind with the body exactly as written (no typed model dropping unknown fields), strictly validated', async () => {
    replay.add([{ method: 'POST', path: '/api/v1/namespaces/default/persistentvolumeclaims', status: 201, body: { kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'default' } } }]);
    const k = createKubeProbe(kubeconfig);
    const spec = { accessModes: ['ReadWriteOnce'], storageClassNam: 'gp3', resources: { requests: { storage: '1Gi' } } };
    await k.create({ kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'default' }, spec });
    const post = replay.requests.at(-1)!;
    assert.deepEqual(JSON.parse(post.body), { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'default' }, spec });
    assert.match(post.query, /fieldValidation=Strict/);
  });

  it('refuses a kubeconfig without a current cluster', () => {
    assert.throws(() => createKubeProbe('apiVersion: v1\nkind: Config\nclusters: []\n'), /no current cluster/);
  });
});

describe('Kubernetes probe with an EKS kubeconfig (tokens minted in-process, no AWS CLI)', () => {
  const KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'gate-probe-test-secret' };
  let replay: KubeReplay;
  let server: string;
  before(async () => {
    replay = new KubeReplay(loadScenario('deployment-ready'));
    server = await replay.start();
  });
  after(() => replay.stop());

  // The exec command cannot run (no such file): a probe that spawned it would fail.
  const eksKubeconfig = (command: string, args: string[]) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'c' } }],
      'current-context': 'c',
      users: [{ name: 'c', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command, args } } }],
    });

  for (const [what, command, args] of [
    ['platform eks-token', '/nonexistent/platform', ['eks-token', '--cluster', 'platform-dev', '--region', 'eu-west-1']],
    ['aws eks get-token (@pulumi/eks kubeconfigs)', '/nonexistent/aws', ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'platform-dev']],
  ] as const) {
    it(`${what}: sends a bearer token the EKS verifier accepts for the cluster`, async () => {
      const k = createKubeProbe(eksKubeconfig(command, [...args]), { eksToken: { credentials: KEY } });
      const d = await k.read({ kind: 'Deployment', namespace: 'kube-system', name: 'coredns' });
      assert.equal(d?.kind, 'Deployment');
      const auth = replay.requests.at(-1)!.authorization!;
      assert.match(auth, /^Bearer k8s-aws-v1\./);
      verifyEksToken(auth.slice('Bearer '.length), { cluster: 'platform-dev', region: 'eu-west-1', secretAccessKey: KEY.secretAccessKey, now: new Date() });
    });
  }

  it('mints once and reuses the token until a minute before it expires', async () => {
    let minted = 0;
    const mint = async () => ({ token: `k8s-aws-v1.t${++minted}`, expirationTimestamp: new Date(Date.now() + (minted === 1 ? 30_000 : 14 * 60_000)).toISOString() });
    const k = createKubeProbe(eksKubeconfig('platform', ['eks-token', '--cluster', 'c', '--region', 'eu-west-1']), { eksToken: { mint } });
    await k.read({ kind: 'Deployment', namespace: 'kube-system', name: 'coredns' });
    await k.read({ kind: 'Deployment', namespace: 'kube-system', name: 'coredns' });
    assert.equal(minted, 2, 'the first token expires within a minute, so the second call renews it');
    await k.read({ kind: 'Deployment', namespace: 'kube-system', name: 'coredns' });
    assert.equal(minted, 2, 'the second is reused');
    assert.equal(replay.requests.at(-1)!.authorization, 'Bearer k8s-aws-v1.t2');
  });
});
