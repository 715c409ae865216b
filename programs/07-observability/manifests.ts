/**
 * Phase 7's Kubernetes objects as plain manifests (pure; program.ts creates them, the tests apply
 * them to a real API server with the real CRDs):
 * - PrometheusRule `platform-slo` carrying every group of rules.ts (phase 2's Prometheus selects all
 *   rules: ruleSelectorNilUsesHelmValues false);
 * - the scrape objects nobody else brings for Istio: a PodMonitor for the ingress gateway's Envoy
 *   (/stats/prometheus) and a ServiceMonitor for istiod, after Istio's prometheus-operator sample.
 *   Each service's sidecar is scraped by its own chart's ServiceMonitor (phase 5, gitops/charts/
 *   service: the Istio agent's merged metrics): a mesh-wide PodMonitor here would scrape them twice;
 * - one ConfigMap per dashboard, labelled `grafana_dashboard: "1"` for the chart's Grafana sidecar;
 * - the ExternalSecret that renders Alertmanager's config Secret (`configSecret` of phase 2's
 *   Alertmanager): alertmanager.yaml from alerting.ts plus the receiver URLs read from the secret
 *   store. ESO renders template values with Go templates, so alertmanager.yaml must hold no `{{`.
 */
import { stringify } from 'yaml';
import { alertmanagerConfig, RECEIVER_SECRET_KEYS, type AlertingInputs } from './alerting.js';
import type { DashboardSpec } from './dashboards.js';
import type { PromRuleGroup } from './rules.js';

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string> }; [k: string]: unknown };

const labels = { 'app.kubernetes.io/managed-by': 'platform', 'platform.io/phase': '07-observability' };
/** Where the operator mounts the config Secret's keys in the Alertmanager pods. */
export const OPERATOR_CONFIG_DIR = '/etc/alertmanager/config';
export const RULE_NAME = 'platform-slo';
/** The ingress gateway's PodMonitor (in istio-system); with no job label its job is `istio-system/<name>`. */
export const INGRESS_MONITOR = 'ingress-gateway-envoy';

export function prometheusRule(namespace: string, groups: PromRuleGroup[]): Manifest {
  return { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: RULE_NAME, namespace, labels }, spec: { groups } };
}

export function istioMonitors(): Manifest[] {
  return [
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: INGRESS_MONITOR, namespace: 'istio-system', labels },
      spec: {
        selector: { matchLabels: { istio: 'ingressgateway' } },
        namespaceSelector: { matchNames: ['istio-ingress'] },
        podMetricsEndpoints: [
          {
            path: '/stats/prometheus',
            interval: '15s',
            relabelings: [
              { action: 'keep', sourceLabels: ['__meta_kubernetes_pod_container_name'], regex: 'istio-proxy' },
              { action: 'keep', sourceLabels: ['__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape'] },
              {
                action: 'replace',
                regex: '(\\d+);(([A-Fa-f0-9]{1,4}::?){1,7}[A-Fa-f0-9]{1,4})',
                replacement: '[$2]:$1',
                sourceLabels: ['__meta_kubernetes_pod_annotation_prometheus_io_port', '__meta_kubernetes_pod_ip'],
                targetLabel: '__address__',
              },
              {
                action: 'replace',
                regex: '(\\d+);((([0-9]+?)(\\.|$)){4})',
                replacement: '$2:$1',
                sourceLabels: ['__meta_kubernetes_pod_annotation_prometheus_io_port', '__meta_kubernetes_pod_ip'],
                targetLabel: '__address__',
              },
              { action: 'labeldrop', regex: '__meta_kubernetes_pod_label_(.+)' },
              { sourceLabels: ['__meta_kubernetes_namespace'], action: 'replace', targetLabel: 'namespace' },
              { sourceLabels: ['__meta_kubernetes_pod_name'], action: 'replace', targetLabel: 'pod_name' },
            ],
          },
        ],
      },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'istio-component-monitor', namespace: 'istio-system', labels },
      spec: {
        jobLabel: 'istio',
        targetLabels: ['app'],
        selector: { matchExpressions: [{ key: 'istio', operator: 'In', values: ['pilot'] }] },
        namespaceSelector: { any: true },
        endpoints: [{ port: 'http-monitoring', interval: '15s' }],
      },
    },
  ];
}

export function dashboardConfigMaps(namespace: string, specs: DashboardSpec[]): Manifest[] {
  return specs.map((d) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: d.name, namespace, labels: { ...labels, grafana_dashboard: '1' } },
    data: { [d.file]: JSON.stringify(d.dashboard) },
  }));
}

export interface AlertmanagerSecretInputs {
  namespace: string;
  /** The Secret the Alertmanager resource names in configSecret (phase 2). */
  secretName: string;
  clusterSecretStore: string;
  /** Secrets Manager secret holding the receiver URLs as JSON properties. */
  receiversSecret: string;
  alerting: Omit<AlertingInputs, 'secretsDir' | 'snsApiUrl'>;
}

/** The rendered alertmanager.yaml (receiver URL files in the operator's config folder). */
export function alertmanagerYaml(i: Omit<AlertingInputs, 'secretsDir' | 'snsApiUrl'>): string {
  return stringify(alertmanagerConfig({ ...i, secretsDir: OPERATOR_CONFIG_DIR }), { lineWidth: 0 });
}

export function alertmanagerExternalSecret(i: AlertmanagerSecretInputs): Manifest {
  const yaml = alertmanagerYaml(i.alerting);
  if (yaml.includes('{{')) throw new Error('alertmanager.yaml contains {{ ... }}: the ExternalSecret template would render it');
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: i.secretName, namespace: i.namespace, labels },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: i.clusterSecretStore },
      target: {
        name: i.secretName,
        creationPolicy: 'Owner',
        template: {
          engineVersion: 'v2',
          data: {
            'alertmanager.yaml': yaml,
            [RECEIVER_SECRET_KEYS.paging]: '{{ .pagingUrl }}',
            [RECEIVER_SECRET_KEYS.deadman]: '{{ .deadmanUrl }}',
          },
        },
      },
      data: [
        { secretKey: 'pagingUrl', remoteRef: { key: i.receiversSecret, property: RECEIVER_SECRET_KEYS.paging } },
        { secretKey: 'deadmanUrl', remoteRef: { key: i.receiversSecret, property: RECEIVER_SECRET_KEYS.deadman } },
      ],
    },
  };
}
