/**
 * Helm releases from pinned charts, and the security settings every platform controller runs with.
 * A release is `helm.v3.Release` (full Helm semantics: hooks, atomic rollback), never a floating
 * version: the pin carries the exact chart version.
 */
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { chartLock, vouchedEntry } from './chart-lock.js';

/** A chart reference with an exact version. `repo` is absent for `oci://` charts. */
export interface PinnedChart {
  chart: string;
  version: string;
  repo?: string;
}

const EXACT_VERSION = /^v?\d+\.\d+\.\d+$/;

/** True when `version` is an exact release (`1.2.3` or `v1.2.3`), not a range or a pre-release. */
export function isExactVersion(version: string): boolean {
  return EXACT_VERSION.test(version);
}

export interface PinnedReleaseArgs {
  pin: PinnedChart;
  namespace: pulumi.Input<string>;
  /** Helm release name (also the base of most object names the chart renders). */
  releaseName: string;
  values: pulumi.Input<Record<string, unknown>>;
  /** Seconds Helm waits for the release's resources to become ready. */
  timeoutSeconds?: number;
}

/**
 * Installs one pinned chart. Refuses a pin that is not an exact version, so a range can never slip
 * into a release, and a pin the chart lock does not vouch for (repository, chart and version).
 */
export function pinnedRelease(name: string, args: PinnedReleaseArgs, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
  if (!isExactVersion(args.pin.version)) {
    throw new Error(`chart ${args.pin.chart} is pinned to '${args.pin.version}', which is not an exact version such as 1.2.3`);
  }
  if (!vouchedEntry(chartLock(), args.pin)) {
    throw new Error(`chart ${args.pin.chart} ${args.pin.version} (${args.pin.repo ?? 'oci'}) is not in programs/02-cluster/charts.lock.yaml: lock it with its digest first`);
  }
  return new k8s.helm.v3.Release(
    name,
    {
      name: args.releaseName,
      chart: args.pin.chart,
      version: args.pin.version,
      ...(args.pin.repo ? { repositoryOpts: { repo: args.pin.repo } } : {}),
      namespace: args.namespace,
      createNamespace: false,
      atomic: true,
      cleanupOnFail: true,
      maxHistory: 10,
      timeout: args.timeoutSeconds ?? 900,
      values: args.values,
    },
    opts,
  );
}

/** Pod-level security context of the restricted Pod Security profile. */
export const restrictedPodSecurityContext = {
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

/** Container-level security context of the restricted Pod Security profile, with a read-only root. */
export const restrictedContainerSecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

/** Lets a pod run on the system node group, which is tainted `CriticalAddonsOnly=true:NoSchedule`. */
export const criticalAddonsToleration = { key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' } as const;

/** Spreads replicas of one app across zones and nodes (best effort, never blocks scheduling). */
export function spreadAcrossZones(labels: Record<string, string>): unknown[] {
  return [
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
  ];
}
