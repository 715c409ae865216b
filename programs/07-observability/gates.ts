/**
 * Phase 7 gates (reference/phases.md, phase 7 "Gate"), through the API server's service proxy:
 * - metrics-flow: the required scrape jobs have targets and all are up; every rule group phase 7
 *   ships is loaded and evaluates without error (prom-api.ts metricsFlow).
 * - alerting-flow: Alertmanager runs phase 7's configuration (every receiver present: the config
 *   Secret rendered from the secret store was picked up) and Watchdog is active (Prometheus reaches
 *   Alertmanager) (prom-api.ts alertingFlow).
 * - logs-flow: Loki is ready and has recent log lines from every namespace in `logNamespaces`
 *   (Alloy, phase 2, ships them) (logs-api.ts logsFlow).
 * - grafana-healthy: Grafana answers its health endpoint with its database ok (logs-api.ts grafanaFlow).
 * - traces-flow: a span with a fresh trace id, sent to the OpenTelemetry collector's OTLP/HTTP
 *   receiver, is found in Tempo's query API within TRACE_ARRIVAL_MS (traces-api.ts tracesFlow).
 * Loki, Alloy and Grafana are installed by phase 2 (one owner); phase 7 checks that they work.
 */
import type { Gate } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { alertingFlow, metricsFlow, type FlowReport, type HttpGet } from './prom-api.js';
import { grafanaFlow, logsFlow } from './logs-api.js';
import { newProbeIds, tracesFlow, type HttpPost } from './traces-api.js';
import { INGRESS_MONITOR } from './manifests.js';
import type { Phase7Outputs } from './phase.js';

type G = Gate<Phase7Outputs, Probes>;
const MIN = 60_000;

/**
 * Platform scrape jobs that must be up. Job names as kube-prometheus-stack's ServiceMonitors set
 * them, and as phase 7's Istio monitors do: istiod's ServiceMonitor takes the `istio` label
 * (`pilot`); the ingress gateway's PodMonitor sets no job label, so its job is `<namespace>/<name>`.
 * Each service's job (its chart's ServiceMonitor: the Service name) comes from the outputs.
 */
export const REQUIRED_JOBS = ['apiserver', 'kubelet', 'node-exporter', 'kube-state-metrics', 'pilot', `istio-system/${INGRESS_MONITOR}`] as const;

/** `http://<svc>.<ns>.svc.cluster.local:<port>` -> the service proxy target. */
export function serviceOf(url: string): { namespace: string; service: string; port: number } {
  const u = new URL(url);
  const [service, namespace] = u.hostname.split('.');
  const port = u.port || (u.protocol === 'http:' ? '80' : u.protocol === 'https:' ? '443' : '');
  if (!service || !namespace || !port) throw new Error(`'${url}' is not an in-cluster service URL (http://<svc>.<ns>.svc...:<port>)`);
  return { namespace, service, port: Number(port) };
}

const through = (probes: Probes, url: string): HttpGet => {
  const target = serviceOf(url);
  return (path) => probes.k8s.proxyGet(target, path);
};

const judge = (r: FlowReport, hint: string) => {
  const ev = new Evidence();
  for (const s of r.saw) ev.saw(s);
  for (const p of r.problems) ev.problem(p);
  return ev.outcome(hint);
};

export const metricsFlowGate: G = {
  name: 'metrics-flow',
  description: `Scrape jobs ${REQUIRED_JOBS.join(', ')} and every service's up; phase 7's rule groups loaded without errors`,
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 30_000,
  async check({ outputs, probes }) {
    const r = await metricsFlow(through(probes, outputs.prometheusUrl), { jobs: [...REQUIRED_JOBS, ...outputs.serviceScrapeJobs], ruleGroups: outputs.ruleGroups });
    return judge(r, 'Prometheus UI > Status > Targets / Rules; a missing job means its ServiceMonitor or PodMonitor was not selected');
  },
};

export const alertingFlowGate: G = {
  name: 'alerting-flow',
  description: "Alertmanager runs phase 7's receivers and Watchdog is active",
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 30_000,
  async check({ outputs, probes }) {
    const r = await alertingFlow(through(probes, outputs.alertmanagerUrl), { receivers: outputs.alertReceivers });
    return judge(r, `put paging-url and deadman-url in Secrets Manager secret ${outputs.alertReceiversSecret}; then kubectl -n monitoring describe externalsecret`);
  },
};

/** How far back the logs-flow gate looks for each namespace's newest line. */
export const LOG_WINDOW_MINUTES = 15;

export const logsFlowGate: G = {
  name: 'logs-flow',
  description: `Loki ready, with log lines of the last ${LOG_WINDOW_MINUTES} minutes from every required namespace`,
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 30_000,
  async check({ outputs, probes }) {
    const r = await logsFlow(through(probes, outputs.lokiQueryUrl), { namespaces: outputs.logNamespaces, sinceMinutes: LOG_WINDOW_MINUTES });
    return judge(r, 'kubectl -n loki logs ds/alloy (is it shipping?) and kubectl -n loki get pods (is Loki ready?)');
  },
};

export const grafanaHealthyGate: G = {
  name: 'grafana-healthy',
  description: 'Grafana answers /api/health with its database ok',
  live: true,
  timeoutMs: 5 * MIN,
  intervalMs: 15_000,
  async check({ outputs, probes }) {
    const r = await grafanaFlow(through(probes, outputs.grafanaUrl));
    return judge(r, 'kubectl -n monitoring logs deploy/kube-prometheus-stack-grafana');
  },
};

const postThrough = (probes: Probes, url: string): HttpPost => {
  const target = serviceOf(url);
  return (path, body, contentType) => probes.k8s.proxyPost(target, path, body, contentType);
};

/** How long one attempt of traces-flow waits for its span in Tempo (the collector batches for up to 200 ms; Tempo serves recent traces from its ingester). */
export const TRACE_ARRIVAL_MS = 60_000;
/** How often one attempt asks Tempo for the trace. */
export const TRACE_POLL_MS = 5_000;

export const tracesFlowGate: G = {
  name: 'traces-flow',
  description: `A span with a new trace id sent to the OpenTelemetry collector (OTLP/HTTP) is in Tempo within ${TRACE_ARRIVAL_MS / 1000}s`,
  live: true,
  timeoutMs: 5 * MIN,
  intervalMs: 15_000,
  async check(ctx) {
    const { outputs, probes } = ctx;
    const now = () => ctx.clock?.now() ?? Date.now();
    const deadline = Math.min(now() + TRACE_ARRIVAL_MS, ctx.deadline ?? Number.POSITIVE_INFINITY);
    const r = await tracesFlow(
      {
        post: postThrough(probes, outputs.otelCollectorEndpoint.http),
        get: through(probes, outputs.tempoQueryUrl),
        now,
        sleep: (ms) => (ctx.clock ? ctx.clock.sleep(ms, ctx.signal) : new Promise((res) => setTimeout(res, ms))),
      },
      { ids: newProbeIds(), collectorUrl: outputs.otelCollectorEndpoint.http, storeUrl: outputs.tempoQueryUrl, deadline, intervalMs: TRACE_POLL_MS },
    );
    return judge(r, 'kubectl -n monitoring logs deploy/otel-collector (exporting to Tempo?) and kubectl -n monitoring logs statefulset/tempo; look the trace id up in Grafana > Explore > Tempo');
  },
};

export const gates: G[] = [metricsFlowGate, alertingFlowGate, logsFlowGate, grafanaHealthyGate, tracesFlowGate];
