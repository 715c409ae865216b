/**
 * The metric names phase 7's dashboards and rules may query, each with the component that exports
 * it and the phase that runs that component. A query naming anything else (a typo, a metric no
 * deployed exporter has) fails the dashboards test. Names were checked against each exporter's
 * documentation or exporter config (search tool, 2026-11-30); the sources are named per group.
 */

export interface MetricSource {
  exporter: string;
  /** The phase that deploys the exporter (or the mesh/kubelet feature behind it). */
  phase: number;
  metrics: readonly string[];
}

export const METRIC_SOURCES: readonly MetricSource[] = [
  {
    // Istio standard metrics (istio.io docs "Istio Standard Metrics"), scraped by phase 7's envoy-stats PodMonitor.
    exporter: 'Istio sidecars (envoy /stats/prometheus)',
    phase: 5,
    metrics: ['istio_requests_total', 'istio_request_duration_milliseconds_bucket', 'istio_request_duration_milliseconds_sum', 'istio_request_duration_milliseconds_count'],
  },
  { exporter: 'istiod (pilot, phase 7 ServiceMonitor)', phase: 2, metrics: ['pilot_xds_pushes', 'pilot_proxy_convergence_time_bucket'] },
  {
    exporter: 'kube-state-metrics (kube-prometheus-stack)',
    phase: 2,
    metrics: ['kube_node_status_condition', 'kube_pod_status_phase', 'kube_pod_container_status_restarts_total', 'kube_pod_container_resource_limits', 'kube_pod_container_resource_requests'],
  },
  {
    exporter: 'kubelet and cAdvisor (kube-prometheus-stack ServiceMonitor)',
    phase: 2,
    metrics: ['container_memory_working_set_bytes', 'container_cpu_usage_seconds_total', 'kubelet_volume_stats_available_bytes', 'kubelet_volume_stats_capacity_bytes'],
  },
  { exporter: 'kube-apiserver', phase: 2, metrics: ['apiserver_request_total'] },
  {
    exporter: 'node-exporter (kube-prometheus-stack)',
    phase: 2,
    metrics: ['node_cpu_seconds_total', 'node_memory_MemAvailable_bytes', 'node_memory_MemTotal_bytes', 'node_filesystem_avail_bytes', 'node_filesystem_size_bytes'],
  },
  {
    // karpenter.sh v1.14 reference/metrics.
    exporter: 'Karpenter controller',
    phase: 2,
    metrics: ['karpenter_nodeclaims_created_total', 'karpenter_nodeclaims_terminated_total', 'karpenter_nodepools_usage', 'karpenter_nodepools_limit', 'karpenter_cloudprovider_errors_total'],
  },
  {
    // cert-manager controller metrics (cert-manager.io docs, "Prometheus Metrics").
    exporter: 'cert-manager controller',
    phase: 2,
    metrics: ['certmanager_certificate_expiration_timestamp_seconds', 'certmanager_certificate_ready_status'],
  },
  {
    // Strimzi's example JMX exporter rules (examples/metrics/kafka-metrics.yaml) and Kafka Exporter.
    exporter: 'Strimzi Kafka brokers (JMX exporter) and Kafka Exporter',
    phase: 4,
    metrics: ['kafka_server_replicamanager_underreplicatedpartitions', 'kafka_server_brokertopicmetrics_messagesin_total', 'kafka_consumergroup_lag'],
  },
  {
    // Strimzi's Kafka Connect example rules: `debezium_metrics_$4` keeps Debezium's MBean attribute names.
    exporter: 'Debezium on Kafka Connect (JMX exporter)',
    phase: 4,
    metrics: ['debezium_metrics_MilliSecondsBehindSource', 'debezium_metrics_Connected'],
  },
  {
    // prometheus-community/postgres_exporter default collectors.
    exporter: 'postgres_exporter',
    phase: 4,
    metrics: ['pg_up', 'pg_stat_database_numbackends', 'pg_stat_database_xact_commit', 'pg_database_size_bytes'],
  },
];

/** Every catalogued metric name. */
export function knownMetrics(): Set<string> {
  return new Set(METRIC_SOURCES.flatMap((s) => s.metrics));
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects: string literals, label matchers, range and
 * grouping clauses are removed, then every identifier not called as a function is a metric.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const out = new Set<string>();
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const after = stripped.slice(m.index! + word.length).trimStart();
    if (after.startsWith('(')) continue;
    if (KEYWORDS.has(word.toLowerCase())) continue;
    out.add(word);
  }
  return [...out];
}
