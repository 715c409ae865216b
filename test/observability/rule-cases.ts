/**
 * The promtool unit tests of phase 7's rules: for every alert, input series on which it fires
 * (with its exact labels and rendered annotations) and series on which it stays quiet. The cases
 * are data; `promtoolTests` turns them into promtool's test-file shape, and `coverage` reports
 * which alerts lack a firing or a quiet case (the suite fails on any).
 */
import type { ServiceSlo } from '../../programs/07-observability/rules.js';

export interface ExpAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}
export interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpAlert[];
}
export interface TestGroup {
  name: string;
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test: AlertTest[];
}

const series = (name: string, labels: Record<string, string>, values: string) => ({
  series: `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`,
  values,
});

/** The test groups of one service's SLO alerts. */
export function serviceCases(s: ServiceSlo): TestGroup[] {
  const dest = { reporter: 'destination', destination_service_name: s.name, destination_service_namespace: s.namespace };
  const requests = (okPerMin: number, errPerMin: number) => [
    series('istio_requests_total', { ...dest, response_code: '200' }, `0+${okPerMin}x30`),
    series('istio_requests_total', { ...dest, response_code: '503' }, `0+${errPerMin}x30`),
    // Another service's errors must not count against this one.
    series('istio_requests_total', { ...dest, destination_service_name: `${s.name}-other`, response_code: '500' }, '0+50x30'),
  ];
  const buckets = (counts: [number, number, number, number]) => {
    const les = [String(s.latencyP99Ms / 5), String(s.latencyP99Ms), String(s.latencyP99Ms * 2), '+Inf'];
    return les.map((le, i) => series('istio_request_duration_milliseconds_bucket', { ...dest, le }, `0+${counts[i]}x30`));
  };
  const memory = (usedMiB: number) => {
    const c = { namespace: s.namespace, pod: `${s.name}-7d9c-abcde`, container: s.name };
    return [
      series('container_memory_working_set_bytes', { ...c, id: '/kubepods/x', job: 'kubelet' }, `${usedMiB * 1048576}x30`),
      series('kube_pod_container_resource_limits', { ...c, resource: 'memory', unit: 'byte', job: 'kube-state-metrics' }, `${100 * 1048576}x30`),
    ];
  };
  const burn = (alert: 'Fast' | 'Slow', pct: string, factor: number, long: string, short: string): ExpAlert => ({
    exp_labels: { alertname: `ServiceErrorBudgetBurn${alert}`, severity: alert === 'Fast' ? 'critical' : 'warning', team: 'apps', service: s.name, namespace: s.namespace },
    exp_annotations: {
      summary: `${s.name} is burning its error budget ${factor}x too fast`,
      description: `5xx ratio of ${s.name} in ${s.namespace} is ${pct} over ${long} and ${short} (objective ${s.availability * 100}% available).`,
    },
  });
  // 20 minutes of data: enough for every `for:` (at most 15m); rate() over the longer windows
  // extrapolates from what there is, and the ratios are exact either way.
  const at = '20m';
  return [
    {
      name: `${s.name}: 10% of requests fail`,
      interval: '1m',
      input_series: [...requests(90, 10), ...buckets([100, 100, 100, 100]), ...memory(50)],
      alert_rule_test: [
        { eval_time: at, alertname: 'ServiceErrorBudgetBurnFast', exp_alerts: [burn('Fast', '10%', 14.4, '1h', '5m')] },
        { eval_time: at, alertname: 'ServiceErrorBudgetBurnSlow', exp_alerts: [burn('Slow', '10%', 6, '6h', '30m')] },
      ],
    },
    {
      name: `${s.name}: 1% of requests fail (slow burn only)`,
      interval: '1m',
      input_series: [...requests(99, 1), ...buckets([100, 100, 100, 100]), ...memory(50)],
      alert_rule_test: [
        { eval_time: at, alertname: 'ServiceErrorBudgetBurnFast', exp_alerts: [] },
        { eval_time: at, alertname: 'ServiceErrorBudgetBurnSlow', exp_alerts: [burn('Slow', '1%', 6, '6h', '30m')] },
      ],
    },
    {
      name: `${s.name}: healthy`,
      interval: '1m',
      input_series: [...requests(100, 0), ...buckets([100, 100, 100, 100]), ...memory(50)],
      alert_rule_test: ['ServiceErrorBudgetBurnFast', 'ServiceErrorBudgetBurnSlow', 'ServiceLatencyHigh', 'ServiceMemorySaturation'].map((alertname) => ({
        eval_time: at,
        alertname,
        exp_alerts: [],
      })),
    },
    {
      name: `${s.name}: every request between 1x and 2x the latency objective`,
      interval: '1m',
      input_series: [...requests(100, 0), ...buckets([0, 0, 100, 100]), ...memory(50)],
      alert_rule_test: [
        {
          eval_time: at,
          alertname: 'ServiceLatencyHigh',
          exp_alerts: [
            {
              exp_labels: { alertname: 'ServiceLatencyHigh', severity: 'warning', team: 'apps', service: s.name, namespace: s.namespace },
              exp_annotations: {
                summary: `${s.name} p99 latency is above ${s.latencyP99Ms} ms`,
                // p99 inside (objective, 2x objective]: objective + 0.99 * objective.
                description: `p99 of ${s.name} in ${s.namespace} is ${humanize(s.latencyP99Ms * 1.99)} ms over 5m (objective ${s.latencyP99Ms} ms).`,
              },
            },
          ],
        },
      ],
    },
    {
      name: `${s.name}: memory at 95% of its limit`,
      interval: '1m',
      input_series: [...requests(100, 0), ...buckets([100, 100, 100, 100]), ...memory(95)],
      alert_rule_test: [
        {
          eval_time: at,
          alertname: 'ServiceMemorySaturation',
          exp_alerts: [
            {
              exp_labels: { alertname: 'ServiceMemorySaturation', severity: 'warning', team: 'apps', service: s.name, namespace: s.namespace, pod: `${s.name}-7d9c-abcde`, container: s.name },
              exp_annotations: { summary: `${s.name} is near its memory limit`, description: `${s.name}-7d9c-abcde uses 95% of its memory limit.` },
            },
          ],
        },
      ],
    },
  ];
}

