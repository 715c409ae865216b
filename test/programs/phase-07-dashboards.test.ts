/**
 * Phase 7's dashboards (built with @grafana/grafana-foundation-sdk) and rules: one dashboard per
 * service of the service list plus the platform ones, unique uids on the provisioned datasource,
 * and every metric any panel or rule queries is produced by a catalogued exporter or one of phase
 * 7's own recording rules. A typo in a metric name is caught (the last test shows the check bites).
 */
import { strict as assert } from 'node:assert';
import { dashboards, panelQueries, PROMETHEUS_DATASOURCE } from '../../programs/07-observability/dashboards.js';
import { knownMetrics, metricNames } from '../../programs/07-observability/metrics-catalog.js';
import { ruleGroups } from '../../programs/07-observability/rules.js';
import { sloServices } from '../../programs/07-observability/services.js';
import { SERVICE_NAMES } from '../../programs/shared/services.js';

describe('phase 7 dashboards and the metrics they query', () => {
  const services = sloServices({ prod: 'apps-prod' }, 'prod');
  const all = dashboards(services);
  const groups = ruleGroups(services);
  const recorded = new Set(groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));
  const produced = (m: string) => knownMetrics().has(m) || recorded.has(m);

  it('one dashboard per service plus cluster, nodes, Karpenter, Istio, Kafka and PostgreSQL', () => {
    assert.deepEqual(
      all.map((d) => d.dashboard.uid),
      [...SERVICE_NAMES.map((s) => `svc-${s}`), 'platform-cluster', 'platform-nodes', 'platform-karpenter', 'platform-istio', 'platform-kafka', 'platform-postgres'],
    );
    assert.equal(new Set(all.map((d) => d.name)).size, all.length);
    for (const d of all) assert.match(d.name, /^[a-z0-9-]{1,63}$/, 'a ConfigMap name');
  });

  it('every panel with a query uses the provisioned Prometheus datasource', () => {
    for (const d of all) {
      const panels = (d.dashboard.panels ?? []).filter((p) => (p as { targets?: unknown[] }).targets?.length);
      assert.ok(panels.length >= 3, `${d.dashboard.uid} has ${panels.length} query panels`);
      for (const p of panels) assert.deepEqual((p as { datasource?: unknown }).datasource, PROMETHEUS_DATASOURCE, `${d.dashboard.uid}`);
    }
  });

  it("every panel's query names only metrics an exporter or a phase-7 recording rule produces", () => {
    const unknown: string[] = [];
    for (const d of all) {
      for (const { panel, expr } of panelQueries(d.dashboard)) {
        const names = metricNames(expr);
        assert.ok(names.length > 0, `${d.dashboard.uid} / ${panel}: no metric in ${expr}`);
        for (const m of names) if (!produced(m)) unknown.push(`${d.dashboard.uid} / ${panel}: ${m}`);
      }
    }
    assert.deepEqual(unknown, []);
  });

  it("every rule's expression names only produced metrics", () => {
    const unknown = groups.flatMap((g) => g.rules.flatMap((r) => metricNames(r.expr).filter((m) => !produced(m)).map((m) => `${g.name}/${r.alert ?? r.record}: ${m}`)));
    assert.deepEqual(unknown, []);
  });

  it('the check bites: a misspelt metric and a label are told apart', () => {
    assert.deepEqual(metricNames('sum by (le) (rate(istio_request_total{reporter="destination", le="+Inf"}[5m])) / on (pod) group_left kube_pod_info'), ['istio_request_total', 'kube_pod_info']);
    assert.equal(produced('istio_request_total'), false);
  });
});
