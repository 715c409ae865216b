/**
 * The load gate and its driver (autocannon, for real) against a local HTTP server with a known
 * latency profile per path: /fast answers at once, /slow after 700 ms, /flaky answers 503 to one
 * request in ten. Verdicts are asserted with wide margins (an objective of 500 ms against 0 or 700 ms
 * of added latency), never on timing itself. The judge is also checked on fixed measures.
 */
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { driveLoad, judgeLoad, type LoadMeasure } from '../../programs/10-hardening/load.js';
import type { LoadTarget } from '../../programs/10-hardening/phase.js';
import { outputs10, runGate10 } from './phase10-fixtures.js';

describe('phase 10 load gate against a local HTTP server with a known latency profile', function () {
  this.timeout(60_000);
  let server: Server;
  let base: string;
  let flakyCount = 0;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('ok'), 700);
      else if (req.url === '/flaky') {
        flakyCount++;
        res.statusCode = flakyCount % 10 === 0 ? 503 : 200;
        res.end('x');
      } else res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const target = (service: string, path: string, over: Partial<LoadTarget> = {}): LoadTarget => ({ service, url: `${base}${path}`, rate: 40, p99Ms: 500, maxErrorRate: 0.001, ...over });
  const load = { durationSeconds: 2, connections: 4 };

  it('a fast route at its target rate: pass, with the measures in the evidence', async () => {
    const r = await runGate10('load', {}, outputs10({ loadTargets: [target('catalog', '/fast', { rate: 20 })], load }));
    assert.equal(r.status, 'pass', r.evidence.join('\n'));
    assert.match(r.evidence[0]!, /^catalog http:\/\/127\.0\.0\.1:\d+\/fast: \d+ answers in [\d.]+ s at [\d.]+\/20 rps, p50 \d+ ms, p90 \d+ ms, p97\.5 \d+ ms, p99 \d+ ms \(objective 500 ms\), max \d+ ms, errors 0 \(0\.000%, budget 0\.100%\)$/);
  });

  it('a route 700 ms slow: fail naming p99 against the objective (and the rate it could not reach)', async () => {
    const r = await runGate10('load', {}, outputs10({ loadTargets: [target('cart', '/slow')], load }));
    assert.equal(r.status, 'fail');
    assert.ok(r.evidence.some((e) => /^cart .*\/slow: p99 \d{3,} ms exceeds the objective 500 ms$/.test(e)), r.evidence.join('\n'));
    // 4 connections at 700 ms each serve under 6 rps of the 40 asked.
    assert.ok(r.evidence.some((e) => /^cart .*\/slow: served [\d.]+ rps, under 80% of the target 40 rps$/.test(e)), r.evidence.join('\n'));
  });

  it('a route answering 503 to one request in ten: fail on the error budget', async () => {
    const r = await runGate10('load', {}, outputs10({ loadTargets: [target('orders', '/flaky')], load }));
    assert.equal(r.status, 'fail');
    assert.ok(r.evidence.some((e) => /^orders .*\/flaky: error rate (9|10|11)\.\d{3}% \(\d+ non-2xx, 0 connection errors\) exceeds the budget 0\.100%$/.test(e)), r.evidence.join('\n'));
  });

  it('nothing listening: fail, never a pass on zero answers', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const m = await driveLoad({ url: `http://127.0.0.1:${port}/`, rate: 20 }, { durationSeconds: 1, connections: 2 });
    assert.equal(m.requests, 0);
    assert.ok(m.errors > 0);
    const v = judgeLoad(target('auth', '/'), m);
    assert.equal(v.ok, false);
    assert.match(v.problems[0]!, /no answer at all/);
  });

  it('judges fixed measures at the edges of the SLO', () => {
    const m: LoadMeasure = { url: 'u', requests: 1000, errors: 0, timeouts: 0, non2xx: 1, durationSeconds: 10, achievedRps: 100, p50: 5, p90: 9, p97_5: 20, p99: 500, max: 900 };
    const t: LoadTarget = { service: 's', url: 'u', rate: 100, p99Ms: 500, maxErrorRate: 0.001 };
    assert.equal(judgeLoad(t, m).ok, true, 'p99 equal to the objective and 0.1 % errors are within it');
    assert.equal(judgeLoad(t, { ...m, p99: 501 }).ok, false);
    assert.equal(judgeLoad(t, { ...m, non2xx: 2 }).ok, false);
    assert.equal(judgeLoad(t, { ...m, achievedRps: 79.9 }).ok, false);
    assert.equal(judgeLoad(t, { ...m, achievedRps: 80 }).ok, true);
  });
});
