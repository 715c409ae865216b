/**
 * Phase 7's Alertmanager configuration on the real amtool and Alertmanager (built from their Go
 * module): `amtool check-config` accepts it, `amtool config routes test` sends each kind of alert
 * to the intended receivers, and a real Alertmanager on loopback delivers posted alerts through the
 * program's routes: Watchdog to the dead-man's-switch webhook, a critical alert to the paging
 * webhook AND (continue) to SNS, whose Publish call reaches a loopback stand-in signed with SigV4,
 * while the slow-burn warning it inhibits is delivered nowhere. The only difference from the
 * cluster's config is where the receiver URL files live and the SNS endpoint.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { alertmanagerConfig, RECEIVER_SECRET_KEYS, RECEIVERS, receiverNames } from '../../programs/07-observability/alerting.js';
import { alertingFlow } from '../../programs/07-observability/prom-api.js';
import { Daemon, freePort, Sink, waitReady } from './loopback.js';
import { run, toolPath } from './prom-tools.js';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:platform-alerts-prod';

describe('phase 7 Alertmanager config under the real amtool and Alertmanager', () => {
  let dir: string;
  let configFile: string;
  const paging = new Sink();
  const deadman = new Sink();
  const sns = new Sink(() => ({
    status: 200,
    type: 'text/xml',
    body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>00000000-0000-0000-0000-000000000001</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>',
  }));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phase7-am-'));
    await Promise.all([paging.start(), deadman.start(), sns.start()]);
    writeFileSync(join(dir, RECEIVER_SECRET_KEYS.paging), `${paging.url}/hook`);
    writeFileSync(join(dir, RECEIVER_SECRET_KEYS.deadman), `${deadman.url}/ping`);
    const config = alertmanagerConfig({ alertsTopicArn: TOPIC, region: 'eu-west-1', secretsDir: dir, snsApiUrl: sns.url });
    configFile = join(dir, 'alertmanager.yml');
    writeFileSync(configFile, stringify(config, { lineWidth: 0 }));
  });
  after(async () => {
    await Promise.all([paging.stop(), deadman.stop(), sns.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('amtool check-config accepts it with every receiver', async () => {
    const r = await run('amtool', ['check-config', configFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SUCCESS/);
    assert.match(r.stdout, new RegExp(`- ${receiverNames(alertmanagerConfig({ alertsTopicArn: TOPIC, region: 'eu-west-1', secretsDir: dir })).length} receivers`));
  });

  const routes: [string[], string][] = [
    [['alertname=Watchdog', 'severity=none'], RECEIVERS.deadman],
    [['alertname=InfoInhibitor', 'severity=none'], RECEIVERS.none],
    [['alertname=ServiceErrorBudgetBurnFast', 'severity=critical', 'service=catalog'], `${RECEIVERS.paging},${RECEIVERS.sns}`],
    [['alertname=ServiceErrorBudgetBurnSlow', 'severity=warning', 'service=catalog'], RECEIVERS.sns],
    [['alertname=KubeNodePressure', 'severity=info'], RECEIVERS.sns],
    [['alertname=KubePersistentVolumeFillingUp', 'severity=critical'], `${RECEIVERS.paging},${RECEIVERS.sns}`],
  ];
  for (const [labels, want] of routes) {
    it(`amtool config routes test: {${labels.join(', ')}} -> ${want}`, async () => {
      const r = await run('amtool', ['config', 'routes', 'test', `--config.file=${configFile}`, ...labels]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.stdout.trim(), want);
    });
  }

  describe('a real Alertmanager on loopback', function () {
    this.timeout(120_000);
    let daemon: Daemon;
    let base: string;
    before(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      daemon = new Daemon(
        toolPath('alertmanager'),
        [`--config.file=${configFile}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, `--web.external-url=${base}`, '--cluster.listen-address='],
        // Static test credentials for SigV4; IMDS off so the SDK never looks beyond loopback.
        { PATH: process.env.PATH, HOME: dir, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_EC2_METADATA_DISABLED: 'true' },
      );
      daemon.start();
      await waitReady(`${base}/-/ready`, daemon);
    });
    after(async () => daemon?.stop());

    const post = async (alerts: { labels: Record<string, string>; annotations?: Record<string, string> }[]) => {
      const r = await fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      assert.equal(r.status, 200, await r.text());
    };

    it('routes Watchdog, a critical and its inhibited warning as the config says', async () => {
      const svc = { service: 'catalog', namespace: 'apps-prod' };
      await post([
        { labels: { alertname: 'Watchdog', severity: 'none' }, annotations: { summary: 'always firing' } },
        { labels: { alertname: 'ServiceErrorBudgetBurnFast', severity: 'critical', team: 'apps', ...svc }, annotations: { summary: 'fast burn' } },
        { labels: { alertname: 'ServiceErrorBudgetBurnSlow', severity: 'warning', team: 'apps', ...svc }, annotations: { summary: 'slow burn' } },
      ]);
      const ping = await deadman.waitFor((r) => r.body.includes('"Watchdog"'), 20_000, 'Watchdog at the dead-man webhook');
      assert.equal(JSON.parse(ping.body).receiver, RECEIVERS.deadman);
      assert.equal(ping.path, '/ping');

      const page = await paging.waitFor((r) => r.body.includes('ServiceErrorBudgetBurnFast'), 30_000, 'the critical alert at the paging webhook');
      const payload = JSON.parse(page.body) as { receiver: string; status: string; alerts: { labels: Record<string, string> }[]; groupLabels: Record<string, string> };
      assert.equal(payload.receiver, RECEIVERS.paging);
      assert.equal(payload.status, 'firing');
      assert.deepEqual(payload.groupLabels, { alertname: 'ServiceErrorBudgetBurnFast', ...svc });
      assert.equal(payload.alerts.length, 1);

      // The critical continues to SNS (group_wait 30s on the default route).
      const publish = await sns.waitFor((r) => r.body.includes('Action=Publish'), 60_000, 'an SNS Publish call');
      const form = new URLSearchParams(publish.body);
      assert.equal(form.get('TopicArn'), TOPIC);
      assert.match(String(form.get('Subject')), /^\[FIRING:1\] ServiceErrorBudgetBurnFast /);
      assert.match(String(publish.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/sns\/aws4_request/);

      // Inhibited: the slow burn of the same service reached no receiver, and Alertmanager says so.
      const all = [...paging.received, ...sns.received, ...deadman.received].map((r) => r.body);
      assert.ok(!all.some((b) => b.includes('ServiceErrorBudgetBurnSlow')), 'the inhibited warning was delivered');
      const state = (await (await fetch(`${base}/api/v2/alerts?filter=${encodeURIComponent('alertname="ServiceErrorBudgetBurnSlow"')}`)).json()) as { status: { state: string; inhibitedBy: string[] } }[];
      assert.equal(state[0]?.status.state, 'suppressed');
      assert.equal(state[0]?.status.inhibitedBy.length, 1);
    });

    it("the alerting-flow gate's code passes against it (config loaded with every receiver, Watchdog active)", async () => {
      const get = async (path: string) => {
        const r = await fetch(base + path);
        return { status: r.status, body: await r.text() };
      };
      const report = await alertingFlow(get, { receivers: Object.values(RECEIVERS) });
      assert.deepEqual(report.problems, []);
      const none = await alertingFlow(get, { receivers: ['no-such-receiver'] });
      assert.match(none.problems.join('\n'), /lacks receiver\(s\) no-such-receiver/);
    });
  });
});
