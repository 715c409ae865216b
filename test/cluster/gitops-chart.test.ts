/**
 * The shared service chart meets real tools, for every service and env (21 renders):
 * - `helm template` (the toolchain's Helm) renders it with the Application's value files;
 * - every render carries the objects the issue lists (Rollout, Service, ServiceAccount, HPA, PDB,
 *   ServiceMonitor, NetworkPolicy, DestinationRule, VirtualService, AuthorizationPolicy, and an
 *   ExternalSecret for services with credentials), restricted pods, and an allow list equal to
 *   programs/shared/services.ts;
 * - the project's static checks (the rules `platform check` runs, with the prod env's suppressions)
 *   find nothing;
 * - a real kube-apiserver with the upstream CRDs (Argo CD, Rollouts, Istio, External Secrets,
 *   ServiceMonitor) accepts every object of all 21 renders into apps-<env>; and refuses a render
 *   whose Rollout names a field the CRD does not have (the apply is not a rubber stamp).
 * The phase 3 gates run against the same API server, with Argo CD's statuses written as its
 * controllers would (no Argo CD runs here).
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { gates } from '../../programs/03-gitops/gates.js';
import { appNamespace } from '../../programs/03-gitops/manifests.js';
import { bootstrapObjects, GITOPS_ENVS } from '../../programs/shared/gitops-values.js';
import { expandApplicationSet } from '../../programs/03-gitops/expand.js';
import { INGRESS_GATEWAY, SERVICES } from '../../programs/shared/services.js';
import { runChecks } from '../../src/checks/runner.js';
import type { Gate, GateResult } from '../../src/core/gate.js';
import { createProbes } from '../../src/gates/probes/index.js';
import { runGates } from '../../src/gates/run-gates.js';
import { systemClock } from '../../src/state/clock.js';
import { shippedEnv } from '../programs/phase-02-upstream.js';
import { Applier, type ApplyResult } from './apply.js';
import { startCluster, type TestCluster } from './control-plane.js';
import { installCrds } from './crds.js';
import { renderService } from './gitops-chart.js';
import { appNamespaceObjects } from '../../programs/05-apps/namespace.js';
import { meshPeerAuthentication } from '../../programs/02-cluster/charts/istio.js';

const failures = (rs: ApplyResult[]) => rs.filter((r) => !r.ok).map((r) => `${r.ref}: ${r.message}`);
const kinds = (objs: KubernetesObject[]) => objs.map((o) => o.kind!).sort();

describe('test cluster: the shared service chart and the phase 3 gates', function () {
  this.timeout(300_000);
  const renders = new Map<string, KubernetesObject[]>();
  let cluster: TestCluster;
  let applier: Applier;

  before(async () => {
    for (const env of GITOPS_ENVS) for (const s of SERVICES) renders.set(`${s.name}-${env}`, await renderService(s.name, env));
    cluster = await startCluster();
    applier = new Applier(cluster.kubeconfig);
    for (const c of await installCrds(applier)) assert.deepEqual(failures(c.results), [], `CRDs of ${c.source.name}`);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('helm renders all 21 with the issue\'s objects, restricted pods and the allow list of services.ts', () => {
    assert.equal(renders.size, 21);
    for (const env of GITOPS_ENVS) {
      for (const s of SERVICES) {
        const objs = renders.get(`${s.name}-${env}`)!;
        const want = ['AuthorizationPolicy', 'DestinationRule', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'Rollout', 'Service', 'ServiceAccount', 'ServiceMonitor', 'VirtualService'];
        if (s.data.postgres || s.data.kafka) want.push('ExternalSecret');
        assert.deepEqual(kinds(objs), want.sort(), `${s.name}-${env}`);
        const rollout = objs.find((o) => o.kind === 'Rollout') as any;
        const pod = rollout.spec.template.spec;
        assert.equal(pod.securityContext.runAsNonRoot, true);
        const c = pod.containers[0];
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
        assert.match(c.image, new RegExp(`^\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com/${s.imageRepository}:`));
        assert.equal(rollout.spec.strategy.canary.analysis.templates[0].templateName, 'success-rate');
        const hpa = objs.find((o) => o.kind === 'HorizontalPodAutoscaler') as any;
        assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [s.scaling.minReplicas, s.scaling.maxReplicas]);
        const authz = objs.find((o) => o.kind === 'AuthorizationPolicy') as any;
        const principals = authz.spec.rules[0].from[0].source.principals as string[];
        const expected = s.callers.map((c) => (c === INGRESS_GATEWAY ? 'cluster.local/ns/istio-ingress/sa/istio-ingress' : `cluster.local/ns/${appNamespace(env)}/sa/${c}`));
        assert.deepEqual(principals, expected, `${s.name}-${env} principals`);
      }
    }
  });

  it('the static checks `platform check` runs find nothing in any render (prod suppressions)', async () => {
    const env = shippedEnv('prod');
    // What the namespace gets from phase 5 and the mesh default from phase 2: the rules judge the
    // namespace as a whole (default deny, mesh-wide STRICT).
    const baseline = GITOPS_ENVS.flatMap((e) => {
      const ns = appNamespaceObjects({ namespace: appNamespace(e), secretStoreLabel: { key: 'platform.io/cluster-secret-store', value: 'aws-secretsmanager' }, dataNamespace: 'data', postgresPort: 5432, kafkaPort: 9093 });
      return [ns.namespace, ...ns.policies].map((o) => [`baseline-${e}`, o] as const);
    });
    const all: (readonly [string, any])[] = [...baseline, ['phase-2', meshPeerAuthentication()], ...[...renders.entries()].flatMap(([app, objs]) => objs.map((o) => [app, o] as const))];
    const planned = all.map(([app, o]) => ({
      phase: 5 as const, urn: `urn:pulumi:gitops::platform::${o.apiVersion}:${o.kind}::${app}-${o.metadata.name}`, type: `kubernetes:${o.apiVersion}:${o.kind}`, name: `${app}/${o.kind}/${o.metadata.name}`, inputs: o as Record<string, unknown>,
    }));
    // The ServiceMonitors are checked like every other object since @kubernetes-models/prometheus-operator
    // is a dependency (phase 7): only the env's own suppressions apply, and none of them is needed here.
    const r = await runChecks(planned as any, { env, now: Date.parse('2026-11-30T00:00:00Z') });
    assert.equal(r.suppressed.length, 0, 'no suppression is needed: the ServiceMonitors are validated by their schema package');
    assert.ok(r.manifestsChecked >= 21 * 10);
    assert.deepEqual(r.findings.map((f) => `${f.name} ${f.rule} ${f.property}: ${f.message}`), []);
  });

  it('the API server accepts every object of the 21 renders', async () => {
    for (const env of GITOPS_ENVS) {
      const ns = appNamespaceObjects({ namespace: appNamespace(env), secretStoreLabel: { key: 'platform.io/cluster-secret-store', value: 'aws-secretsmanager' }, dataNamespace: 'data', postgresPort: 5432, kafkaPort: 9093 });
      assert.deepEqual(failures(await applier.applyAll([ns.namespace, ...ns.policies] as KubernetesObject[])), [], 'phase 5 baseline');
    }
    const results: ApplyResult[] = [];
    for (const objs of renders.values()) results.push(...(await applier.applyAll(objs)));
    assert.equal(results.length, [...renders.values()].flat().length);
    assert.deepEqual(failures(results), []);
  });

  it('and rejects a Rollout with a field its CRD does not define', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'platform-values-'));
    try {
      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, 'rollout:\n  steps:\n    - setWeigth: 10\n');
      const objs = await renderService('orders', 'dev', [bad]);
      const rollout = objs.find((o) => o.kind === 'Rollout')!;
      const [r] = await applier.applyAll([{ ...rollout, metadata: { ...rollout.metadata, name: 'orders-bad' } }]);
      assert.equal(r!.ok, false);
      assert.match(r!.message ?? '', /setWeigth|unknown field/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('phase 3 gates against the API server', () => {
    const env = shippedEnv('dev');
    const outputs = () => ({
      kubeconfig: cluster.kubeconfig, argocdNamespace: 'argocd', argoRolloutsNamespace: 'argo-rollouts', applicationSetNames: ['apps-dev'],
      gitopsRepoUrl: env.gitops!.repoUrl, gitopsTargetRevision: 'main', analysisTemplates: ['success-rate'],
    });
    const phase = { id: 3 as const, gates };
    const quick = (name: string): Gate<any, any> => ({ ...gates.find((g) => g.name === name)!, after: [], intervalMs: 300, timeoutMs: 3_000 });
    async function run(name: string): Promise<GateResult> {
      const outs = outputs();
      const [r] = await runGates({ ...phase, gates: [quick(name)] }, { env, outputs: outs, probes: createProbes(env, outs), clock: systemClock, signal: new AbortController().signal, simulated: false, emit: () => {}, secretValues: [cluster.kubeconfig] });
      return r!;
    }
    let custom: CustomObjectsApi;
    before(async () => {
      const kc = new KubeConfig();
      kc.loadFromString(cluster.kubeconfig);
      custom = kc.makeApiClient(CustomObjectsApi);
      await applier.ensureNamespace('argocd');
      const boot = bootstrapObjects(env);
      assert.deepEqual(failures(await applier.applyAll([boot.appProject as KubernetesObject, boot.applicationSet as KubernetesObject])), []);
    });

    it('gitops-crds passes on the upstream CRDs', async () => {
      const r = await run('gitops-crds');
      assert.equal(r.status, 'pass', JSON.stringify(r));
    });

    it('rollouts-analysis fails until the template exists, then passes', async () => {
      assert.equal((await run('rollouts-analysis')).status, 'fail');
      const { successRateTemplate } = await import('../../programs/03-gitops/manifests.js');
      assert.deepEqual(failures(await applier.applyAll([successRateTemplate('http://prometheus:9090') as KubernetesObject])), []);
      assert.equal((await run('rollouts-analysis')).status, 'pass');
    });

    it('applications-generated: fails without status, fails with one Application missing, passes with exactly seven', async () => {
      assert.equal((await run('applications-generated')).status, 'fail');
      const now = new Date().toISOString();
      const set = (await custom.getNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', namespace: 'argocd', plural: 'applicationsets', name: 'apps-dev' })) as any;
      set.status = { conditions: [{ type: 'ResourcesUpToDate', status: 'True', reason: 'ApplicationSetUpToDate', message: 'set by the test', lastTransitionTime: now }] };
      await custom.replaceNamespacedCustomObjectStatus({ group: 'argoproj.io', version: 'v1alpha1', namespace: 'argocd', plural: 'applicationsets', name: 'apps-dev', body: set });
      // The Applications the ApplicationSet controller would create: expanded from the repository.
      const apps = expandApplicationSet(bootstrapObjects(env).applicationSet, () => SERVICES.map((s) => s.name)).map((a) => ({
        apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: a.name, namespace: 'argocd', labels: a.labels }, spec: a.spec,
      }));
      assert.deepEqual(failures(await applier.applyAll(apps.slice(1) as KubernetesObject[])), []);
      const missing = await run('applications-generated');
      assert.equal(missing.status, 'fail');
      assert.match(JSON.stringify(missing), new RegExp(`missing: ${apps[0]!.metadata.name}`));
      assert.deepEqual(failures(await applier.applyAll([apps[0]] as KubernetesObject[])), []);
      const ok = await run('applications-generated');
      assert.equal(ok.status, 'pass', JSON.stringify(ok));
    });
  });
});
