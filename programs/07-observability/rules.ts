/**
 * The Prometheus rules phase 7 ships, as plain data in Prometheus's rule-file shape (`groups:`), so
 * the same object becomes a PrometheusRule's `spec` in the cluster and a rules file for `promtool
 * check rules` / `promtool test rules` in the tests. Pure: no Pulumi.
 *
 * Rules:
 * - One group per service (from the service list): multi-window error-budget burn alerts (fast:
 *   1h and 5m above 14.4x the budget; slow: 6h and 30m above 6x; the SRE workbook's pairs), p99
 *   latency over the service's threshold, and memory saturation against the container's limit.
 *   Request metrics come from the Istio sidecars (`istio_requests_total`,
 *   `istio_request_duration_milliseconds_bucket`, server side: `reporter="destination"`), which
 *   every meshed service emits; memory from the kubelet's cAdvisor and kube-state-metrics.
 * - One group of platform alerts phase 2's kube-prometheus-stack does not already ship: certificate
 *   expiry and readiness (cert-manager), Kafka under-replicated partitions (Strimzi's JMX exporter
 *   rules), CDC lag and a disconnected Debezium connector (Strimzi's Kafka Connect exporter rules).
 *   Node pressure (`KubeNodePressure`), PVC filling (`KubePersistentVolumeFillingUp`) and `Watchdog`
 *   are the chart's default rules (phase 2 owns them); phase 7 routes them, it does not copy them.
 */

/** One alerting or recording rule (Prometheus rule-file fields). */
export interface PromRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface PromRuleGroup {
  name: string;
  interval?: string;
  rules: PromRule[];
}

/** A service's objectives. */
export interface ServiceSlo {
  /** The service name: its Kubernetes Service and container name (phase 5's charts). */
  name: string;
  /** The namespace it runs in. */
  namespace: string;
  /** Availability objective, e.g. 0.999 (the error budget is 1 - availability). */
  availability: number;
  /** p99 latency objective in milliseconds. */
  latencyP99Ms: number;
}

/** Objectives used when the service list gives none. */
export const DEFAULT_SLO = { availability: 0.999, latencyP99Ms: 500 } as const;

/** Memory working set over limit above which a container is saturated. */
export const SATURATION_RATIO = 0.9;
/** Days before notAfter under which a certificate alerts (cert-manager renews at 1/3 of life left). */
export const CERT_EXPIRY_DAYS = 14;
/** Debezium's streaming lag above which CDC alerts, in milliseconds. */
export const CDC_LAG_MS = 60_000;

/** Names of the alerts phase 2's kube-prometheus-stack ships that phase 7's routing relies on. */
export const CHART_DEFAULT_ALERTS = ['Watchdog', 'InfoInhibitor', 'KubeNodePressure', 'KubePersistentVolumeFillingUp'] as const;

const WINDOWS = ['5m', '30m', '1h', '6h'] as const;
/** Burn-rate pairs (long window, short window, factor, severity, for). */
const BURNS = [
  { alert: 'ServiceErrorBudgetBurnFast', long: '1h', short: '5m', factor: 14.4, severity: 'critical', for: '2m' },
  { alert: 'ServiceErrorBudgetBurnSlow', long: '6h', short: '30m', factor: 6, severity: 'warning', for: '15m' },
] as const;

/** The recording rule name of a service's 5xx ratio over `window`. */
export function errorRatioRecord(window: string): string {
  return `service:istio_requests:error_ratio_rate${window}`;
}

function fmt(n: number): string {
  // Enough digits for 14.4 * 0.001 without float noise (0.0144, not 0.014400000000000001).
  return String(Number(n.toPrecision(6)));
}

