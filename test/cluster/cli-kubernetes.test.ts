/**
 * The real engine with the real Kubernetes provider, driven through the CLI as users run it:
 * `bin/platform.js --engine pulumi` (env file `engine: pulumi`) over the test registry of
 * fixtures/k8s-registry.ts (PLATFORM_REGISTRY), in a scratch project (test/real-engine/cli-harness.ts),
 * against a test cluster with controllers and kwok nodes. `pulumi-resource-kubernetes` is the one
 * built by `scripts/install-test-cluster.sh --with-pulumi-kubernetes`, installed into the scratch
 * project's PULUMI_HOME with `pulumi plugin install --file` (plugin downloads are off).
 *
 * In order: without the plugin the CLI stops naming it (exit 2); `up` creates a Namespace, a
 * Deployment awaited until available on kwok nodes, a Helm release of the module-sourced
 * metrics-server chart and the project's PeerAuthentication, then runs the phase's gate
 * (workloads-ready through the real probe); `preview` shows no changes (after the CLI's preflight
 * has shaken hands with the API server named by the phase's `clusterEndpoint`); a replica change is
 * one update in place; a misspelt CR field fails `up` with the API server's own message and changes
 * nothing in the cluster; `destroy` removes everything. The kubeconfig's private key never appears in any output
 * or journal. The suite fails (never skips) when the engine, the toolchain or the plugin is missing.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { CliProject } from '../real-engine/cli-harness.js';
import { Applier } from './apply.js';
import { startCluster, type TestCluster } from './control-plane.js';
import { installCrds } from './crds.js';
import { NS, type K8sScenario } from './fixtures/k8s-registry.js';
import { platformNodes } from './nodes.js';
import { repoRoot, toolchain } from './toolchain.js';

const run = promisify(execFile);
const REGISTRY = join(repoRoot, 'test', 'cluster', 'fixtures', 'k8s-registry.ts');

type Event = { type: string } & Record<string, any>;
const events = (stdout: string): Event[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Event);
const summary = (stdout: string) => events(stdout).find((e) => e.type === 'phase-summary')?.changes as Record<string, number> | undefined;

describe('test cluster: the CLI (--engine pulumi) deploys a Kubernetes phase with the provider built here', function () {
  this.timeout(600_000);
  let cluster: TestCluster;
  let applier: Applier;
  let p: CliProject;
  let scenarioFile: string;
  let clientKey: string;
  const outputs: string[] = [];
  const read = (o: KubernetesObject) => applier.api.read(o as any).then((x) => x as any, () => undefined);
  const setScenario = (s: Partial<K8sScenario>) => {
    const base: K8sScenario = { kubeconfigFile: p.path('kubeconfig'), server: cluster.server, chartDir: toolchain().source('chart', 'metrics-server').dir, replicas: 1 };
    writeFileSync(scenarioFile, JSON.stringify({ ...base, ...s }));
  };
  const cli = async (args: string[]) => {
    const r = await p.run([...args, '--env', 'rt'], { PLATFORM_REGISTRY: REGISTRY, K8S_SCENARIO: scenarioFile });
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const pluginPath = () => toolchain().bin('pulumi-resource-kubernetes');

  before(async () => {
    toolchain();
    if (!existsSync(pluginPath())) {
      throw new Error(`${pluginPath()} is missing: build it with \`bash scripts/install-test-cluster.sh --with-pulumi-kubernetes\``);
    }
    p = new CliProject(); // throws, naming the install script, when the engine is missing
    scenarioFile = p.path('k8s-scenario.json');
    cluster = await startCluster({ controllers: true, kwok: true });
    applier = new Applier(cluster.kubeconfig);
    await installCrds(applier);
    await applier.applyAll(platformNodes('eu-west-1'));
    writeFileSync(p.path('kubeconfig'), cluster.kubeconfig, { mode: 0o600 });
    clientKey = /client-key-data: (\S+)/.exec(cluster.kubeconfig)![1]!;
    setScenario({});
  });
  after(async () => {
    p?.dispose();
    await cluster?.stop();
  });

  it('without the Kubernetes provider plugin the CLI stops, naming it (exit 2)', async () => {
    const r = await cli(['preview', '--phase', '2']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /the Pulumi provider plugin 'kubernetes' v[\d.]+ is not installed/);
    // Now install the plugin built here, as the adapter's PULUMI_HOME holds plugins.
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8'));
    const version: string = lock.packages['node_modules/@pulumi/kubernetes'].version;
    await run(join(p.engineRoot, 'bin', 'pulumi'), ['plugin', 'install', 'resource', 'kubernetes', version, '--file', pluginPath()], {
      env: { ...process.env, PULUMI_HOME: p.path('.cache', 'pulumi-home'), PULUMI_SKIP_UPDATE_CHECK: 'true' },
    });
  });

  it('up creates the namespace, an awaited Deployment, a Helm release and a custom resource, then its gate passes against the API server', async () => {
    const r = await cli(['up', '--phase', '2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(summary(r.stdout), { create: 6, update: 0, replace: 0, delete: 0, same: 0 }); // provider, 2 namespaces, deployment, release, CR
    const gate = events(r.stdout).find((e) => e.type === 'gate-result')?.result;
    assert.equal(gate?.status, 'pass', JSON.stringify(gate));
    assert.ok(gate.evidence.some((e: string) => /^Deployment k8s-lab\/web: rolled out/.test(e)), gate.evidence.join(' | '));
    assert.ok(gate.evidence.some((e: string) => /^Deployment k8s-lab\/metrics-server: rolled out/.test(e)), gate.evidence.join(' | '));
    const dep = await read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS } });
    assert.equal(dep?.status?.availableReplicas, 1, 'the provider awaited the Deployment until it was available');
    assert.ok(await read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'metrics-server', namespace: NS } }), 'the Helm release created the chart Deployment');
    const pa = await read({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' } });
    assert.equal(pa?.spec?.mtls?.mode, 'STRICT');
    assert.equal(p.record(2)?.status, 'succeeded');
  });

  it('preview shows no changes', async () => {
    const r = await cli(['preview', '--phase', '2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual({ ...summary(r.stdout), same: 0 }, { create: 0, update: 0, replace: 0, delete: 0, same: 0 });
  });

  it('a change of replicas is an update in place that the API server sees', async () => {
    setScenario({ replicas: 2 });
    const r = await cli(['up', '--phase', '2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const changes = summary(r.stdout)!;
    const updated = events(r.stdout).filter((e) => e.type === 'resource-op' && e.op === 'update' && e.status === 'done').map((e) => `${e.name}:${(e.diffs ?? []).join(',')}`);
    assert.deepEqual(updated, ['web:spec'], JSON.stringify({ changes, updated }));
    assert.deepEqual([changes.create, changes.replace, changes.delete], [0, 0, 0], JSON.stringify(changes));
    const dep = await read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS } });
    assert.equal(dep?.spec?.replicas, 2);
    assert.equal(dep?.status?.availableReplicas, 2);
  });

  it("a misspelt custom resource field fails up with the API server's own message and changes nothing", async () => {
    setScenario({ replicas: 2, wrongField: true });
    const r = await cli(['up', '--phase', '2']);
    assert.equal(r.code, 1, r.stderr);
    const line = r.stderr.split('\n').find((l) => l.includes('.spec.mtls.mod'));
    console.log(`      CLI stderr: ${line?.trim()}`);
    assert.match(r.stderr, /\.spec\.mtls\.mod: field not declared in schema/);
    const pa = await read({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' } });
    assert.equal(pa?.spec?.mtls?.mode, 'STRICT');
    assert.equal(pa?.spec?.mtls?.mod, undefined);
  });

  it('destroy removes everything from the API server', async () => {
    const r = await cli(['destroy', '--phase', '2', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    const ns = await read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    assert.ok(!ns || ns.status?.phase === 'Terminating', `namespace ${NS} still ${ns?.status?.phase}`);
    assert.equal(await read({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' } }), undefined);
    assert.equal(await read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'metrics-server', namespace: NS } }), undefined);
  });

  it("the kubeconfig's private key appears in no output and no journal", () => {
    const journals = JSON.stringify(p.journals());
    assert.ok(outputs.length >= 10);
    for (const text of [...outputs, journals]) assert.ok(!text.includes(clientKey), 'the client key leaked');
  });
});
