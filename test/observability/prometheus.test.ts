/**
 * The metrics-flow gate's code against a real Prometheus (built from its Go module) on loopback,
 * loaded with phase 7's rules and scraping a loopback exporter that speaks Istio's request metrics:
 * the recording rules compute the live error ratio, the gate passes when the required jobs are up
 * and the rule groups loaded, and names each fault when a job's target is down, a job has no
 * target, a group is missing, or a rule fails to evaluate.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { errorRatioRecord, ruleGroups } from '../../programs/07-observability/rules.js';
import { metricsFlow } from '../../programs/07-observability/prom-api.js';
import { sloServices } from '../../programs/07-observability/services.js';
import { Daemon, freePort, Sink, waitReady } from './loopback.js';
import { toolPath } from './prom-tools.js';

describe('metrics-flow gate against a real Prometheus on loopback', function () {
  this.timeout(120_000);
  let dir: string;
  let daemon: Daemon;
  let base: string;
  let scrapes = 0;
  const ns = 'apps-prod';
  const dest = `reporter="destination",destination_service_name="catalog",destination_service_namespace="${ns}"`;
  // Each scrape: 9 more successes and 1 more 503 (a 10% error ratio).
  const exporter = new Sink(() => {
    scrapes++;
    return {
      status: 200,
      type: 'text/plain; version=0.0.4',
      body:
        '# TYPE istio_requests_total counter\n' +
        `istio_requests_total{${dest},response_code="200"} ${scrapes * 9}\n` +
        `istio_requests_total{${dest},response_code="503"} ${scrapes}\n` +
        '# TYPE dup_source gauge\ndup_source{x="a"} 1\ndup_source{x="b"} 2\n',
    };
  });
  const get = async (path: string) => {
    const r = await fetch(base + path);
    return { status: r.status, body: await r.text() };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phase7-prom-'));
    await exporter.start();
    const deadPort = await freePort();
    const groups = [
      ...ruleGroups(sloServices({ prod: ns }, 'prod')),
      // Not phase 7's: a rule that fails at every evaluation (duplicate label sets), to show the gate sees it.
      { name: 'broken-on-purpose', rules: [{ record: 'dup:collapsed', expr: 'label_replace(dup_source, "x", "", "", "")' }] },
    ];
    writeFileSync(join(dir, 'rules.yml'), stringify({ groups }, { lineWidth: 0 }));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(dir, 'rules.yml')],
        scrape_configs: [
          { job_name: 'catalog', static_configs: [{ targets: [exporter.url.replace('http://', '')] }] },
          { job_name: 'kubelet', static_configs: [{ targets: [`127.0.0.1:${deadPort}`] }] },
        ],
      }),
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    daemon = new Daemon(toolPath('prometheus'), [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${base}`,
    ]);
    daemon.start();
    await waitReady(`${base}/-/ready`, daemon);
    // Wait until both targets were scraped once and the rules evaluated a few times.
    const end = Date.now() + 30_000;
    for (;;) {
      const t = JSON.parse((await get('/api/v1/targets?state=active')).body) as { data: { activeTargets: { health: string }[] } };
      if (t.data.activeTargets.length === 2 && t.data.activeTargets.every((x) => x.health !== 'unknown') && scrapes >= 4) break;
      if (Date.now() > end) throw new Error(`targets not scraped in time: ${JSON.stringify(t)}\n${daemon.output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });
  after(async () => {
    await daemon?.stop();
    await exporter.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("phase 7's recording rule computes the live 5xx ratio of the scraped service", async () => {
    const q = encodeURIComponent(`${errorRatioRecord('5m')}{service="catalog"}`);
    const end = Date.now() + 15_000;
    for (;;) {
      const r = JSON.parse((await get(`/api/v1/query?query=${q}`)).body) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      const v = r.data.result[0];
      if (v) {
        assert.equal(v.metric.namespace, ns);
        assert.ok(Math.abs(Number(v.value[1]) - 0.1) < 1e-9, `ratio ${v.value[1]}`);
        return;
      }
      if (Date.now() > end) throw new Error(`no ${errorRatioRecord('5m')} sample: ${JSON.stringify(r)}`);
      await new Promise((res) => setTimeout(res, 250));
    }
  });

  it('passes when the required jobs are up and the rule groups are loaded', async () => {
    const report = await metricsFlow(get, { jobs: ['catalog'], ruleGroups: ['slo-catalog', 'slo-frontend', 'platform'] });
    assert.deepEqual(report.problems, []);
    assert.ok(report.saw.includes('job catalog: 1 target(s) up'), report.saw.join('\n'));
  });

  it('names a down target with its scrape error, a job without targets, a missing group and a failing rule', async () => {
    const report = await metricsFlow(get, { jobs: ['catalog', 'kubelet', 'karpenter'], ruleGroups: ['platform', 'slo-nope', 'broken-on-purpose'] });
    const text = report.problems.join('\n');
    assert.match(text, /job kubelet: http:\/\/127\.0\.0\.1:\d+\/metrics is down: .*connection refused/);
    assert.match(text, /job karpenter: no active target/);
    assert.match(text, /rule group slo-nope is not loaded/);
    assert.match(text, /rule broken-on-purpose\/dup:collapsed fails to evaluate: .*same labelset/);
    assert.equal(report.problems.length, 4, text);
  });
});
