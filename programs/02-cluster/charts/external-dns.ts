/**
 * ExternalDNS on Route53: TXT-registry ownership by this cluster, limited to the env's two zones by
 * domain filter and by zone id, public zones only. `sync` lets it delete the records it owns (the
 * phase-2 gate checks removal); the TXT registry stops it touching anything it does not own.
 */
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import {
  criticalAddonsToleration,
  pinnedRelease,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from '../../shared/charts.js';
import type { Phase2Inputs } from '../phase.js';
import { serviceAccounts } from '../roles.js';
import { chartPin } from '../versions.js';

export function externalDnsValues(inputs: Phase2Inputs): Record<string, unknown> {
  const sa = serviceAccounts.externalDns;
  const zones = inputs.foundation.hostedZoneIds;
  return {
    provider: { name: 'aws' },
    env: [{ name: 'AWS_DEFAULT_REGION', value: inputs.region }],
    policy: 'sync',
    registry: 'txt',
    txtOwnerId: inputs.cluster.name,
    domainFilters: [inputs.domains.apex, inputs.domains.api],
    extraArgs: [`--zone-id-filter=${zones.apex}`, `--zone-id-filter=${zones.api}`, '--aws-zone-type=public'],
    sources: ['service', 'ingress', 'istio-gateway', 'istio-virtualservice'],
    interval: '1m',
    serviceAccount: { create: true, name: sa.serviceAccount },
    // No replica count: the chart (1.21.1) has no such value; its Deployment runs one replica, which
    // ExternalDNS needs (no leader election: one writer per owner id).
    resources: { requests: { cpu: '25m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    podSecurityContext: { ...restrictedPodSecurityContext, fsGroup: 65534 },
    securityContext: { ...restrictedContainerSecurityContext, runAsUser: 65534 },
    tolerations: [criticalAddonsToleration],
  };
}

export function installExternalDns(
  inputs: Phase2Inputs,
  opts: { provider: k8s.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] },
): k8s.helm.v3.Release {
  return pinnedRelease(
    'external-dns',
    { pin: chartPin('externalDns'), namespace: serviceAccounts.externalDns.namespace, releaseName: 'external-dns', values: externalDnsValues(inputs) },
    opts,
  );
}
