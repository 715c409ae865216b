/**
 * Every chart phase 2 installs, pinned to an exact version in this one place, with where it comes
 * from. Helm repositories cannot be reached from the build machines, so these pins come from the
 * phase reference (reference/phases.md A) and, where it says "re-verify", from the newest release
 * found in the upstream repositories' release threads:
 * - Istio 1.30.4 (2026-08-27; 1.29 reaches EOL 2026-10-15, 1.31 was still a release candidate);
 * - AWS Load Balancer Controller chart 3.4.2 (app v3.4.2; the chart jumped from 1.17.1 to 3.x);
 * - External Secrets Operator chart 2.10.0 (API external-secrets.io/v1);
 * - Grafana Alloy chart 1.8.1 (Alloy v1.16.1); metrics-server chart 3.13.1.
 * Re-check them with `helm search repo` / `helm show chart oci://...` before a real upgrade.
 *
 * EKS managed add-on versions are deliberately not set: EKS installs its default version for the
 * cluster's Kubernetes version on create, and the provider does not move it afterwards. Pin
 * `addonVersion` per add-on when an upgrade is planned (`aws eks describe-addon-versions`).
 */

/** One pinned Helm chart: `repo` is an HTTP repository URL, or absent when `chart` is an `oci://` reference. */
export interface ChartPin {
  chart: string;
  version: string;
  repo?: string;
}

export const charts = {
  certManager: { chart: 'oci://quay.io/jetstack/charts/cert-manager', version: 'v1.21.1' },
  externalDns: { chart: 'external-dns', version: '1.21.1', repo: 'https://kubernetes-sigs.github.io/external-dns/' },
  karpenter: { chart: 'oci://public.ecr.aws/karpenter/karpenter', version: '1.14.1' },
  istioBase: { chart: 'base', version: '1.30.4', repo: 'https://istio-release.storage.googleapis.com/charts' },
  istiod: { chart: 'istiod', version: '1.30.4', repo: 'https://istio-release.storage.googleapis.com/charts' },
  istioGateway: { chart: 'gateway', version: '1.30.4', repo: 'https://istio-release.storage.googleapis.com/charts' },
  externalSecrets: { chart: 'external-secrets', version: '2.10.0', repo: 'https://charts.external-secrets.io' },
  kubePrometheusStack: {
    chart: 'kube-prometheus-stack',
    version: '88.5.3',
    repo: 'https://prometheus-community.github.io/helm-charts',
  },
  loki: { chart: 'loki', version: '12.0.1', repo: 'https://grafana-community.github.io/helm-charts' },
  alloy: { chart: 'alloy', version: '1.8.1', repo: 'https://grafana.github.io/helm-charts' },
  metricsServer: { chart: 'metrics-server', version: '3.13.1', repo: 'https://kubernetes-sigs.github.io/metrics-server/' },
  awsLoadBalancerController: { chart: 'aws-load-balancer-controller', version: '3.4.2', repo: 'https://aws.github.io/eks-charts' },
} as const satisfies Record<string, ChartPin>;

export type ChartKey = keyof typeof charts;

/** Istio revision label the charts install (the default revision). */
export const istioRevision = 'default';

/**
 * The EKS-optimised AL2023 AMI release Karpenter nodes use. Pinned (never `@latest`) so that
 * nodes only roll when this value changes.
 */
export const karpenterAmiAlias = 'al2023@v20260818';
