/**
 * Grafana dashboards as code, typed by @grafana/grafana-foundation-sdk (Apache-2.0; the builders
 * only produce dashboard JSON, nothing of Grafana is linked): one dashboard per service from the
 * service list, plus platform dashboards (cluster, nodes, Karpenter, Istio, Kafka, PostgreSQL).
 * Phase 7 provisions each as a ConfigMap labelled for the Grafana sidecar of phase 2's
 * kube-prometheus-stack. Every query names metrics listed in metrics-catalog.ts (a test checks it).
 * Pure: no Pulumi.
 */
import { DashboardBuilder, RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { errorRatioRecord, type ServiceSlo } from './rules.js';

/** kube-prometheus-stack's provisioned Prometheus datasource (grafana.sidecar.datasources.uid). */
export const PROMETHEUS_DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;

/** One provisioned dashboard: its ConfigMap name, file name and JSON model. */
export interface DashboardSpec {
  name: string;
  file: string;
  dashboard: Dashboard;
}

const q = (expr: string, legend = '') => new DataqueryBuilder().expr(expr).legendFormat(legend || '__auto').datasource(PROMETHEUS_DATASOURCE);
const ts = (title: string, unit: string, ...targets: DataqueryBuilder[]) => {
  const p = new TimeseriesBuilder().title(title).unit(unit).datasource(PROMETHEUS_DATASOURCE).height(8).span(12);
  for (const t of targets) p.withTarget(t);
  return p;
};
const stat = (title: string, unit: string, expr: string) =>
  new StatBuilder().title(title).unit(unit).datasource(PROMETHEUS_DATASOURCE).height(4).span(6).withTarget(q(expr));
const base = (uid: string, title: string, tags: string[]) =>
  new DashboardBuilder(title).uid(uid).tags(['platform', ...tags]).refresh('1m').time({ from: 'now-6h', to: 'now' }).timezone('utc').readonly();

/** The dashboard of one service: golden signals from the sidecars, budget burn, resources. */
export function serviceDashboard(s: ServiceSlo): DashboardSpec {
  const sel = `reporter="destination", destination_service_name="${s.name}", destination_service_namespace="${s.namespace}"`;
  const c = `namespace="${s.namespace}", container="${s.name}"`;
  const d = base(`svc-${s.name}`, `Service / ${s.name}`, ['service', s.name])
    .withRow(new RowBuilder('Golden signals'))
    .withPanel(stat('Availability (30m)', 'percentunit', `1 - ${errorRatioRecord('30m')}{service="${s.name}", namespace="${s.namespace}"}`))
    .withPanel(stat(`p99 latency (objective ${s.latencyP99Ms} ms)`, 'ms', `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[5m])))`))
    .withPanel(ts('Requests by response code', 'reqps', q(`sum by (response_code) (rate(istio_requests_total{${sel}}[5m]))`, '{{response_code}}')))
    .withPanel(ts('5xx ratio', 'percentunit', q(`${errorRatioRecord('5m')}{service="${s.name}", namespace="${s.namespace}"}`, '5m'), q(`${errorRatioRecord('1h')}{service="${s.name}", namespace="${s.namespace}"}`, '1h')))
    .withPanel(
      ts(
        'Latency',
        'ms',
        q(`histogram_quantile(0.5, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[5m])))`, 'p50'),
        q(`histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[5m])))`, 'p99'),
      ),
    )
    .withRow(new RowBuilder('Saturation'))
    .withPanel(ts('Memory working set / limit', 'percentunit', q(`max by (pod) (container_memory_working_set_bytes{${c}}) / max by (pod) (kube_pod_container_resource_limits{${c}, resource="memory"})`, '{{pod}}')))
    .withPanel(ts('CPU', 'cores', q(`sum by (pod) (rate(container_cpu_usage_seconds_total{${c}}[5m]))`, '{{pod}}')));
  return { name: `dashboard-svc-${s.name}`, file: `svc-${s.name}.json`, dashboard: d.build() };
}

/** The platform dashboards. */
export function platformDashboards(): DashboardSpec[] {
  const spec = (uid: string, b: DashboardBuilder): DashboardSpec => ({ name: `dashboard-${uid}`, file: `${uid}.json`, dashboard: b.build() });
  return [
    spec(
      'platform-cluster',
      base('platform-cluster', 'Platform / Cluster', ['cluster'])
        .withPanel(stat('Nodes not Ready', 'none', 'sum(kube_node_status_condition{condition="Ready", status!="true"})'))
        .withPanel(stat('Pods not running', 'none', 'sum(kube_pod_status_phase{phase=~"Pending|Failed|Unknown"})'))
        .withPanel(ts('Pods by phase', 'none', q('sum by (phase) (kube_pod_status_phase)', '{{phase}}')))
        .withPanel(ts('Container restarts (1h)', 'none', q('topk(10, sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total[1h])))', '{{namespace}}/{{pod}}')))
        .withPanel(ts('API server requests by code', 'reqps', q('sum by (code) (rate(apiserver_request_total[5m]))', '{{code}}'))),
    ),
    spec(
      'platform-nodes',
      base('platform-nodes', 'Platform / Nodes', ['nodes'])
        .withPanel(ts('CPU busy', 'percentunit', q('1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', '{{instance}}')))
        .withPanel(ts('Memory available', 'percentunit', q('node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', '{{instance}}')))
        .withPanel(ts('Root filesystem free', 'percentunit', q('node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"}', '{{instance}}')))
        .withPanel(ts('Node pressure conditions', 'none', q('sum by (node, condition) (kube_node_status_condition{condition=~"MemoryPressure|DiskPressure|PIDPressure", status="true"})', '{{node}} {{condition}}')))
        .withPanel(ts('PVC free', 'percentunit', q('kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes', '{{namespace}}/{{persistentvolumeclaim}}'))),
    ),
    spec(
      'platform-karpenter',
      base('platform-karpenter', 'Platform / Karpenter', ['karpenter'])
        .withPanel(ts('NodeClaims created / terminated', 'none', q('sum by (nodepool) (increase(karpenter_nodeclaims_created_total[1h]))', 'created {{nodepool}}'), q('sum by (nodepool) (increase(karpenter_nodeclaims_terminated_total[1h]))', 'terminated {{nodepool}}')))
        .withPanel(ts('NodePool usage', 'none', q('sum by (nodepool, resource_type) (karpenter_nodepools_usage)', '{{nodepool}} {{resource_type}}')))
        .withPanel(ts('Cloud provider errors', 'none', q('sum by (method, error) (rate(karpenter_cloudprovider_errors_total[5m]))', '{{method}} {{error}}'))),
    ),
    spec(
      'platform-istio',
      base('platform-istio', 'Platform / Istio', ['istio'])
        .withPanel(ts('Requests by destination', 'reqps', q('sum by (destination_service_name) (rate(istio_requests_total{reporter="destination"}[5m]))', '{{destination_service_name}}')))
        .withPanel(ts('5xx by destination', 'reqps', q('sum by (destination_service_name) (rate(istio_requests_total{reporter="destination", response_code=~"5.."}[5m]))', '{{destination_service_name}}')))
        .withPanel(ts('mTLS share of requests', 'percentunit', q('sum(rate(istio_requests_total{reporter="destination", connection_security_policy="mutual_tls"}[5m])) / sum(rate(istio_requests_total{reporter="destination"}[5m]))', 'mTLS')))
        .withPanel(ts('istiod xDS pushes', 'ops', q('sum by (type) (rate(pilot_xds_pushes[5m]))', '{{type}}'))),
    ),
    spec(
      'platform-kafka',
      base('platform-kafka', 'Platform / Kafka and CDC', ['kafka'])
        .withPanel(stat('Under-replicated partitions', 'none', 'sum(kafka_server_replicamanager_underreplicatedpartitions)'))
        .withPanel(stat('CDC lag', 'ms', 'max(debezium_metrics_MilliSecondsBehindSource)'))
        .withPanel(ts('Messages in', 'ops', q('sum by (topic) (rate(kafka_server_brokertopicmetrics_messagesin_total[5m]))', '{{topic}}')))
        .withPanel(ts('Consumer group lag', 'none', q('sum by (consumergroup, topic) (kafka_consumergroup_lag)', '{{consumergroup}} {{topic}}'))),
    ),
    spec(
      'platform-postgres',
      base('platform-postgres', 'Platform / PostgreSQL', ['postgres'])
        .withPanel(stat('Up', 'none', 'min(pg_up)'))
        .withPanel(ts('Connections', 'none', q('sum by (datname) (pg_stat_database_numbackends)', '{{datname}}')))
        .withPanel(ts('Commits', 'ops', q('sum by (datname) (rate(pg_stat_database_xact_commit[5m]))', '{{datname}}')))
        .withPanel(ts('Database size', 'bytes', q('sum by (datname) (pg_database_size_bytes)', '{{datname}}'))),
    ),
  ];
}

/** Every dashboard phase 7 provisions. */
export function dashboards(services: readonly ServiceSlo[]): DashboardSpec[] {
  return [...services.map(serviceDashboard), ...platformDashboards()];
}

/** Every PromQL expression of a dashboard's panels (rows hold no queries). */
export function panelQueries(d: Dashboard): { panel: string; expr: string }[] {
  const out: { panel: string; expr: string }[] = [];
  for (const p of d.panels ?? []) {
    const targets = (p as { title?: string; targets?: { expr?: string }[] }).targets ?? [];
    for (const t of targets) if (t.expr) out.push({ panel: (p as { title?: string }).title ?? '?', expr: t.expr });
  }
  return out;
}
