/**
 * Phase 5's gates against a real API server (etcd + kube-apiserver + kube-controller-manager, built
 * by scripts/install-test-cluster.sh; Argo CD's and Istio's CRDs from their Go modules) and ECR on
 * moto. No Argo CD, Istio or kubelet runs here, so the test writes what they would:
 * - Argo CD: each Application's `status.sync`, `status.health` and `status.summary.images` (the
 *   Application CRD has no status subresource: Argo CD writes the whole object, and so does the test);
 * - ECR: images pushed by CI (PutImage) with the tags the Applications run, scanned on push
 *   (StartImageScan; moto's default result has one HIGH finding), and a CRITICAL result set through
 *   moto's documented scan-finding-results API;
 * - the kubelet: the gate's plain-text probe pod ends `Failed` (curl exit 56, connection reset by the
 *   sidecar of a STRICT workload) or `Succeeded` (an answer came back in plain text).
 * The mesh-wide and namespace PeerAuthentications and the app namespace are the programs' own objects
 * (phase 2's meshPeerAuthentication, phase 5's appNamespaceObjects).
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { CreateRepositoryCommand, ECRClient, PutImageCommand, StartImageScanCommand } from '@aws-sdk/client-ecr';
import { CoreV1Api, CustomObjectsApi, KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { meshPeerAuthentication } from '../../programs/02-cluster/charts/istio.js';
import { gates, PLAIN_PROBE } from '../../programs/05-apps/gates.js';
import { appNamespaceObjects } from '../../programs/05-apps/namespace.js';
import { SERVICES } from '../../programs/shared/services.js';
import type { Gate, GateResult } from '../../src/core/gate.js';
import { createProbes } from '../../src/gates/probes/index.js';
import { runGates } from '../../src/gates/run-gates.js';
import { systemClock } from '../../src/state/clock.js';
import { motoConfig, startMoto, TEST_CREDENTIALS, type Moto } from '../gates/moto.js';
import { shippedEnv } from '../programs/phase-02-upstream.js';
import { Applier, type ApplyResult } from './apply.js';
import { startCluster, type TestCluster } from './control-plane.js';
import { readYamlObjects } from './crds.js';
import { toolchain } from './toolchain.js';

const env = shippedEnv('dev');
const REGION = env.regions.primary;
const NS = `apps-${env.name}`;
const failures = (rs: ApplyResult[]) => rs.filter((r) => !r.ok).map((r) => `${r.ref}: ${r.message}`);
/** The tag CI gives an image: the commit SHA it was built from. */
const tagOf = (svc: string) => createHash('sha1').update(`commit of ${svc}`).digest('hex');
const manifest = (svc: string) => JSON.stringify({
  schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 7023, digest: `sha256:${Buffer.from(svc).toString('hex').padEnd(64, '0')}` },
  layers: [],
});

