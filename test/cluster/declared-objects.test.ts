/**
 * Every Kubernetes object of every phase that has a program (today 0-2; later phases are covered as
 * their programs land), for dev, stg and prod, applied to a real API server
 * (etcd + kube-apiserver + controllers + kwok built by scripts/install-test-cluster.sh):
 * - CRDs from the upstream projects' Go modules installed first (Established);
 * - each Helm release rendered with `helm template` from its module-sourced chart at the pinned
 *   version with the values the program computed (Helm validates them against the chart's
 *   values.schema.json), made loopback-safe, server-side applied object by object;
 * - every manifest and custom resource the programs declare, server-side applied.
 * Charts with no reachable source are printed as such; they are never faked. A custom resource whose
 * CRD the toolchain does not install fails, naming the kind (docs/test-cluster.md says how a phase
 * adds its CRDs).
 */
import { strict as assert } from 'node:assert';
import { Applier, NOT_SERVED, refOf, type ApplyResult } from './apply.js';
import { describeSource, resolveChart } from './chart-sources.js';
import { startCluster, type TestCluster } from './control-plane.js';
import { installCrds, installStrimziCrds } from './crds.js';
import { declaredFor, type Declared } from './declared.js';
import { helmTemplate } from './helm.js';
import { loopbackSafe } from './loopback-safe.js';
import { toolchain } from './toolchain.js';
import { platformNodes } from './nodes.js';
import type { KubernetesObject } from '@kubernetes/client-node';
import { daemonSetReady, deploymentReady, statefulSetReady, type KubeObject, type Readiness } from '../../src/gates/k8s/readiness.js';
import { clusterIssuerManifest, certManagerValues } from '../../programs/02-cluster/charts/cert-manager.js';
import { phase as phase2 } from '../../programs/02-cluster/phase.js';
import type { Phase2Inputs } from '../../programs/02-cluster/phase.js';
import { phase1OutputsFor, shippedEnv } from '../programs/phase-02-upstream.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { hasProgram, type PhaseId } from '../../src/core/phase.js';
import { phases } from '../../programs/registry.js';

/** Every phase with a program, in registry order: a phase's objects are applied as soon as its program lands. */
const PHASES: PhaseId[] = phases.filter(hasProgram).map((p) => p.id);
const ENVS = ['dev', 'stg', 'prod'] as const;

function failures(results: ApplyResult[]): string[] {
  return results.filter((r) => !r.ok).map((r) => `${r.ref}: ${r.message}`);
}

