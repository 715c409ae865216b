/**
 * Phase 7 gates (reference/phases.md, phase 7 "Gate"), through the API server's service proxy:
 * - metrics-flow: the required scrape jobs have targets and all are up; every rule group phase 7
 *   ships is loaded and evaluates without error (prom-api.ts metricsFlow).
 * - alerting-flow: Alertmanager runs phase 7's configuration (every receiver present: the config
 *   Secret rendered from the secret store was picked up) and Watchdog is active (Prometheus reaches
 *   Alertmanager) (prom-api.ts alertingFlow).
 * Loki and Tempo flows are not gated here yet (Loki is phase 2's; tracing is not built).
 */
import type { Gate } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { alertingFlow, metricsFlow, type FlowReport, type HttpGet } from './prom-api.js';
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
  if (!service || !namespace || !u.port) throw new Error(`'${url}' is not an in-cluster service URL (http://<svc>.<ns>.svc...:<port>)`);
  return { namespace, service, port: Number(u.port) };
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

export const gates: G[] = [metricsFlowGate, alertingFlowGate];
