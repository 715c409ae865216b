/**
 * Loki (SimpleScalable, TSDB schema v13 on phase 1's S3 buckets through its Pod Identity role) and
 * Grafana Alloy as a DaemonSet shipping every pod's logs to the Loki gateway. Promtail is
 * end-of-life, so Alloy it is.
 */
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { pinnedRelease, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../../shared/charts.js';
import { NAMESPACES } from '../addons.js';
import type { Phase2Inputs } from '../phase.js';
import { serviceAccounts } from '../roles.js';
import { chartPin } from '../versions.js';

export const LOKI_GATEWAY = `loki-gateway.${NAMESPACES.loki}.svc.cluster.local`;

export function lokiValues(inputs: Phase2Inputs): Record<string, unknown> {
  const pdb = { podDisruptionBudget: { maxUnavailable: 1 } };
  const resources = (cpu: string, memory: string) => ({ resources: { requests: { cpu, memory }, limits: { memory } } });
  return {
    deploymentMode: 'SimpleScalable',
    serviceAccount: { create: true, name: serviceAccounts.loki.serviceAccount },
    loki: {
      auth_enabled: false,
      schemaConfig: {
        configs: [{ from: '2026-01-01', store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'loki_index_', period: '24h' } }],
      },
      storage: {
        type: 's3',
        bucketNames: { chunks: inputs.foundation.lokiBuckets.chunks, ruler: inputs.foundation.lokiBuckets.ruler },
        s3: { region: inputs.region },
      },
      limits_config: { retention_period: '744h' },
      compactor: { retention_enabled: true, delete_request_store: 's3' },
      podSecurityContext: { ...restrictedPodSecurityContext, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
      containerSecurityContext: restrictedContainerSecurityContext,
    },
    write: { replicas: 3, ...pdb, ...resources('200m', '1Gi') },
    read: { replicas: 2, ...pdb, ...resources('200m', '1Gi') },
    backend: { replicas: 2, ...pdb, ...resources('100m', '512Mi') },
    gateway: { enabled: true, replicas: 2, ...pdb, ...resources('50m', '128Mi') },
    chunksCache: { allocatedMemory: 1024 },
    resultsCache: { allocatedMemory: 512 },
    minio: { enabled: false },
    test: { enabled: false },
  };
}

/** Alloy pipeline: discover pods on this node, tail their logs, push to the Loki gateway. */
export function alloyConfig(clusterName: string): string {
  return [
    'discovery.kubernetes "pods" {',
    '  role = "pod"',
    '  selectors {',
    '    role  = "pod"',
    '    field = "spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)',
    '  }',
    '}',
    'discovery.relabel "pods" {',
    '  targets = discovery.kubernetes.pods.targets',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_namespace"]',
    '    target_label  = "namespace"',
    '  }',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_pod_name"]',
    '    target_label  = "pod"',
    '  }',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_pod_container_name"]',
    '    target_label  = "container"',
    '  }',
    '}',
    'loki.source.kubernetes "pods" {',
    '  targets    = discovery.relabel.pods.output',
    '  forward_to = [loki.write.default.receiver]',
    '}',
    'loki.write "default" {',
    '  endpoint {',
    `    url = "http://${LOKI_GATEWAY}/loki/api/v1/push"`,
    '  }',
    `  external_labels = { cluster = "${clusterName}" }`,
    '}',
  ].join('\n');
}

/** Where Alloy keeps its state (`--storage.path`): on the emptyDir mounted at /tmp, since the root is read-only. */
export const ALLOY_STORAGE_PATH = '/tmp/alloy';

export function alloyValues(inputs: Phase2Inputs): Record<string, unknown> {
  return {
    // Alloy writes under --storage.path and exits when it cannot (chart 1.8.1 mounts no volume for
    // it): a writable emptyDir over /tmp (controller.volumes.extra + alloy.mounts.extra).
    controller: { type: 'daemonset', tolerations: [{ operator: 'Exists' }], volumes: { extra: [{ name: 'tmp', emptyDir: {} }] } },
    alloy: {
      storagePath: ALLOY_STORAGE_PATH,
      mounts: { extra: [{ name: 'tmp', mountPath: '/tmp' }] },
      configMap: { create: true, content: alloyConfig(inputs.cluster.name) },
      resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      securityContext: { ...restrictedContainerSecurityContext, runAsUser: 473, runAsGroup: 473 },
    },
  };
}

export function installLogging(
  inputs: Phase2Inputs,
  opts: { provider: k8s.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] },
): { loki: k8s.helm.v3.Release; alloy: k8s.helm.v3.Release } {
  const loki = pinnedRelease(
    'loki',
    { pin: chartPin('loki'), namespace: NAMESPACES.loki, releaseName: 'loki', values: lokiValues(inputs), timeoutSeconds: 1200 },
    opts,
  );
  const alloy = pinnedRelease(
    'alloy',
    { pin: chartPin('alloy'), namespace: NAMESPACES.loki, releaseName: 'alloy', values: alloyValues(inputs) },
    { provider: opts.provider, dependsOn: [...opts.dependsOn, loki] },
  );
  return { loki, alloy };
}
