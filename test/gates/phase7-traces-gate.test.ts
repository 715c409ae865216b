/**
 * Phase 7's traces-flow gate, run by the gate runner as in a real `up`, against two loopback HTTP
 * servers standing in for what it talks to through the API server's service proxy:
 * - an OTLP/HTTP receiver (the collector): it checks the request is an OTLP/JSON export of one span
 *   with hex ids and nanosecond times, then answers as the OTLP specification says, and (unless
 *   told to lose it) hands the span to the store;
 * - Tempo's query API: `GET /api/v2/traces/<id>` answers the recorded v2 shape (ids base64, as
 *   Tempo writes them) for a trace the receiver handed over, 404 otherwise.
 * The answers are written from the APIs' docs (test/gates/fixtures/otlp-tempo/README.md). The gate's
 * clock is a fake one, so the 60 s wait for a span that never arrives takes no real time.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gates, TRACE_ARRIVAL_MS, TRACE_POLL_MS } from '../../programs/07-observability/gates.js';
import { PROBE_SERVICE } from '../../programs/07-observability/traces-api.js';
import type { Gate, GateResult } from '../../src/core/gate.js';
import type { AnyPhase } from '../../src/core/phase.js';
import { runGates } from '../../src/gates/run-gates.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { sampleUpstream } from '../config/upstream-samples.js';
import { devEnv } from '../helpers/env-fixtures.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { Sink, type Received } from '../observability/loopback.js';

const FIX = join(import.meta.dirname, 'fixtures/otlp-tempo');
const fixture = (f: string) => readFileSync(join(FIX, f), 'utf8');
const outputs = { ...sampleUpstream[7]! } as Record<string, any>;
const COLLECTOR = 'monitoring/otel-collector:4318';
const TEMPO = 'monitoring/tempo:3200';

type Mode = 'forward' | 'lose' | 'refuse' | 'partial';
interface Stored { traceId: string; spanId: string; name: string; service: string; start: string; end: string }

/** Throws unless `body` is an OTLP/JSON ExportTraceServiceRequest of exactly one well-formed span. */
function oneSpan(r: Received): Stored {
  assert.equal(r.headers['content-type'], 'application/json');
  const req = JSON.parse(r.body);
  assert.equal(req.resourceSpans.length, 1);
  const rs = req.resourceSpans[0];
  const service = rs.resource.attributes.find((a: any) => a.key === 'service.name').value.stringValue;
  assert.equal(rs.scopeSpans.length, 1);
  assert.equal(rs.scopeSpans[0].spans.length, 1);
  const s = rs.scopeSpans[0].spans[0];
  assert.match(s.traceId, /^[0-9a-f]{32}$/, 'OTLP/JSON trace id: 32 hex digits');
  assert.match(s.spanId, /^[0-9a-f]{16}$/, 'OTLP/JSON span id: 16 hex digits');
  assert.ok(!/^0+$/.test(s.traceId) && !/^0+$/.test(s.spanId), 'ids are not all zeros');
  assert.match(s.startTimeUnixNano, /^\d{19}$/);
  assert.ok(BigInt(s.endTimeUnixNano) > BigInt(s.startTimeUnixNano));
  assert.equal(s.kind, 1);
  return { traceId: s.traceId, spanId: s.spanId, name: s.name, service, start: s.startTimeUnixNano, end: s.endTimeUnixNano };
}

