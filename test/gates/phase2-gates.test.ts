import { strict as assert } from 'node:assert';
import { gates, workloadsReadyGate, GATE_CERT } from '../../programs/02-cluster/gates.js';
import { createProbes } from '../../src/gates/probes/index.js';
import { runGates, type GatedPhase } from '../../src/gates/run-gates.js';
import type { Gate, GateResult } from '../../src/core/gate.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testEnv } from '../helpers/env-fixtures.js';
import { KubeReplay, kubeconfigFor, loadScenario, type RecordedResponse } from './kube-replay.js';

const outputs = {
  clusterName: 'stg-platform',
  kubeconfig: '',
  karpenter: { nodePools: ['default'], ec2NodeClass: 'default' },
  clusterIssuers: { staging: 'letsencrypt-staging', prod: 'letsencrypt-prod' },
} as Record<string, unknown>;

function phase2(gs: Gate<any, any>[]): GatedPhase {
  return { id: 2, gates: gs };
}

describe('phase 2 Kubernetes gates (against a loopback API server replaying recorded responses)', () => {
  let replay: KubeReplay;
  afterEach(() => replay?.stop());

  async function run(responses: RecordedResponse[], gs: Gate<any, any>[], only?: string[]) {
    replay = new KubeReplay(responses);
    const kubeconfig = kubeconfigFor(await replay.start());
    const env = testEnv();
    const outs = { ...outputs, kubeconfig };
    const clock = new FakeClock();
    const results = await runGates(phase2(gs), {
      env, outputs: outs, probes: createProbes(env, outs), clock, signal: new AbortController().signal, simulated: false, emit: () => {}, only, secretValues: [kubeconfig],
    });
    return { byName: Object.fromEntries(results.map((r) => [r.gate, r])) as Record<string, GateResult>, clock };
  }

  it('workloads: a mid-rollout Deployment is polled until it has rolled out', async () => {
    const { byName, clock } = await run(loadScenario('workloads-kube-system'), [{ ...workloadsReadyGate(['kube-system']), after: [] }]);
    const w = byName['workloads-ready']!;
    assert.equal(w.status, 'pass', w.evidence.join(' | '));
    assert.deepEqual(clock.sleeps, [20_000], 'one poll interval between the progressing and the ready reading');
    assert.ok(w.evidence.includes('Deployment kube-system/aws-load-balancer-controller: rolled out (2/2 available)'));
    assert.ok(w.evidence.includes('DaemonSet kube-system/aws-node: rolled out (2/2 available)'));
  });

  it('workloads: ProgressDeadlineExceeded fails at once with the stuck pod named', async () => {
    const { byName, clock } = await run(loadScenario('workloads-external-dns-stuck'), [{ ...workloadsReadyGate(['external-dns']), after: [] }]);
    const w = byName['workloads-ready']!;
    assert.equal(w.status, 'fail');
    assert.equal(clock.sleeps.length, 0, 'terminal: no polling');
    assert.match(w.evidence[0]!, /Deployment external-dns\/external-dns: exceeded its progress deadline/);
    assert.match(w.evidence[1]!, /container external-dns: ImagePullBackOff/);
  });

  it('karpenter: a NodePool whose EC2NodeClass selects no subnets times out reporting both messages', async () => {
    const { byName } = await run(loadScenario('nodepool-not-ready'), gates, ['karpenter-ready']);
    const k = byName['karpenter-ready']!;
    assert.equal(k.status, 'fail');
    assert.deepEqual(k.evidence.slice(0, 2), [
      'EC2NodeClass default: Ready=False UnhealthyDependents: SubnetsReady=False',
      'NodePool default: Ready=False NodeClassNotReady: NodeClassReady=False',
    ]);
    assert.match(k.evidence.at(-1)!, /timed out after 600000 ms/);
    assert.match(k.hint!, /karpenter.sh\/discovery/);
  });

  it('certificate: creates the gate Certificate when absent and reports its not-Ready message', async () => {
    const issuer: RecordedResponse = {
      method: 'GET', path: '/apis/cert-manager.io/v1/clusterissuers/letsencrypt-staging', status: 200,
      body: { kind: 'ClusterIssuer', metadata: { name: 'letsencrypt-staging', generation: 1 }, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'ACMEAccountRegistered', message: 'The ACME account was registered with the ACME server', observedGeneration: 1 }] } },
    };
    const notReady = loadScenario('certificate-not-ready')[0]!;
    const certPath = `/apis/cert-manager.io/v1/namespaces/${GATE_CERT.namespace}/certificates/${GATE_CERT.name}`;
    const absent: RecordedResponse = { method: 'GET', path: certPath, status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', message: 'certificates.cert-manager.io "platform-gate" not found' } };
    const created: RecordedResponse = { method: 'POST', path: `/apis/cert-manager.io/v1/namespaces/${GATE_CERT.namespace}/certificates`, status: 201, body: { ...(notReady.body as object), status: {} } };
    const { byName } = await run([issuer, absent, { ...notReady, path: certPath }, created], gates, ['certificate-issued']);
    const c = byName['certificate-issued']!;
    assert.equal(c.status, 'fail');
    assert.match(c.evidence[0]!, /Certificate cert-manager\/gate-check: Ready=False DoesNotExist: Issuing certificate as Secret does not exist/);
    assert.match(c.hint!, /CertificateRequest -> Order -> Challenge/);
    const posts = replay.requests.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 1, 'created once, then re-read on every poll');
    const body = JSON.parse(posts[0]!.body);
    assert.deepEqual([body.apiVersion, body.spec.dnsNames, body.spec.issuerRef.name], ['cert-manager.io/v1', ['platform-gate.api.stg.example.com'], 'letsencrypt-staging']);
  });

  it('without a kubeconfig the Kubernetes gates fail at once saying which phase to deploy', async () => {
    const env = testEnv();
    const outs = { ...outputs, kubeconfig: '' };
    const [r] = await runGates(phase2([{ ...workloadsReadyGate(['kube-system']), after: [] }]), {
      env, outputs: outs, probes: createProbes(env, outs), clock: new FakeClock(), signal: new AbortController().signal, simulated: false, emit: () => {},
    });
    assert.equal(r!.status, 'fail');
    assert.equal(r!.evidence[0], 'error: no kubeconfig to reach the cluster with');
    assert.equal(r!.hint, "Kubernetes gates need phase 2's kubeconfig output: platform up --phase 2 --env stg");
  });

  it('with the simulate engine every phase 2 gate is skipped: simulated', async () => {
    const env = testEnv();
    const results = await runGates(phase2(gates), {
      env, outputs, probes: createProbes(env, outputs), clock: new FakeClock(), signal: new AbortController().signal, simulated: true, emit: () => {},
    });
    assert.deepEqual(results.map((r) => [r.gate, r.status, r.hint]), gates.map((g) => [g.name, 'skipped', 'simulated']));
  });
});
