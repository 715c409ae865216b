/**
 * Phase 7's logs-flow and grafana-healthy gates against recorded Loki and Grafana API responses
 * (test/gates/fixtures/loki-grafana/; Loki and Grafana are AGPL and never built or run here), served
 * over real HTTP on loopback. The gates run as the gate runner runs them, with a Kubernetes probe whose
 * service proxy forwards to that server, so the target each gate derives from phase 7's outputs
 * (namespace, service, port) is checked too.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gates, LOG_WINDOW_MINUTES } from '../../programs/07-observability/gates.js';
import { lokiQueryPath } from '../../programs/07-observability/logs-api.js';
import type { Gate, GateResult } from '../../src/core/gate.js';
import type { AnyPhase } from '../../src/core/phase.js';
import { runGates } from '../../src/gates/run-gates.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { systemClock } from '../../src/state/clock.js';
import { sampleUpstream } from '../config/upstream-samples.js';
import { devEnv } from '../helpers/env-fixtures.js';
import { Sink } from '../observability/loopback.js';

const FIX = join(import.meta.dirname, 'fixtures/loki-grafana');
const fixture = (f: string) => readFileSync(join(FIX, f), 'utf8');
const outputs = { ...sampleUpstream[7]!, lokiQueryUrl: 'http://loki-gateway.loki.svc.cluster.local', grafanaUrl: 'http://kube-prometheus-stack-grafana.monitoring.svc.cluster.local:80' } as Record<string, any>;

type Reply = { status: number; body: string; type?: string };

describe('phase 7 gates: logs-flow and grafana-healthy against recorded Loki and Grafana responses', function () {
  this.timeout(30_000);
  let routes: Map<string, Reply>;
  const proxied: { target: string; path: string }[] = [];
  const sink = new Sink((r) => routes.get(r.path) ?? { status: 404, body: '404 page not found' });
  before(() => sink.start());
  after(() => sink.stop());
  beforeEach(() => {
    proxied.length = 0;
    routes = new Map();
  });

  const probes = {
    k8s: {
      async proxyGet(target: { namespace: string; service: string; port: number }, path: string) {
        proxied.push({ target: `${target.namespace}/${target.service}:${target.port}`, path });
        const r = await fetch(`${sink.url}${path}`);
        return { status: r.status, body: await r.text() };
      },
    },
  } as unknown as Probes;
  const phase = { id: 7, slug: 'observability', title: 'o', module: import.meta.url, dependsOn: [2, 5], inputs: () => ({}), outputs: {} as any, secretOutputs: ['kubeconfig'], gates } as AnyPhase;
  const quick = (name: string): Gate<any, any> => ({ ...gates.find((g) => g.name === name)!, after: [], intervalMs: 50, timeoutMs: 300 });
  async function run(name: string): Promise<GateResult> {
    const [r] = await runGates({ ...phase, gates: [quick(name)] }, {
      env: devEnv, outputs, probes, clock: systemClock, signal: new AbortController().signal, simulated: false, emit: () => {}, secretValues: [],
    });
    return r!;
  }
  const json = (f: string, status = 200): Reply => ({ status, body: fixture(f), type: 'application/json' });
  const text = (r: GateResult) => r.evidence.join(' | ');
  const lokiReady = () => routes.set('/ready', { status: 200, body: fixture('loki-ready.txt') });

  it('logs-flow passes when Loki is ready and every namespace of logNamespaces has recent lines; it asks through the service proxy', async () => {
    assert.deepEqual(outputs.logNamespaces, ['apps-dev', 'monitoring']);
    lokiReady();
    routes.set(lokiQueryPath('apps-dev', LOG_WINDOW_MINUTES), json('loki-query-apps-dev.json'));
    routes.set(lokiQueryPath('monitoring', LOG_WINDOW_MINUTES), json('loki-query-monitoring.json'));
    const r = await run('logs-flow');
    assert.equal(r.status, 'pass', text(r));
    assert.ok(r.evidence.includes('namespace apps-dev: logs in Loki, newest at 2026-11-30T10:00:05.123Z'), text(r));
    assert.ok(r.evidence.includes('Loki /ready: ready'));
    assert.deepEqual([...new Set(proxied.map((p) => p.target))], ['loki/loki-gateway:80'], 'the Loki gateway Service, port 80 (no port in the URL)');
    assert.ok(proxied.some((p) => p.path === `/loki/api/v1/query_range?query=${encodeURIComponent('{namespace="apps-dev"}')}&limit=1&since=15m&direction=backward`), JSON.stringify(proxied));
  });

  it('logs-flow fails naming a namespace with no recent line (Alloy not shipping)', async () => {
    lokiReady();
    routes.set(lokiQueryPath('apps-dev', LOG_WINDOW_MINUTES), json('loki-query-empty.json'));
    routes.set(lokiQueryPath('monitoring', LOG_WINDOW_MINUTES), json('loki-query-monitoring.json'));
    const r = await run('logs-flow');
    assert.equal(r.status, 'fail');
    assert.ok(r.evidence.includes(`no log line from namespace apps-dev in the last ${LOG_WINDOW_MINUTES}m (is Alloy shipping its pods' logs to Loki?)`), text(r));
    assert.ok(r.evidence.some((e) => e.startsWith('namespace monitoring: logs in Loki')), text(r));
  });

  it("logs-flow fails with Loki's own words when it is not ready, or refuses the query (plain-text bodies)", async () => {
    routes.set('/ready', { status: 503, body: fixture('loki-not-ready.txt') });
    const notReady = await run('logs-flow');
    assert.equal(notReady.status, 'fail');
    assert.ok(notReady.evidence.includes('Loki is not ready: HTTP 503 Ingester not ready: waiting for 15s after being ready'), text(notReady));
    lokiReady();
    routes.set(lokiQueryPath('apps-dev', LOG_WINDOW_MINUTES), { status: 400, body: fixture('loki-query-refused.txt') });
    routes.set(lokiQueryPath('monitoring', LOG_WINDOW_MINUTES), json('loki-query-monitoring.json'));
    const refused = await run('logs-flow');
    assert.equal(refused.status, 'fail');
    assert.ok(refused.evidence.some((e) => e.startsWith('Loki query for namespace apps-dev failed: HTTP 400 parse error at line 1, col 12')), text(refused));
  });

  it('grafana-healthy passes on database ok and fails on 503 database failing', async () => {
    routes.set('/api/health', json('grafana-health-ok.json'));
    const ok = await run('grafana-healthy');
    assert.equal(ok.status, 'pass', text(ok));
    assert.deepEqual(ok.evidence, ['Grafana 12.3.1 healthy (database ok)']);
    assert.deepEqual([...new Set(proxied.map((p) => p.target))], ['monitoring/kube-prometheus-stack-grafana:80']);
    routes.set('/api/health', json('grafana-health-failing.json', 503));
    const failing = await run('grafana-healthy');
    assert.equal(failing.status, 'fail');
    assert.ok(failing.evidence.includes('Grafana is not healthy: HTTP 503, database failing'), text(failing));
  });
});