describe('test cluster: the phase 5 gates (Argo CD statuses and the kubelet played by the test; ECR on moto)', function () {
  this.timeout(600_000);
  let cluster: TestCluster;
  let applier: Applier;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  let moto: Moto;
  let ecr: ECRClient;
  const repoUrls: Record<string, string> = {};

  const outputs = () => ({
    kubeconfig: cluster.kubeconfig, ecrRepositoryUrls: repoUrls, appNamespaces: { [env.name]: NS },
    ciRoleArns: {}, githubOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com', serviceAccounts: {}, chartPaths: {},
  });
  const phase = { id: 5 as const, gates };
  /** The gate as defined, polled fast. */
  const quick = (name: string, timeoutMs: number): Gate<any, any> => ({ ...gates.find((g) => g.name === name)!, after: [], intervalMs: 300, timeoutMs });
  async function run(name: string, timeoutMs = 4_000): Promise<GateResult> {
    const outs = outputs();
    const [r] = await runGates({ ...phase, gates: [quick(name, timeoutMs)] }, {
      env, outputs: outs, probes: createProbes(env, outs, { awsEndpoint: moto.endpoint, awsCredentials: TEST_CREDENTIALS }),
      clock: systemClock, signal: new AbortController().signal, simulated: false, emit: () => {}, secretValues: [cluster.kubeconfig],
    });
    return r!;
  }
  const text = (r: GateResult) => r.evidence.join(' | ');

  /** Argo CD's view of one Application: written whole (no status subresource), as its controller does. */
  async function setApp(svc: string, status: { sync: string; health: string; images?: string[] }): Promise<void> {
    const name = `${svc}-${env.name}`;
    const app = (await custom.getNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace: 'argocd', plural: 'applications', name })) as any;
    app.status = {
      sync: { status: status.sync, revision: '4f1e2d3c4b5a69788796a5b4c3d2e1f001234567' },
      health: { status: status.health },
      summary: { images: status.images ?? [`${repoUrls[svc]}:${tagOf(svc)}`] },
    };
    await custom.replaceNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace: 'argocd', plural: 'applications', name, body: app });
  }
  const allApps = async (health = 'Healthy') => {
    for (const s of SERVICES) await setApp(s.name, { sync: 'Synced', health });
  };

  before(async () => {
    const tc = toolchain();
    [cluster, moto] = await Promise.all([startCluster({ controllers: true }), startMoto()]);
    applier = new Applier(cluster.kubeconfig);
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    // The CRDs the gates and phase 5's namespace objects need, from the upstream modules.
    for (const [source, crd] of [['argo-cd', 'applications.argoproj.io'], ['istio', 'peerauthentications.security.istio.io'], ['istio', 'authorizationpolicies.security.istio.io']] as const) {
      const crds = (await readYamlObjects(tc.source('crds', source).dir)).filter((o) => o.kind === 'CustomResourceDefinition' && o.metadata?.name === crd);
      assert.equal(crds.length, 1, `${crd} in the ${source} CRDs`);
      assert.deepEqual(failures(await applier.applyAll(crds)), [], `CRD ${crd}`);
    }
    await moto.reset();
    ecr = new ECRClient(motoConfig(moto, REGION));
    for (const s of SERVICES) {
      const r = await ecr.send(new CreateRepositoryCommand({ repositoryName: s.imageRepository, imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true } }));
      repoUrls[s.name] = r.repository!.repositoryUri!;
    }
  });
  after(async () => {
    moto?.stop();
    await cluster?.stop();
  });

  describe('applications-healthy and images-in-ecr', () => {
    it('applications-healthy fails naming each missing Application, then passes when all seven are Synced and Healthy', async () => {
      const missing = await run('applications-healthy');
      assert.equal(missing.status, 'fail');
      for (const s of SERVICES) assert.ok(text(missing).includes(`Application ${s.name}-${env.name} does not exist`), text(missing));
      // The Applications phase 3's ApplicationSet generates (the spec is Argo CD's; the test writes what its controllers report).
      const apps = SERVICES.map((s) => ({
        apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: `${s.name}-${env.name}`, namespace: 'argocd' },
        spec: { project: env.name, source: { repoURL: env.gitops!.repoUrl, targetRevision: 'main', path: 'charts/service' }, destination: { server: 'https://kubernetes.default.svc', namespace: NS } },
      }));
      assert.deepEqual(failures(await applier.applyAll(apps as KubernetesObject[])), []);
      const unknown = await run('applications-healthy');
      assert.equal(unknown.status, 'fail');
      assert.match(text(unknown), /Application cart-dev: sync unknown, health unknown/);
      await allApps();
      const ok = await run('applications-healthy');
      assert.equal(ok.status, 'pass', text(ok));
      assert.match(text(ok), /Application orders-dev: sync Synced, health Healthy at 4f1e2d3c4b5a/);
    });

    it('applications-healthy: a Degraded Application (a Rollout that failed its analysis) is a terminal failure', async () => {
      await setApp('payments', { sync: 'Synced', health: 'Degraded' });
      const started = Date.now();
      const r = await run('applications-healthy', 60_000);
      assert.equal(r.status, 'fail');
      assert.ok(Date.now() - started < 30_000, 'Degraded is terminal: the gate did not wait out its timeout');
      assert.match(text(r), /Application payments-dev: sync Synced, health Degraded/);
      await allApps();
    });

    it('images-in-ecr: fails while the tags the GitOps repo names are not pushed, naming each', async () => {
      const r = await run('images-in-ecr');
      assert.equal(r.status, 'fail');
      for (const s of SERVICES) assert.ok(text(r).includes(`${s.imageRepository}:${tagOf(s.name)} is not in ECR (ImageNotFoundException)`), text(r));
    });

    it('images-in-ecr: passes once CI pushed every tag and the scan on push found nothing CRITICAL', async () => {
      for (const s of SERVICES) {
        await ecr.send(new PutImageCommand({ repositoryName: s.imageRepository, imageTag: tagOf(s.name), imageManifest: manifest(s.name), imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' }));
        await ecr.send(new StartImageScanCommand({ repositoryName: s.imageRepository, imageId: { imageTag: tagOf(s.name) } }));
      }
      const r = await run('images-in-ecr');
      assert.equal(r.status, 'pass', text(r));
      assert.ok(text(r).includes(`platform/cart:${tagOf('cart')} in ECR, scan COMPLETE, no CRITICAL finding`), text(r));
    });

    it('images-in-ecr: a CRITICAL scan finding is a terminal failure naming the image and the count', async () => {
      const s = SERVICES.find((x) => x.name === 'orders')!;
      const res = await fetch(`${moto.endpoint}/moto-api/static/ecr/scan-finding-results`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          region: REGION,
          results: [{
            registryId: '123456789012', repositoryName: s.imageRepository, imageId: { imageTag: tagOf(s.name) },
            imageScanStatus: { status: 'COMPLETE', description: 'The scan was completed successfully.' },
            imageScanFindings: { findings: [], findingSeverityCounts: { CRITICAL: 2, HIGH: 3 } },
          }],
        }),
      });
      assert.ok(res.ok, `moto scan-finding-results: HTTP ${res.status}`);
      const r = await run('images-in-ecr', 60_000);
      assert.equal(r.status, 'fail');
      assert.ok(text(r).includes(`${s.imageRepository}:${tagOf(s.name)}: 2 CRITICAL finding(s)`), text(r));
    });

    it('images-in-ecr: an image from another registry is named and fails', async () => {
      await setApp('cart', { sync: 'Synced', health: 'Healthy', images: ['docker.io/library/nginx:1.27'] });
      const r = await run('images-in-ecr', 60_000);
      assert.equal(r.status, 'fail');
      assert.ok(text(r).includes(`cart runs docker.io/library/nginx:1.27, not an image of its repository ${repoUrls.cart}`), text(r));
      await setApp('cart', { sync: 'Synced', health: 'Healthy' });
    });
  });

  describe('mtls-enforced', () => {
    /** A pod of service `svc` as its ReplicaSet creates it after Istio's injection (native sidecar or container). */
    const appPod = (svc: string, sidecar: 'container' | 'native' | 'none') => {
      const restricted = { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
      const proxy = { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.28.0', securityContext: { ...restricted, runAsUser: 1337 } };
      return {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${svc}-7d9c8b6f5-x2k4m`, namespace: NS, labels: { app: svc } },
        spec: {
          containers: [{ name: svc, image: `${repoUrls[svc]}:${tagOf(svc)}`, securityContext: { ...restricted, runAsUser: 65532 } }, ...(sidecar === 'container' ? [proxy] : [])],
          ...(sidecar === 'native' ? { initContainers: [{ ...proxy, restartPolicy: 'Always' }] } : {}),
        },
      };
    };
    /** Plays the kubelet for the gate's probe pod: once it exists, it ends with `phase` (curl's exit code). */
    async function kubelet(phase: 'Failed' | 'Succeeded', stop: () => boolean): Promise<number> {
      let seen = 0;
      while (!stop()) {
        const pod = await core.readNamespacedPod({ ...PLAIN_PROBE }).catch(() => undefined);
        if (pod && !pod.metadata?.deletionTimestamp && !['Failed', 'Succeeded'].includes(pod.status?.phase ?? '')) {
          seen++;
          const exitCode = phase === 'Failed' ? 56 : 0; // curl 56: "Recv failure: Connection reset by peer"
          pod.status = {
            phase,
            conditions: [{ type: 'PodScheduled', status: 'True' }],
            containerStatuses: [{
              name: 'curl', image: pod.spec!.containers[0]!.image!, imageID: '', ready: false, restartCount: 0,
              state: { terminated: { exitCode, reason: phase === 'Failed' ? 'Error' : 'Completed', message: phase === 'Failed' ? 'curl: (56) Recv failure: Connection reset by peer' : '' } },
            }],
          } as any;
          await core.replaceNamespacedPodStatus({ ...PLAIN_PROBE, body: pod });
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      return seen;
    }
    async function withKubelet(phase: 'Failed' | 'Succeeded', f: () => Promise<GateResult>): Promise<{ r: GateResult; seen: number }> {
      let done = false;
      const k = kubelet(phase, () => done);
      try {
        const r = await f();
        return { r, seen: await ((done = true), k) };
      } finally {
        done = true;
        await k;
      }
    }
    const probeGone = async () => (await core.readNamespacedPod({ ...PLAIN_PROBE }).catch(() => undefined)) === undefined || Boolean((await core.readNamespacedPod({ ...PLAIN_PROBE })).metadata?.deletionTimestamp);

    before(async () => {
      const ns = appNamespaceObjects({ namespace: NS, secretStoreLabel: { key: 'platform.io/cluster-secret-store', value: 'aws-secretsmanager' }, dataNamespace: 'data', postgresPort: 5432, kafkaPort: 9093 });
      assert.deepEqual(failures(await applier.applyAll([meshPeerAuthentication(), ns.namespace, ...ns.policies] as KubernetesObject[])), []);
      // kube-controller-manager's ServiceAccount controller makes `default` in the namespace; the app pods need it.
      for (let i = 0; i < 100 && !(await core.readNamespacedServiceAccount({ name: 'default', namespace: NS }).catch(() => undefined)); i++) await new Promise((r) => setTimeout(r, 200));
      const pods = [appPod('frontend', 'container'), appPod('orders', 'native')];
      assert.deepEqual(failures(await applier.applyAll(pods as KubernetesObject[])), [], 'the API server (PodSecurity restricted) accepts the app pods');
    });

    it('STRICT mesh-wide and in the namespace, sidecars everywhere, the plain-text probe refused: pass, and the probe pod is deleted', async () => {
      const { r, seen } = await withKubelet('Failed', () => run('mtls-enforced', 60_000));
      assert.equal(r.status, 'pass', text(r));
      assert.ok(seen >= 1, 'the gate created its probe pod');
      assert.match(text(r), /PeerAuthentication istio-system\/default: STRICT/);
      assert.match(text(r), new RegExp(`PeerAuthentication ${NS}/default: STRICT`));
      assert.match(text(r), /plain-text call to \S+ refused \(probe pod Failed\)/);
      const probeNs = await core.readNamespace({ name: PLAIN_PROBE.namespace });
      assert.equal(probeNs.metadata?.labels?.['istio-injection'], 'disabled', 'the probe runs outside the mesh');
      assert.ok(await probeGone(), 'the probe pod was deleted');
    });

    it('plain text answered (the probe pod Succeeded): terminal failure saying mTLS is not enforced', async () => {
      const started = Date.now();
      const { r } = await withKubelet('Succeeded', () => run('mtls-enforced', 60_000));
      assert.equal(r.status, 'fail');
      assert.ok(Date.now() - started < 45_000, 'terminal: the gate did not wait out its timeout');
      assert.match(text(r), /a pod outside the mesh called \S+ in plain text and got an answer: mTLS is not enforced/);
      assert.ok(await probeGone(), 'the probe pod was deleted');
    });

    it('a pod without istio-proxy and a PERMISSIVE namespace policy each fail, named', async () => {
      assert.deepEqual(failures(await applier.applyAll([appPod('cart', 'none')] as KubernetesObject[])), []);
      const permissive = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: NS }, spec: { mtls: { mode: 'PERMISSIVE' } } };
      assert.deepEqual(failures(await applier.applyAll([permissive as KubernetesObject])), []);
      const { r } = await withKubelet('Failed', () => run('mtls-enforced', 60_000));
      assert.equal(r.status, 'fail');
      assert.match(text(r), new RegExp(`PeerAuthentication ${NS}/default: mode PERMISSIVE`));
      assert.match(text(r), /pod cart-7d9c8b6f5-x2k4m has no istio-proxy: it is outside the mesh/);
    });
  });
});