describe('phase 7 gate traces-flow: a span through the collector (OTLP/HTTP) into the trace store (Tempo query API)', function () {
  this.timeout(30_000);
  let mode: Mode;
  /** Tempo answers 404 for this many queries of a stored trace before it shows it (ingest delay). */
  let hiddenFor: number;
  const store = new Map<string, Stored>();
  const queries: string[] = [];
  const proxied: { method: string; target: string; path: string }[] = [];
  let clock: FakeClock;

  const collector = new Sink((r) => {
    if (r.path !== '/v1/traces') return { status: 404, body: '404 page not found' };
    const span = oneSpan(r);
    if (mode === 'refuse') return { status: 400, body: fixture('otlp-export-bad-request.json'), type: 'application/json' };
    if (mode === 'partial') return { status: 200, body: fixture('otlp-export-partial.json'), type: 'application/json' };
    if (mode === 'forward') store.set(span.traceId, span);
    return { status: 200, body: fixture('otlp-export-ok.json'), type: 'application/json' };
  });
  const tempo = new Sink((r) => {
    const m = /^\/api\/v2\/traces\/([0-9a-f]{32})$/.exec(r.path);
    if (!m) return { status: 404, body: '404 page not found' };
    queries.push(m[1]!);
    const s = store.get(m[1]!);
    if (!s || hiddenFor-- > 0) return { status: 404, body: fixture('tempo-not-found.txt') };
    const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
    const body = fixture('tempo-trace-v2.json')
      .replace('__TRACE_ID_B64__', b64(s.traceId)).replace('__SPAN_ID_B64__', b64(s.spanId)).replace('__SPAN_NAME__', s.name)
      .replace('__SERVICE__', s.service).replace('__START__', s.start).replace('__END__', s.end);
    return { status: 200, body, type: 'application/json' };
  });
  before(async () => {
    await collector.start();
    await tempo.start();
  });
  after(async () => {
    await collector.stop();
    await tempo.stop();
  });
  beforeEach(() => {
    mode = 'forward';
    hiddenFor = 0;
    store.clear();
    queries.length = 0;
    proxied.length = 0;
    clock = new FakeClock();
  });

  const urlOf = (t: { namespace: string; service: string; port: number }) => {
    const key = `${t.namespace}/${t.service}:${t.port}`;
    if (key === COLLECTOR) return collector.url;
    if (key === TEMPO) return tempo.url;
    throw new Error(`no service ${key} here`);
  };
  const probes = {
    k8s: {
      async proxyGet(t: { namespace: string; service: string; port: number }, path: string) {
        proxied.push({ method: 'GET', target: `${t.namespace}/${t.service}:${t.port}`, path });
        const r = await fetch(`${urlOf(t)}${path}`);
        return { status: r.status, body: await r.text() };
      },
      async proxyPost(t: { namespace: string; service: string; port: number }, path: string, body: string, contentType: string) {
        proxied.push({ method: 'POST', target: `${t.namespace}/${t.service}:${t.port}`, path });
        const r = await fetch(`${urlOf(t)}${path}`, { method: 'POST', body, headers: { 'content-type': contentType } });
        return { status: r.status, body: await r.text() };
      },
    },
  } as unknown as Probes;
  const phase = { id: 7, slug: 'observability', title: 'o', module: import.meta.url, dependsOn: [2, 5], inputs: () => ({}), outputs: {} as any, secretOutputs: ['kubeconfig'], gates } as AnyPhase;
  /** The gate as defined, given one attempt's time (the runner does not retry after it). */
  const once = (): Gate<any, any> => ({ ...gates.find((g) => g.name === 'traces-flow')!, after: [], timeoutMs: TRACE_ARRIVAL_MS });
  async function run(): Promise<GateResult> {
    const [r] = await runGates({ ...phase, gates: [once()] }, {
      env: devEnv, outputs, probes, clock, signal: new AbortController().signal, simulated: false, emit: () => {}, secretValues: [],
    });
    return r!;
  }
  const text = (r: GateResult) => r.evidence.join(' | ');
  const sentSpan = () => oneSpan(collector.received.at(-1)!);

  it('passes when the span sent to the collector is found in Tempo; it reaches both through the service proxy', async () => {
    hiddenFor = 2; // Tempo shows the trace on the third query
    const r = await run();
    assert.equal(r.status, 'pass', text(r));
    const s = sentSpan();
    assert.equal(s.service, PROBE_SERVICE);
    assert.deepEqual(r.evidence, [
      `span ${s.spanId} of trace ${s.traceId} accepted by the collector at http://otel-collector.monitoring.svc.cluster.local:4318/v1/traces`,
      `trace ${s.traceId} found in Tempo at http://tempo.monitoring.svc.cluster.local:3200/api/v2/traces/${s.traceId} after ${(2 * TRACE_POLL_MS) / 1000}s: span "traces-flow probe"`,
    ]);
    assert.deepEqual(proxied.map((p) => `${p.method} ${p.target}${p.path.replace(s.traceId, '<id>')}`), [
      `POST ${COLLECTOR}/v1/traces`,
      `GET ${TEMPO}/api/v2/traces/<id>`, `GET ${TEMPO}/api/v2/traces/<id>`, `GET ${TEMPO}/api/v2/traces/<id>`,
    ]);
  });

  it('sends a new trace id on every run', async () => {
    await run();
    await run();
    const ids = collector.received.slice(-2).map((r) => oneSpan(r).traceId);
    assert.notEqual(ids[0], ids[1]);
  });

  it('fails naming the trace id and both endpoints when the span never arrives (the collector accepts it and loses it)', async () => {
    mode = 'lose';
    const r = await run();
    assert.equal(r.status, 'fail');
    const s = sentSpan();
    const lost = r.evidence.find((e) => e.includes('never arrived'));
    assert.equal(
      lost,
      `span ${s.spanId} of trace ${s.traceId} never arrived in the trace store: http://tempo.monitoring.svc.cluster.local:3200/api/v2/traces/${s.traceId} ` +
        `last answered HTTP 404 (trace not found), ${TRACE_ARRIVAL_MS / 1000}s after the collector at http://otel-collector.monitoring.svc.cluster.local:4318/v1/traces accepted it`,
    );
    assert.equal(queries.length, TRACE_ARRIVAL_MS / TRACE_POLL_MS + 1, 'Tempo asked every poll interval until the deadline');
    assert.ok(queries.every((q) => q === s.traceId));
    assert.match(r.hint!, /otel-collector/);
  });

  it("fails with the collector's own words when it refuses the request or rejects the span, and never asks Tempo", async () => {
    mode = 'refuse';
    const refused = await run();
    assert.equal(refused.status, 'fail');
    const id = sentSpan().traceId;
    assert.ok(refused.evidence.includes(`the collector at http://otel-collector.monitoring.svc.cluster.local:4318/v1/traces refused the span of trace ${id}: HTTP 400 {"code":3,"message":"unmarshal request: invalid trace id length"}`), text(refused));
    mode = 'partial';
    const partial = await run();
    assert.equal(partial.status, 'fail');
    assert.ok(partial.evidence.includes(`the collector at http://otel-collector.monitoring.svc.cluster.local:4318/v1/traces rejected the span of trace ${sentSpan().traceId}: 1 span dropped: the memory limiter refused data`), text(partial));
    assert.equal(queries.length, 0);
  });

  it('fails when Tempo answers the trace without the span the gate sent', async () => {
    const realSet = store.set.bind(store);
    // The store keeps the trace, but with another span id (a different span of the same trace).
    store.set = (k: string, v: Stored) => realSet(k, { ...v, spanId: 'aaaaaaaaaaaaaaaa' });
    try {
      const r = await run();
      assert.equal(r.status, 'fail');
      assert.ok(r.evidence.some((e) => /last answered HTTP 200 with 1 span\(s\), none of them [0-9a-f]{16}/.test(e)), text(r));
    } finally {
      store.set = realSet;
    }
  });
});
