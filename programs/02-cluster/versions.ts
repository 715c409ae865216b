/**
 * Every chart phase 2 installs, by key. The versions live in ONE place, `charts.lock.yaml`
 * (repository, chart, exact version, digest and where the digest was read); this module only maps
 * the program's keys onto lock entries and refuses a key the lock does not hold.
 * Re-verify before a real upgrade: `helm pull <repo>/<chart> --version <v>` and compare sha256 with
 * the lock's digest (repository-index entries), or re-lock with the new release's digest.
 *
 * EKS managed add-on versions are deliberately not set: EKS installs its default version for the
 * cluster's Kubernetes version on create, and the provider does not move it afterwards. Pin
 * `addonVersion` per add-on when an upgrade is planned (`aws eks describe-addon-versions`).
 */
import { chartLock, pinOf, type LockedPin } from '../shared/chart-lock.js';

/** One pinned Helm chart: `repo` is an HTTP repository URL, or absent when `chart` is an `oci://` reference. */
export type ChartPin = LockedPin;

/** The keys of the charts phase 2 installs (each one an entry of charts.lock.yaml). */
export const CHART_KEYS = [
  'certManager',
  'externalDns',
  'karpenter',
  'istioBase',
  'istioCni',
  'istiod',
  'istioGateway',
  'externalSecrets',
  'kubePrometheusStack',
  'loki',
  'alloy',
  'metricsServer',
  'awsLoadBalancerController',
] as const;

export type ChartKey = (typeof CHART_KEYS)[number];

/** The pin of one chart, from the lock; throws when the lock has no entry for it. */
export function chartPin(key: ChartKey): ChartPin {
  const entry = chartLock().charts[key];
  if (!entry) throw new Error(`charts.lock.yaml has no entry '${key}': add it with its repository, version and digest`);
  return pinOf(entry);
}

/** Every pin phase 2 uses, by key. */
export function chartPins(): Record<ChartKey, ChartPin> {
  return Object.fromEntries(CHART_KEYS.map((k) => [k, chartPin(k)])) as Record<ChartKey, ChartPin>;
}

/** Istio revision label the charts install (the default revision). */
export const istioRevision = 'default';

/**
 * The EKS-optimised AL2023 AMI release Karpenter nodes use. Pinned (never `@latest`) so that
 * nodes only roll when this value changes.
 */
export const karpenterAmiAlias = 'al2023@v20260818';
