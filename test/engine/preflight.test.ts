/**
 * The private-API preflight against loopback servers: a TLS server answers (reachable), a closed port
 * refuses, a server that accepts TCP and never completes a handshake is blackholed (timeout). An
 * unreachable endpoint stops the operation before the engine is called, with exit 2 and the access
 * path of the env (in-VPC runner for a private endpoint, the CIDRs for a public one); phases that do
 * not talk to Kubernetes, a phase 2 with no outputs yet, and the simulate engine are not probed.
 */
import { strict as assert } from 'node:assert';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { ExitCode, type PlatformError } from '../../src/core/errors.js';
import type { AnyPhase, PhaseId } from '../../src/core/phase.js';
import type { EngineRequest } from '../../src/core/ports.js';
import { preflightCluster, probeTls, type ProbeResult } from '../../src/preflight/cluster-endpoint.js';
import { withClusterPreflight } from '../../src/preflight/engine-preflight.js';
import { gateRunner } from '../../src/cli/runners.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { testPhases } from '../helpers/test-phases.js';
import { devEnv, prodEnv } from '../helpers/env-fixtures.js';
import { generateChains, type Chain } from '../gates/tls-certs.js';

const port = (s: NetServer | TlsServer) => (s.address() as AddressInfo).port;
const listen = (s: NetServer | TlsServer) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
const close = (s: NetServer | TlsServer) => new Promise<void>((r) => s.close(() => r()));