/** Starts a cluster with controllers and kwok, the module CRDs and the platform's fake nodes. */
async function platformCluster(region: string, log: boolean): Promise<{ cluster: TestCluster; applier: Applier }> {
  const cluster = await startCluster({ controllers: true, kwok: true });
  try {
    const applier = new Applier(cluster.kubeconfig);
    if (log) console.log(`      kube-apiserver ${toolchain().versions.kubernetes} ready on ${cluster.server} in ${cluster.startMs} ms`);
    for (const c of await installCrds(applier)) {
      assert.deepEqual(failures(c.results), [], `CRDs of ${c.source.name} rejected`);
      if (log) console.log(`      CRDs ${c.source.name}: ${c.crds.length} from ${c.source.module}@${c.source.version} ${c.source.path}${c.dropped.length ? ` (${c.dropped.join(', ')})` : ''}`);
    }
    // Phase 4's Strimzi CRDs come from scripts/install-cdc.sh (Strimzi's generator on Maven Central).
    if (PHASES.includes(4)) assert.deepEqual(failures(await installStrimziCrds(applier)), [], 'Strimzi CRDs rejected');
    assert.deepEqual(failures(await applier.applyAll(platformNodes(region))), []);
    return { cluster, applier };
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

const READINESS: Record<string, (o: KubeObject) => Readiness> = { Deployment: deploymentReady, StatefulSet: statefulSetReady, DaemonSet: daemonSetReady };

/** Polls the workloads among `objects` until every one is rolled out, or `timeoutMs`; returns the verdicts. */
async function rollouts(applier: Applier, objects: readonly KubernetesObject[], timeoutMs: number): Promise<Readiness[]> {
  const workloads = objects.filter((o) => READINESS[o.kind!]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const verdicts = await Promise.all(
      workloads.map(async (w) => READINESS[w.kind!]!((await applier.api.read(w as any).catch(() => w)) as KubeObject)),
    );
    if (verdicts.every((v) => v.ready) || Date.now() > deadline) return verdicts;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe(`test cluster: the Kubernetes objects of every phase with a program (${PHASES.join(', ')}) applied to a real API server`, function () {
  this.timeout(900_000);
  const declared = new Map<string, Promise<Declared>>();

  before(() => {
    toolchain();
    // Plan the three envs (simulate engine, child processes) while the clusters start.
    for (const env of ENVS) declared.set(env, declaredFor(env, PHASES));
    for (const p of declared.values()) p.catch(() => {});
  });

  for (const env of ENVS) {
    // A fresh cluster per env: each env is applied as it would be to its own cluster (StorageClass
    // parameters, for one, are immutable and differ between envs).
    it(`${env}: every chart with a module source renders with the program's values, applies and rolls out on kwok nodes; every manifest applies`, async () => {
      const tc = toolchain();
      const d = await declared.get(env)!;
      const { cluster, applier } = await platformCluster(shippedEnv(env).regions.primary, env === ENVS[0]);
      try {
        await applyDeclared(tc, d, applier);
      } finally {
        await cluster.stop();
      }
    });
  }
});

async function applyDeclared(tc: ReturnType<typeof toolchain>, d: Declared, applier: Applier): Promise<void> {
  const env = d.env;
  assert.deepEqual(d.phases, PHASES, 'every phase with a program was planned');
  assert.ok(PHASES.includes(2), 'phase 2 (the cluster) has a program');
  assert.ok(d.releases.length >= 8, `only ${d.releases.length} Helm releases declared`);
  assert.ok(d.manifests.length >= 10, `only ${d.manifests.length} manifests declared`);
  assert.deepEqual(d.other, [], 'Kubernetes resources that are neither manifests nor Helm v3 releases');

  const problems: string[] = [];
  const rendered: string[] = [];
  const unavailable: string[] = [];
  const applied: KubernetesObject[] = [];
  for (const r of d.releases) {
    const res = resolveChart(tc, r);
    if (res.status === 'unavailable') {
      unavailable.push(`${r.releaseName} (${r.chart} ${r.version}): ${res.reason.replace(/^[^:]+: /, '')}`);
      continue;
    }
    if (res.status === 'not-at-pin') {
      problems.push(res.reason);
      continue;
    }
    const out = await helmTemplate({ releaseName: r.releaseName, chartDir: res.source.dir, namespace: r.namespace, values: r.values });
    if (!out.ok) {
      problems.push(`helm template ${r.releaseName} (${describeSource(res.source)}): ${out.error}`);
      continue;
    }
    const { kept, dropped } = loopbackSafe(out.objects);
    const bad = failures(await applier.applyAll(kept, { defaultNamespace: r.namespace }));
    problems.push(...bad.map((b) => `release ${r.releaseName}: ${b}`));
    applied.push(...kept.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata?.namespace ?? r.namespace } })));
    rendered.push(`${r.releaseName}: ${kept.length} objects applied, ${dropped.length} dropped (${dropped.join(', ') || '-'}); ${describeSource(res.source)}`);
  }

  const manifests = loopbackSafe(d.manifests.map((m) => m.object));
  const manifestResults = await applier.applyAll(manifests.kept);
  const phaseByRef = new Map(d.manifests.map((m) => [refOf(m.object), m.phase]));
  for (const r of manifestResults.filter((x) => !x.ok)) {
    const phase = phaseByRef.get(r.ref) ?? phaseByRef.get(r.ref.replace(/\/default\//, '/')) ?? '?';
    const hint = NOT_SERVED.test(r.message ?? '') ? ': add the CRD\'s upstream source to scripts/install-test-cluster.sh (docs/test-cluster.md, "A phase with new CRDs")' : '';
    problems.push(`manifest of phase ${phase} ${r.ref}: ${r.message}${hint}`);
  }

  const verdicts = await rollouts(applier, applied, 120_000);
  problems.push(...verdicts.filter((v) => !v.ready).map((v) => `not rolled out on kwok nodes: ${v.message}`));

  console.log(`      ${env}: ${rendered.length} charts rendered and applied:`);
  for (const l of rendered) console.log(`        ${l}`);
  console.log(`      ${env}: ${verdicts.filter((v) => v.ready).length}/${verdicts.length} chart workloads rolled out on kwok nodes`);
  console.log(`      ${env}: ${manifestResults.filter((r) => r.ok).length} manifests server-side applied: ${manifestResults.map((r) => r.ref).join(', ')}`);
  if (d.reads.length) console.log(`      ${env}: read, not declared (created by a chart): ${d.reads.map((r) => `${r.type} ${r.resource}`).join(', ')}`);
  console.log(`      ${env}: ${unavailable.length} charts NOT applied, no reachable source (never faked):`);
  for (const l of unavailable) console.log(`        ${l}`);
  assert.deepEqual(problems, []);
  assert.ok(rendered.length >= 6, `only ${rendered.length} charts rendered`);
}

describe('test cluster: what the API server and the charts refuse', function () {
  this.timeout(300_000);
  let cluster: TestCluster;
  let applier: Applier;
  before(async () => {
    ({ cluster, applier } = await platformCluster('eu-west-1', false));
  });
  after(async () => {
    await cluster?.stop();
  });

  it("a deliberately wrong field in the program's ClusterIssuer is rejected with the API server's own message", async () => {
    const env = shippedEnv('dev');
    const inputs = phase2.inputs({ env, organization: organizationFor(env).config, upstream: { 1: phase1OutputsFor(env) }, simulated: true }) as Phase2Inputs;
    const issuer = structuredClone(clusterIssuerManifest(inputs, 'staging')) as any;
    issuer.metadata.name = 'wrong-field';
    const route53 = issuer.spec.acme.solvers[0].dns01.route53;
    route53.hostedZoneId = route53.hostedZoneID; // the Route53 solver's field is hostedZoneID
    delete route53.hostedZoneID;
    const good = await applier.apply(clusterIssuerManifest(inputs, 'staging') as any, { dryRun: true });
    assert.ok(good.ok, good.message);
    const bad = await applier.apply(issuer);
    console.log(`      API server (HTTP ${bad.code}): ${bad.message}`);
    assert.equal(bad.ok, false);
    assert.match(bad.message!, /\.spec\.acme\.solvers\[0\]\.dns01\.route53\.hostedZoneId: field not declared in schema/);
  });

  it('a custom resource whose CRD the toolchain does not install is refused, named (a phase must add its CRD source)', async () => {
    // A kind no phase's CRD source installs yet (Strimzi's Kafka was the example until phase 4 added
    // its CRDs): Chaos Mesh's PodChaos, which phase 10's pod-level faults would need.
    const chaos = { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos', metadata: { name: 'kill-one', namespace: 'default' }, spec: {} } as KubernetesObject;
    const [r] = await applier.applyAll([chaos]);
    assert.equal(r!.ok, false);
    assert.match(r!.message!, /^chaos-mesh\.org\/v1alpha1 PodChaos is not served by this API server/);
    const missingKind = { apiVersion: 'cert-manager.io/v1', kind: 'CertificateBundle', metadata: { name: 'x' } } as KubernetesObject;
    assert.match((await applier.apply(missingKind)).message!, NOT_SERVED);
  });

  it("a chart value of the wrong type is refused by the chart's own values schema", async () => {
    const tc = toolchain();
    const out = await helmTemplate({
      releaseName: 'cert-manager',
      chartDir: tc.source('chart', 'cert-manager').dir,
      namespace: 'cert-manager',
      values: { ...certManagerValues(), replicaCount: 'two' },
    });
    console.log(`      helm: ${out.error?.split('\n').slice(0, 3).join(' / ')}`);
    assert.equal(out.ok, false);
    assert.match(out.error!, /replicaCount/);
    assert.match(out.error!, /values don't meet the specifications of the schema|schema/i);
  });
});
