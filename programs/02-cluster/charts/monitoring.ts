/**
 * kube-prometheus-stack (Prometheus, Alertmanager, Grafana, node-exporter, kube-state-metrics) on
 * the gp3 class, and metrics-server (resource metrics for HPA). EKS does not expose the scheduler,
 * controller-manager, etcd or kube-proxy metrics as scrape targets, so those monitors are off.
 */
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import {
  criticalAddonsToleration,
  pinnedRelease,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from '../../shared/charts.js';
import { NAMESPACES, STORAGE_CLASS } from '../addons.js';
import { chartPin } from '../versions.js';

export const PROMETHEUS_RELEASE = 'kube-prometheus-stack';
/**
 * The Secret Alertmanager reads its configuration from. Phase 7 creates it (an ExternalSecret that
 * renders its routes and the receiver URLs from the secret store); until then the operator runs
 * Alertmanager with its default configuration (prometheus-operator v0.93.1
 * pkg/alertmanager/operator.go loadConfigurationFromSecret: a missing Secret is not an error).
 */
export const ALERTMANAGER_CONFIG_SECRET = 'alertmanager-platform';
/** The chart's Alertmanager service account (`<fullname>-alertmanager`): phase 7 binds its SNS role to it. */
export const ALERTMANAGER_SERVICE_ACCOUNT = `${PROMETHEUS_RELEASE}-alertmanager`;
/** Service names follow the chart's `<release>-<component>` naming (fullnameOverride set to the release). */
export const services = {
  prometheus: `${PROMETHEUS_RELEASE}-prometheus.${NAMESPACES.monitoring}.svc.cluster.local:9090`,
  alertmanager: `${PROMETHEUS_RELEASE}-alertmanager.${NAMESPACES.monitoring}.svc.cluster.local:9093`,
  grafana: `${PROMETHEUS_RELEASE}-grafana.${NAMESPACES.monitoring}.svc.cluster.local:80`,
};

const pvc = (size: string) => ({
  volumeClaimTemplate: { spec: { storageClassName: STORAGE_CLASS, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } } },
});

export function kubePrometheusStackValues(): Record<string, unknown> {
  return {
    fullnameOverride: PROMETHEUS_RELEASE,
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    nodeExporter: { enabled: true },
    kubeStateMetrics: { enabled: true },
    prometheus: {
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
      prometheusSpec: {
        replicas: 2,
        retention: '15d',
        retentionSize: '45GB',
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '4Gi' } },
        storageSpec: pvc('50Gi'),
        securityContext: { ...restrictedPodSecurityContext, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000 },
      },
    },
    alertmanager: {
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
      alertmanagerSpec: {
        // The configuration is phase 7's Secret, not the chart's generated one (one owner).
        useExistingSecret: true,
        configSecret: ALERTMANAGER_CONFIG_SECRET,
        replicas: 3,
        resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        storage: pvc('5Gi'),
        securityContext: { ...restrictedPodSecurityContext, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000 },
      },
    },
    grafana: {
      replicas: 1,
      persistence: { enabled: true, type: 'pvc', storageClassName: STORAGE_CLASS, size: '10Gi' },
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    },
    prometheusOperator: {
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
      securityContext: { ...restrictedPodSecurityContext, runAsUser: 65534, fsGroup: 65534 },
      containerSecurityContext: restrictedContainerSecurityContext,
    },
  };
}

export function metricsServerValues(): Record<string, unknown> {
  return {
    replicas: 2,
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
    resources: { requests: { cpu: '100m', memory: '200Mi' }, limits: { memory: '400Mi' } },
    // The pod level too (the chart's default is empty): non-root and RuntimeDefault seccomp for every
    // container the pod may get, not only the one `securityContext` covers (checkov CKV_K8S_29).
    podSecurityContext: restrictedPodSecurityContext,
    securityContext: restrictedContainerSecurityContext,
    tolerations: [criticalAddonsToleration],
  };
}

export function installMonitoring(opts: { provider: k8s.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] }): {
  stack: k8s.helm.v3.Release;
  metricsServer: k8s.helm.v3.Release;
} {
  const stack = pinnedRelease(
    'kube-prometheus-stack',
    { pin: chartPin('kubePrometheusStack'), namespace: NAMESPACES.monitoring, releaseName: PROMETHEUS_RELEASE, values: kubePrometheusStackValues(), timeoutSeconds: 1200 },
    opts,
  );
  const metricsServer = pinnedRelease(
    'metrics-server',
    { pin: chartPin('metricsServer'), namespace: 'kube-system', releaseName: 'metrics-server', values: metricsServerValues() },
    opts,
  );
  return { stack, metricsServer };
}