/** Prometheus's `humanize` for the plain numbers used here (no SI prefix below 1000). */
function humanize(n: number): string {
  if (Math.abs(n) >= 1000) {
    const k = n / 1000;
    return `${Number(k.toPrecision(4))}k`;
  }
  return String(Number(n.toPrecision(4)));
}

/** The test groups of the platform alerts. */
export function platformCases(): TestGroup[] {
  const cert = { namespace: 'istio-ingress', name: 'api-tls' };
  const broker = { namespace: 'kafka', pod: 'platform-kafka-broker-0' };
  const connect = { namespace: 'kafka', pod: 'platform-connect-0' };
  return [
    {
      name: 'certificate expires in 10 days',
      interval: '1m',
      input_series: [
        series('certmanager_certificate_expiration_timestamp_seconds', { ...cert, job: 'cert-manager' }, `${10 * 86400}x180`),
        series('certmanager_certificate_ready_status', { ...cert, condition: 'True' }, '1x180'),
        series('certmanager_certificate_ready_status', { ...cert, condition: 'False' }, '0x180'),
      ],
      alert_rule_test: [
        {
          eval_time: '2h',
          alertname: 'CertificateExpiringSoon',
          exp_alerts: [
            {
              exp_labels: { alertname: 'CertificateExpiringSoon', severity: 'warning', team: 'platform', ...cert },
              exp_annotations: {
                summary: 'A certificate expires within 14 days (renewal is failing)',
                description: 'Certificate istio-ingress/api-tls expires in 9d 22h 0m 0s.',
              },
            },
          ],
        },
        { eval_time: '2h', alertname: 'CertificateNotReady', exp_alerts: [] },
      ],
    },
    {
      name: 'certificate valid for 60 days but not Ready',
      interval: '1m',
      input_series: [
        series('certmanager_certificate_expiration_timestamp_seconds', { ...cert, job: 'cert-manager' }, `${60 * 86400}x180`),
        series('certmanager_certificate_ready_status', { ...cert, condition: 'True' }, '0x180'),
        series('certmanager_certificate_ready_status', { ...cert, condition: 'False' }, '1x180'),
      ],
      alert_rule_test: [
        { eval_time: '2h', alertname: 'CertificateExpiringSoon', exp_alerts: [] },
        {
          eval_time: '2h',
          alertname: 'CertificateNotReady',
          exp_alerts: [
            {
              exp_labels: { alertname: 'CertificateNotReady', severity: 'critical', team: 'platform', ...cert },
              exp_annotations: { summary: 'A certificate is not Ready', description: 'Certificate istio-ingress/api-tls has not been Ready for 15 minutes.' },
            },
          ],
        },
      ],
    },
    {
      name: 'kafka and CDC unhealthy',
      interval: '1m',
      input_series: [
        series('kafka_server_replicamanager_underreplicatedpartitions', { ...broker, strimzi_io_kind: 'Kafka' }, '2x30'),
        series('debezium_metrics_MilliSecondsBehindSource', { ...connect, context: 'streaming' }, '120000x30'),
        series('debezium_metrics_Connected', { ...connect, context: 'streaming' }, '0x30'),
      ],
      alert_rule_test: [
        {
          eval_time: '20m',
          alertname: 'KafkaUnderReplicatedPartitions',
          exp_alerts: [
            {
              exp_labels: { alertname: 'KafkaUnderReplicatedPartitions', severity: 'critical', team: 'data', ...broker },
              exp_annotations: { summary: 'Kafka has under-replicated partitions', description: 'Broker kafka/platform-kafka-broker-0 leads 2 under-replicated partitions.' },
            },
          ],
        },
        {
          eval_time: '20m',
          alertname: 'CdcLagHigh',
          exp_alerts: [
            {
              exp_labels: { alertname: 'CdcLagHigh', severity: 'warning', team: 'data', ...connect },
              exp_annotations: { summary: 'CDC is more than a minute behind the database', description: 'Debezium in kafka/platform-connect-0 is 120000 ms behind its source.' },
            },
          ],
        },
        {
          eval_time: '20m',
          alertname: 'CdcConnectorDisconnected',
          exp_alerts: [
            {
              exp_labels: { alertname: 'CdcConnectorDisconnected', severity: 'critical', team: 'data', ...connect },
              exp_annotations: { summary: 'The Debezium connector lost its database connection', description: 'Debezium in kafka/platform-connect-0 has been disconnected for 5 minutes.' },
            },
          ],
        },
      ],
    },
    {
      name: 'kafka and CDC healthy',
      interval: '1m',
      input_series: [
        series('kafka_server_replicamanager_underreplicatedpartitions', { ...broker, strimzi_io_kind: 'Kafka' }, '0x30'),
        series('debezium_metrics_MilliSecondsBehindSource', { ...connect, context: 'streaming' }, '450x30'),
        series('debezium_metrics_Connected', { ...connect, context: 'streaming' }, '1x30'),
      ],
      alert_rule_test: ['KafkaUnderReplicatedPartitions', 'CdcLagHigh', 'CdcConnectorDisconnected'].map((alertname) => ({ eval_time: '20m', alertname, exp_alerts: [] })),
    },
  ];
}

/** promtool's test file for `rulesFile`. */
export function promtoolTests(rulesFile: string, groups: TestGroup[]): Record<string, unknown> {
  return { rule_files: [rulesFile], evaluation_interval: '1m', tests: groups };
}

/** Alerts without a firing case, and alerts without a quiet case. */
export function coverage(alerts: readonly string[], groups: readonly TestGroup[]): { noFiring: string[]; noQuiet: string[] } {
  const tests = groups.flatMap((g) => g.alert_rule_test);
  return {
    noFiring: alerts.filter((a) => !tests.some((t) => t.alertname === a && t.exp_alerts.length > 0)),
    noQuiet: alerts.filter((a) => !tests.some((t) => t.alertname === a && t.exp_alerts.length === 0)),
  };
}