/** The rule group of one service. */
export function serviceRuleGroup(s: ServiceSlo): PromRuleGroup {
  const sel = `reporter="destination", destination_service_name="${s.name}", destination_service_namespace="${s.namespace}"`;
  const svcLabels = { service: s.name, namespace: s.namespace };
  const budget = 1 - s.availability;
  const rules: PromRule[] = WINDOWS.map((w) => ({
    record: errorRatioRecord(w),
    // No traffic gives no sample (0/0 is dropped by the division's empty result), so an idle
    // service never burns its budget.
    expr:
      `sum(rate(istio_requests_total{${sel}, response_code=~"5.."}[${w}]))\n` +
      `/\nsum(rate(istio_requests_total{${sel}}[${w}]))`,
    labels: svcLabels,
  }));
  for (const b of BURNS) {
    const threshold = fmt(b.factor * budget);
    const ratio = (w: string) => `${errorRatioRecord(w)}{service="${s.name}", namespace="${s.namespace}"}`;
    rules.push({
      alert: b.alert,
      expr: `${ratio(b.long)} > ${threshold}\nand\n${ratio(b.short)} > ${threshold}`,
      for: b.for,
      // service and namespace as static labels too: one alert name per service stays distinct
      // (promtool's lint reports same-name, same-label alerts across groups as duplicates).
      labels: { severity: b.severity, team: 'apps', ...svcLabels },
      annotations: {
        summary: `${s.name} is burning its error budget ${b.factor}x too fast`,
        description: `5xx ratio of ${s.name} in ${s.namespace} is {{ $value | humanizePercentage }} over ${b.long} and ${b.short} (objective ${s.availability * 100}% available).`,
      },
    });
  }
  rules.push({
    alert: 'ServiceLatencyHigh',
    expr:
      `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[5m])))\n` +
      `> ${s.latencyP99Ms}`,
    for: '10m',
    labels: { severity: 'warning', team: 'apps', ...svcLabels },
    annotations: {
      summary: `${s.name} p99 latency is above ${s.latencyP99Ms} ms`,
      description: `p99 of ${s.name} in ${s.namespace} is {{ $value | humanize }} ms over 5m (objective ${s.latencyP99Ms} ms).`,
    },
  });
  const c = `namespace="${s.namespace}", container="${s.name}"`;
  rules.push({
    alert: 'ServiceMemorySaturation',
    expr:
      `max by (namespace, pod, container) (container_memory_working_set_bytes{${c}})\n` +
      `/\nmax by (namespace, pod, container) (kube_pod_container_resource_limits{${c}, resource="memory"})\n` +
      `> ${SATURATION_RATIO}`,
    for: '15m',
    labels: { severity: 'warning', team: 'apps', service: s.name },
    annotations: {
      summary: `${s.name} is near its memory limit`,
      description: `{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit.`,
    },
  });
  return { name: `slo-${s.name}`, rules };
}

/** The platform alerts phase 7 adds to the chart's defaults. */
export function platformRuleGroup(): PromRuleGroup {
  return {
    name: 'platform',
    rules: [
      {
        alert: 'CertificateExpiringSoon',
        expr: `min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds) - time() < ${CERT_EXPIRY_DAYS} * 86400`,
        for: '1h',
        labels: { severity: 'warning', team: 'platform' },
        annotations: {
          summary: 'A certificate expires within 14 days (renewal is failing)',
          description: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}.',
        },
      },
      {
        alert: 'CertificateNotReady',
        expr: 'max by (namespace, name) (certmanager_certificate_ready_status{condition=~"False|Unknown"}) == 1',
        for: '15m',
        labels: { severity: 'critical', team: 'platform' },
        annotations: {
          summary: 'A certificate is not Ready',
          description: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} has not been Ready for 15 minutes.',
        },
      },
      {
        alert: 'KafkaUnderReplicatedPartitions',
        expr: 'sum by (namespace, pod) (kafka_server_replicamanager_underreplicatedpartitions) > 0',
        for: '10m',
        labels: { severity: 'critical', team: 'data' },
        annotations: {
          summary: 'Kafka has under-replicated partitions',
          description: 'Broker {{ $labels.namespace }}/{{ $labels.pod }} leads {{ $value }} under-replicated partitions.',
        },
      },
      {
        alert: 'CdcLagHigh',
        expr: `max by (namespace, pod) (debezium_metrics_MilliSecondsBehindSource) > ${CDC_LAG_MS}`,
        for: '10m',
        labels: { severity: 'warning', team: 'data' },
        annotations: {
          summary: 'CDC is more than a minute behind the database',
          description: 'Debezium in {{ $labels.namespace }}/{{ $labels.pod }} is {{ $value }} ms behind its source.',
        },
      },
      {
        alert: 'CdcConnectorDisconnected',
        expr: 'max by (namespace, pod) (debezium_metrics_Connected) == 0',
        for: '5m',
        labels: { severity: 'critical', team: 'data' },
        annotations: {
          summary: 'The Debezium connector lost its database connection',
          description: 'Debezium in {{ $labels.namespace }}/{{ $labels.pod }} has been disconnected for 5 minutes.',
        },
      },
    ],
  };
}

/** Every rule group phase 7 ships. */
export function ruleGroups(services: readonly ServiceSlo[]): PromRuleGroup[] {
  return [...services.map(serviceRuleGroup), platformRuleGroup()];
}

/** The alert names of `groups`, each once. */
export function alertNames(groups: readonly PromRuleGroup[]): string[] {
  return [...new Set(groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : []))))];
}
