/**
 * Tracing's Kubernetes side against a real API server (etcd + kube-apiserver built by
 * scripts/install-test-cluster.sh) with Istio's own Telemetry CRD (istio.io/istio's crd-all.gen.yaml at
 * the pinned 1.30 line), and istiod's chart from the same module:
 * - phase 7's mesh-wide Telemetry, for the sampling rate of every shipped env, is accepted by
 *   server-side apply (the CRD's structural schema: providers, randomSamplingPercentage 0-100);
 *   a misspelt field, a rate over 100 and a provider without a name are refused with the API
 *   server's own message;
 * - phase 2's istiod values render (helm template of the module chart) into a mesh config whose
 *   extension provider is the one the Telemetry names, pointing at phase 7's collector Service.
 */
import { strict as assert } from 'node:assert';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { istiodValues, MESH_TRACING } from '../../programs/02-cluster/charts/istio.js';
import { collectorValues, meshTelemetry } from '../../programs/07-observability/tracing.js';
import { shippedEnv } from '../programs/phase-02-upstream.js';
import { Applier, type ApplyResult } from './apply.js';
import { startCluster, type TestCluster } from './control-plane.js';
import { readYamlObjects } from './crds.js';
import { helmTemplate } from './helm.js';
import { toolchain } from './toolchain.js';

const failures = (rs: ApplyResult[]) => rs.filter((r) => !r.ok).map((r) => `${r.ref}: ${r.message}`);

describe("test cluster: phase 7's mesh Telemetry on Istio's CRD, and phase 2's istiod mesh config", function () {
  this.timeout(300_000);
  let cluster: TestCluster;
  let applier: Applier;

  before(async () => {
    const tc = toolchain();
    cluster = await startCluster({});
    applier = new Applier(cluster.kubeconfig);
    const crds = (await readYamlObjects(tc.source('crds', 'istio').dir)).filter((o) => o.kind === 'CustomResourceDefinition' && o.metadata?.name === 'telemetries.telemetry.istio.io');
    assert.equal(crds.length, 1, 'telemetries.telemetry.istio.io in the Istio CRDs');
    assert.deepEqual(failures(await applier.applyAll(crds)), []);
    assert.deepEqual(failures(await applier.applyAll([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } }])), []);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('the Telemetry of every shipped env is accepted (telemetry.istio.io/v1), and reads back with its rate', async () => {
    for (const name of ['dev', 'stg', 'prod']) {
      const pct = shippedEnv(name).observability!.tracing.samplingPercent;
      const t = meshTelemetry(pct) as unknown as KubernetesObject;
      const r = await applier.apply(t);
      assert.ok(r.ok, `${name}: ${r.message}`);
      const live = (await applier.api.read(t as any)) as any;
      assert.deepEqual(live.spec.tracing, [{ providers: [{ name: MESH_TRACING.provider }], randomSamplingPercentage: pct }], name);
    }
  });

  it("a misspelt field, a rate over 100 and a nameless provider are refused with the API server's message", async () => {
    const variant = (name: string, tracing: Record<string, unknown>) => {
      const t = structuredClone(meshTelemetry(10)) as any;
      t.metadata.name = name;
      t.spec.tracing = [tracing];
      return t as KubernetesObject;
    };
    const misspelt = await applier.apply(variant('misspelt', { providers: [{ name: MESH_TRACING.provider }], randomSamplingPercent: 10 }));
    assert.equal(misspelt.ok, false);
    assert.match(misspelt.message!, /\.spec\.tracing\[0\]\.randomSamplingPercent: field not declared in schema/);
    const over = await applier.apply(variant('over', { providers: [{ name: MESH_TRACING.provider }], randomSamplingPercentage: 150 }));
    assert.equal(over.ok, false);
    assert.match(over.message!, /spec\.tracing\[0\]\.randomSamplingPercentage: Invalid value: 150: spec\.tracing\[0\]\.randomSamplingPercentage in body should be less than or equal to 100/);
    const nameless = await applier.apply(variant('nameless', { providers: [{}], randomSamplingPercentage: 10 }));
    assert.equal(nameless.ok, false);
    assert.match(nameless.message!, /spec\.tracing\[0\]\.providers\[0\]\.name: Required value/);
    console.log(`      API server: ${over.message}`);
  });

  it("istiod's rendered mesh config carries the provider the Telemetry names, at the collector's Service and OTLP/gRPC port", async () => {
    const tc = toolchain();
    const out = await helmTemplate({ releaseName: 'istiod', chartDir: tc.source('chart', 'istiod').dir, namespace: 'istio-system', values: istiodValues() });
    assert.ok(out.ok, out.error);
    const cm = out.objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'istio') as any;
    assert.ok(cm, 'the istio mesh ConfigMap');
    const mesh = parse(cm.data.mesh);
    assert.equal(mesh.enableTracing, true);
    const collector = collectorValues() as any;
    assert.deepEqual(mesh.extensionProviders.find((p: any) => p.name === MESH_TRACING.provider), {
      name: MESH_TRACING.provider,
      opentelemetry: { service: `${collector.fullnameOverride}.${MESH_TRACING.namespace}.svc.cluster.local`, port: 4317 },
    });
  });
});