describe('cluster API preflight (loopback servers)', function () {
  this.timeout(30_000);
  let chain: Chain;
  let tls: TlsServer;
  let blackhole: NetServer;
  const held: Socket[] = [];
  let refusedPort: number;

  before(async () => {
    chain = generateChains('localhost');
    tls = createTlsServer({ cert: chain.validCert, key: chain.key }, (s) => s.end());
    await listen(tls);
    blackhole = createNetServer((s) => held.push(s)); // accepts, never answers
    await listen(blackhole);
    const tmp = createNetServer();
    await listen(tmp);
    refusedPort = port(tmp);
    await close(tmp);
  });
  after(async () => {
    held.forEach((s) => s.destroy());
    await close(blackhole);
    await close(tls);
    chain.cleanup();
  });

  const reachable = () => `https://localhost:${port(tls)}`;
  const refused = () => `https://127.0.0.1:${refusedPort}`;
  const blackholed = () => `https://127.0.0.1:${port(blackhole)}`;

  it('tells reachable, refused and blackholed apart', async () => {
    assert.deepEqual(await probeTls(reachable(), 2000), { reachable: true });
    const r = await probeTls(refused(), 2000);
    assert.equal(r.reachable === false && r.reason, 'refused');
    const b = await probeTls(blackholed(), 300);
    assert.equal(b.reachable === false && b.reason, 'timeout');
  });

  it('private endpoint (prod) unreachable: exit 2, names the endpoint and the in-VPC runner', async () => {
    await assert.rejects(preflightCluster(prodEnv, 3 as PhaseId, { endpoint: async () => blackholed(), timeoutMs: 300 }), (e: PlatformError) => {
      assert.equal(e.code, 'endpoint-unreachable');
      assert.equal(e.exitCode, ExitCode.Usage);
      assert.match(e.message, new RegExp(`phase 3 needs the Kubernetes API of env 'prod', and ${blackholed().replace(/\./g, '\\.')} cannot be reached from here \\(timeout`));
      assert.match(e.hint!, /is private .*run from inside its VPC, on the runner phase 1 creates .*runnerSecurityGroupId.*docs\/runner-access\.md/);
      return true;
    });
  });

  it('public endpoint (dev) refused: the hint names its CIDRs', async () => {
    await assert.rejects(preflightCluster(devEnv, 2 as PhaseId, { endpoint: async () => refused() }), (e: PlatformError) => {
      assert.match(e.hint!, new RegExp(`admits only cluster\\.publicAccessCidrs in stacks/dev\\.yaml \\(${devEnv.cluster.publicAccessCidrs.join(', ').replace(/\./g, '\\.')}\\)`));
      return true;
    });
  });

  it('reachable passes; phase 9 and a cluster not created yet are not probed', async () => {
    let probed = 0;
    const probe = async (): Promise<ProbeResult> => {
      probed++;
      return { reachable: false, reason: 'refused', detail: 'x' };
    };
    assert.equal(await preflightCluster(prodEnv, 4 as PhaseId, { endpoint: async () => reachable() }), 'reachable');
    assert.equal(await preflightCluster(prodEnv, 9 as PhaseId, { endpoint: async () => refused(), probe }), 'not-needed');
    assert.equal(await preflightCluster(prodEnv, 2 as PhaseId, { endpoint: async () => undefined, probe }), 'no-cluster-yet');
    assert.equal(probed, 0);
  });

  describe('in front of the engine', () => {
    const registry: AnyPhase[] = testPhases({ 1: [], 2: [1], 3: [2], 9: [1] }).map((p) => (p.id === 2 ? { ...p, slug: 'cluster' } : p));
    const phase = (id: number) => registry.find((p) => p.id === id)!;
    const req = (id: number): EngineRequest => ({
      stack: { env: 'prod', phase: id as PhaseId, slug: phase(id).slug, name: `prod-0${id}-${phase(id).slug}` },
      env: prodEnv,
      phase: phase(id),
      inputs: {},
      signal: new AbortController().signal,
      emit: () => {},
    });
    const clock = { now: () => 0, sleep: async () => {} } as never;
    const withCluster = (endpoint: string) => {
      const fake = new FakeEngine(clock, 'pulumi');
      fake.stacks.set('prod-02-cluster', { outputs: { clusterEndpoint: { value: endpoint, secret: false } }, lastResult: 'succeeded', pending: 0 });
      return fake;
    };

    it('an unreachable endpoint stops preview, up and destroy before the engine is called', async () => {
      const fake = withCluster(refused());
      const engine = withClusterPreflight(fake, registry);
      for (const op of ['preview', 'up', 'destroy'] as const) {
        await assert.rejects(engine[op](req(3)), /endpoint-unreachable|cannot be reached/);
      }
      assert.equal(fake.calls.length, 0, 'the engine was never called');
      await engine.up(req(9));
      assert.deepEqual(fake.calls.map((c) => c.op), ['up'], 'phase 9 does not need the cluster');
      assert.equal(engine.kind, 'pulumi');
      assert.equal(typeof (engine as FakeEngine).mutatingCalls, 'function', 'other members pass through');
    });

    it('a reachable endpoint lets the operation through; the first phase 2 update is not blocked', async () => {
      const fake = withCluster(reachable());
      await withClusterPreflight(fake, registry).up(req(3));
      const fresh = new FakeEngine(clock, 'pulumi');
      await withClusterPreflight(fresh, registry).up(req(2));
      assert.deepEqual([...fake.calls, ...fresh.calls].map((c) => `${c.op} ${c.stack}`), ['up prod-03-p3', 'up prod-02-cluster']);
    });

    it('phase 2 without outputs: the endpoint EKS reports for an existing cluster is probed (a retry after a failed first up)', async () => {
      const fresh = new FakeEngine(clock, 'pulumi');
      const asked: string[] = [];
      const engine = withClusterPreflight(fresh, registry, { describeEndpoint: async (env) => (asked.push(env.cluster.name), refused()) });
      await assert.rejects(engine.up(req(2)), /cannot be reached from here \(refused/);
      assert.deepEqual(asked, [prodEnv.cluster.name]);
      assert.equal(fresh.calls.length, 0);
      await withClusterPreflight(fresh, registry, { describeEndpoint: async () => undefined }).up(req(2));
      assert.deepEqual(fresh.calls.map((c) => c.op), ['up'], 'no cluster yet: nothing to probe');
    });

    it('live gates of a Kubernetes phase (verify) stop at an unreachable endpoint before any gate runs; simulated gates are not probed', async () => {
      let ran = 0;
      const gated = { ...phase(2), loadGates: async () => [{ name: 'g', description: 'd', live: true, timeoutMs: 1000, intervalMs: 10, check: async () => ((ran++, { status: 'pass', evidence: [] }) as never) }] } as AnyPhase;
      const run = (simulated: boolean) => gateRunner()(gated, { env: prodEnv, outputs: { clusterEndpoint: refused() }, signal: new AbortController().signal, simulated, emit: () => {} });
      await assert.rejects(run(false), (e: PlatformError) => e.code === 'endpoint-unreachable' && /runner phase 1 creates/.test(e.hint!));
      assert.equal(ran, 0);
      const results = await run(true);
      assert.deepEqual(results.map((r) => r.status), ['skipped']);
    });

    it('the simulate engine is returned as it is (never probed)', () => {
      const sim = new FakeEngine(clock, 'simulate');
      assert.equal(withClusterPreflight(sim, registry), sim);
    });
  });
});
