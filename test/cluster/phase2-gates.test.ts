/**
 * The phase 2 Kubernetes gates against a real API server (the replayed-response tests in
 * test/gates/ cover the same gates offline). One cluster with controllers and kwok:
 * - nodes-ready: kwok nodes become Ready; a node no kubelet (kwok) manages stays NotReady and fails it;
 * - workloads-ready: charts from their Go modules with the project's values (metrics-server,
 *   external-dns) roll out on kwok nodes and pass; a Deployment no node can take exceeds its
 *   progress deadline (set by the real deployment controller) and fails at once;
 * - karpenter-ready, certificate-issued: the project's own EC2NodeClass, NodePools and ClusterIssuer
 *   are applied; no Karpenter or cert-manager controller runs here, so their status conditions are
 *   written by the test through the status subresource (as those controllers' own tests do), and the
 *   gates read them through the real API (missing conditions fail, Ready ones pass);
 * - coredns-resolves: the gate's own Job is accepted by the real API server; kwok completes its pod
 *   and the real Job controller marks it Complete.
 * Gate intervals and timeouts are shortened (the gates' logic is unchanged) and the real clock is used.
 */
import { strict as assert } from 'node:assert';
import { CustomObjectsApi, KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { workloadsReadyGate, GATE_CERT } from '../../programs/02-cluster/gates.js';
import { phase as phase2Def } from '../../programs/02-cluster/phase.js';
import { clusterIssuerManifest, ISSUER_NAMES } from '../../programs/02-cluster/charts/cert-manager.js';
import { externalDnsValues } from '../../programs/02-cluster/charts/external-dns.js';
import { EC2_NODE_CLASS, ec2NodeClassSpec, nodePoolSpecs } from '../../programs/02-cluster/charts/karpenter.js';
import { metricsServerValues } from '../../programs/02-cluster/charts/monitoring.js';
import type { Phase2Inputs } from '../../programs/02-cluster/phase.js';
import type { Gate, GateResult } from '../../src/core/gate.js';
import { phase1OutputsFor, shippedEnv } from '../programs/phase-02-upstream.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { Applier } from './apply.js';
import { startCluster, type TestCluster } from './control-plane.js';
import { installCrds } from './crds.js';
import { gateNamed, quick, runGate, setConditions as writeConditions } from './gate-run.js';
import { helmTemplate } from './helm.js';
import { loopbackSafe } from './loopback-safe.js';
import { kwokNode, platformNodes } from './nodes.js';
import { toolchain } from './toolchain.js';

const env = shippedEnv('dev');
const inputs = phase2Def.inputs({ env, organization: organizationFor(env).config, upstream: { 1: phase1OutputsFor(env) }, simulated: true }) as Phase2Inputs;
const byName = gateNamed;

describe('test cluster: phase 2 Kubernetes gates against a real API server', function () {
  this.timeout(300_000);
  let cluster: TestCluster;
  let applier: Applier;
  let custom: CustomObjectsApi;

  const run = (g: Gate<any, any>, outputs: Record<string, unknown> = {}): Promise<GateResult> =>
    runGate(env, g, {
      clusterName: env.cluster.name,
      kubeconfig: cluster.kubeconfig,
      karpenter: { nodePools: nodePoolSpecs(inputs).map((p) => p.name), ec2NodeClass: EC2_NODE_CLASS },
      clusterIssuers: { ...ISSUER_NAMES },
      ...outputs,
    });
  const setConditions = (group: string, version: string, plural: string, name: string, types: string[], namespace?: string) =>
    writeConditions(custom, { group, version, plural, name, ...(namespace ? { namespace } : {}) }, types);

  before(async () => {
    toolchain();
    cluster = await startCluster({ controllers: true, kwok: true });
    applier = new Applier(cluster.kubeconfig);
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
    await installCrds(applier);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('nodes-ready: passes once kwok has made the four fake nodes (system and on-demand) Ready', async () => {
    for (const n of platformNodes(env.regions.primary)) assert.equal((await applier.apply(n)).ok, true);
    const r = await run(quick(byName('nodes-ready')));
    assert.equal(r.status, 'pass', r.evidence.join(' | '));
    assert.deepEqual(r.evidence.filter((e) => e.startsWith('Node ')).length, 4, r.evidence.join(' | '));
  });

  it('nodes-ready: a node no kubelet reports for fails it, named', async () => {
    const orphan = kwokNode('orphan-node', { zone: `${env.regions.primary}a`, pool: 'on-demand', managed: false });
    assert.equal((await applier.apply(orphan)).ok, true);
    try {
      const r = await run(quick(byName('nodes-ready'), 3000));
      assert.equal(r.status, 'fail');
      assert.ok(r.evidence.some((e) => e.includes('orphan-node')), r.evidence.join(' | '));
    } finally {
      await applier.api.delete(orphan);
    }
  });

  it('workloads-ready: metrics-server and external-dns from their module charts with the project values roll out on kwok nodes', async () => {
    const tc = toolchain();
    for (const [release, chart, namespace, values] of [
      ['metrics-server', 'metrics-server', 'kube-system', metricsServerValues()],
      ['external-dns', 'external-dns', 'external-dns', externalDnsValues(inputs)],
    ] as const) {
      const out = await helmTemplate({ releaseName: release, chartDir: tc.source('chart', chart).dir, namespace, values });
      assert.ok(out.ok, out.error);
      const bad = (await applier.applyAll(loopbackSafe(out.objects).kept, { defaultNamespace: namespace })).filter((x) => !x.ok);
      assert.deepEqual(bad, []);
    }
    const r = await run(quick(workloadsReadyGate(['kube-system', 'external-dns']), 60_000));
    assert.equal(r.status, 'pass', r.evidence.join(' | '));
    assert.ok(r.evidence.some((e) => /^Deployment kube-system\/metrics-server: rolled out/.test(e)), r.evidence.join(' | '));
    assert.ok(r.evidence.some((e) => /^Deployment external-dns\/external-dns: rolled out/.test(e)), r.evidence.join(' | '));
  });

  it('workloads-ready: a Deployment no node accepts exceeds its progress deadline and fails at once', async () => {
    const ns = 'stuck';
    const dep: KubernetesObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'unschedulable', namespace: ns },
      spec: {
        replicas: 1,
        progressDeadlineSeconds: 2,
        selector: { matchLabels: { app: 'unschedulable' } },
        template: { metadata: { labels: { app: 'unschedulable' } }, spec: { nodeSelector: { 'no-such-label': 'x' }, containers: [{ name: 'c', image: 'registry.example/none:1' }] } },
      },
    } as KubernetesObject;
    assert.equal((await applier.apply(dep)).ok, true);
    const r = await run(quick(workloadsReadyGate([ns]), 60_000));
    assert.equal(r.status, 'fail', r.evidence.join(' | '));
    assert.ok(r.evidence.some((e) => /Deployment stuck\/unschedulable: exceeded its progress deadline/.test(e)), r.evidence.join(' | '));
  });

  it("karpenter-ready: the project's EC2NodeClass and NodePools fail without Ready conditions and pass with them", async () => {
    const objs: KubernetesObject[] = [
      { apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', metadata: { name: EC2_NODE_CLASS }, spec: ec2NodeClassSpec(inputs) } as KubernetesObject,
      ...nodePoolSpecs(inputs).map((p) => ({ apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: p.name }, spec: p.spec }) as KubernetesObject),
    ];
    for (const o of objs) {
      const res = await applier.apply(o);
      assert.ok(res.ok, res.message);
    }
    const before = await run(quick(byName('karpenter-ready'), 2000));
    assert.equal(before.status, 'fail');
    assert.match(before.evidence.join(' | '), /EC2NodeClass default: .*Ready/);
    await setConditions('karpenter.k8s.aws', 'v1', 'ec2nodeclasses', EC2_NODE_CLASS, ['Ready', 'SubnetsReady', 'SecurityGroupsReady', 'InstanceProfileReady', 'AMIsReady']);
    for (const p of nodePoolSpecs(inputs)) await setConditions('karpenter.sh', 'v1', 'nodepools', p.name, ['Ready', 'NodeClassReady']);
    const after = await run(quick(byName('karpenter-ready')));
    assert.equal(after.status, 'pass', after.evidence.join(' | '));
  });

  it("certificate-issued: the gate's Certificate is accepted by the real CRD, waits for Ready, and is deleted once it passes", async () => {
    await applier.ensureNamespace(GATE_CERT.namespace); // phase 2 creates it (createNamespaces)
    const issuer = clusterIssuerManifest(inputs, 'staging') as unknown as KubernetesObject;
    assert.ok((await applier.apply(issuer)).ok);
    const noIssuer = await run(quick(byName('certificate-issued'), 2000));
    assert.equal(noIssuer.status, 'fail');
    assert.match(noIssuer.evidence.join(' | '), /ClusterIssuer letsencrypt-staging/);
    await setConditions('cert-manager.io', 'v1', 'clusterissuers', ISSUER_NAMES.staging, ['Ready']);
    const pending = await run(quick(byName('certificate-issued'), 2000));
    assert.equal(pending.status, 'fail', pending.evidence.join(' | '));
    // The evidence kept is the last poll's: the Certificate exists (created by the first poll) and is not Ready.
    assert.ok(pending.evidence.includes(`Certificate ${GATE_CERT.namespace}/${GATE_CERT.name}: Ready condition absent`), pending.evidence.join(' | '));
    const created = await custom.getNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', namespace: GATE_CERT.namespace, plural: 'certificates', name: GATE_CERT.name });
    assert.equal((created as { spec: { issuerRef: { name: string } } }).spec.issuerRef.name, ISSUER_NAMES.staging);
    await setConditions('cert-manager.io', 'v1', 'certificates', GATE_CERT.name, ['Ready'], GATE_CERT.namespace);
    const issued = await run(quick(byName('certificate-issued')));
    assert.equal(issued.status, 'pass', issued.evidence.join(' | '));
    const gone = await custom.getNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', namespace: GATE_CERT.namespace, plural: 'certificates', name: GATE_CERT.name }).then(
      () => false,
      (e: { code?: number }) => e.code === 404,
    );
    assert.ok(gone, 'the gate deleted its Certificate');
  });

  it("coredns-resolves: the gate's Job is accepted, kwok completes its pod and the Job controller marks it Complete", async () => {
    const r = await run(quick(byName('coredns-resolves'), 90_000));
    assert.equal(r.status, 'pass', r.evidence.join(' | '));
    assert.ok(r.evidence.some((e) => /Job default\/platform-gate-dns-.*complete/i.test(e)), r.evidence.join(' | '));
  });
});
