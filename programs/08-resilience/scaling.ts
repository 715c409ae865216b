/**
 * The request-rate metric the services' HPAs scale on besides CPU. Each service's HPA (rendered by
 * the GitOps service chart, gitops/charts/service/templates/hpa.yaml, from programs/shared/services.ts)
 * asks the custom metrics API for `istio_requests_per_second` per pod; prometheus-adapter serves it
 * from Istio's `istio_requests_total` (server side, reporter=destination), which Prometheus scrapes
 * through each service's ServiceMonitor. Only custom rules: metrics-server (phase 2) keeps serving
 * CPU and memory, so the adapter registers no resource-metrics API.
 */
import type * as k8s from '@pulumi/kubernetes';
import { chartLock, pinOf } from '../shared/chart-lock.js';
import { criticalAddonsToleration, pinnedRelease } from '../shared/charts.js';
import type { Phase8Inputs } from './phase.js';

/** The per-pod custom metric the HPAs read. */
export const REQUEST_RATE_METRIC = 'istio_requests_per_second';
export const ADAPTER_RELEASE = 'prometheus-adapter';

export function adapterValues(inputs: Phase8Inputs): Record<string, unknown> {
  return {
    replicas: 2,
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    prometheus: { url: inputs.prometheus.url, port: inputs.prometheus.port },
    rules: {
      default: false,
      custom: [
        {
          seriesQuery: 'istio_requests_total{namespace!="",pod!="",reporter="destination"}',
          resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
          name: { matches: '^istio_requests_total$', as: REQUEST_RATE_METRIC },
          metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>,reporter="destination"}[2m])) by (<<.GroupBy>>)',
        },
      ],
    },
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    tolerations: [criticalAddonsToleration],
    nodeSelector: { 'kubernetes.io/os': 'linux', 'platform.io/node-pool': 'system' },
  };
}

export function installAdapter(inputs: Phase8Inputs, provider: k8s.Provider): k8s.helm.v3.Release {
  const entry = chartLock().charts.prometheusAdapter;
  if (!entry) throw new Error("charts.lock.yaml has no entry 'prometheusAdapter': add it with its repository, version and digest");
  return pinnedRelease('prometheus-adapter', { pin: pinOf(entry), namespace: inputs.prometheus.namespace, releaseName: ADAPTER_RELEASE, values: adapterValues(inputs) }, { provider });
}
