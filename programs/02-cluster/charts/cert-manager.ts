/**
 * cert-manager with two ACME ClusterIssuers (Let's Encrypt staging and production) that solve
 * DNS-01 on Route53 in the env's own zones only: one solver per zone, each pinned to its hosted zone
 * id, using the controller's ambient Pod Identity credentials (so no keys in the issuers).
 */
import * as k8s from '@pulumi/kubernetes';
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

export const ACME_SERVERS = {
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
  prod: 'https://acme-v02.api.letsencrypt.org/directory',
} as const;

export const ISSUER_NAMES = { staging: 'letsencrypt-staging', prod: 'letsencrypt-prod' } as const;

/** The ClusterIssuer object for one ACME environment. */
export function clusterIssuerManifest(inputs: Phase2Inputs, which: keyof typeof ACME_SERVERS): Record<string, unknown> {
  const zones = inputs.foundation.hostedZoneIds;
  const solver = (zone: string, hostedZoneID: string) => ({
    selector: { dnsZones: [zone] },
    dns01: { route53: { region: inputs.region, hostedZoneID } },
  });
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name: ISSUER_NAMES[which], annotations: { 'pulumi.com/waitFor': 'condition=Ready' } },
    spec: {
      acme: {
        server: ACME_SERVERS[which],
        email: inputs.acmeEmail,
        privateKeySecretRef: { name: `${ISSUER_NAMES[which]}-account-key` },
        // The most specific zone first: cert-manager picks the longest matching dnsZones entry.
        solvers: [solver(inputs.domains.api, zones.api), solver(inputs.domains.apex, zones.apex)],
      },
    },
  };
}

export function certManagerValues(): Record<string, unknown> {
  const sa = serviceAccounts.certManager;
  const resources = { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } };
  const pdb = { enabled: true, minAvailable: 1 };
  return {
    crds: { enabled: true, keep: true },
    replicaCount: 2,
    serviceAccount: { create: true, name: sa.serviceAccount },
    podDisruptionBudget: pdb,
    resources,
    securityContext: restrictedPodSecurityContext,
    containerSecurityContext: restrictedContainerSecurityContext,
    tolerations: [criticalAddonsToleration],
    webhook: {
      replicaCount: 2,
      networkPolicy: { enabled: true },
      podDisruptionBudget: pdb,
      resources,
      securityContext: restrictedPodSecurityContext,
      containerSecurityContext: restrictedContainerSecurityContext,
      tolerations: [criticalAddonsToleration],
    },
    cainjector: {
      replicaCount: 2,
      networkPolicy: { enabled: true },
      podDisruptionBudget: pdb,
      resources,
      securityContext: restrictedPodSecurityContext,
      containerSecurityContext: restrictedContainerSecurityContext,
      tolerations: [criticalAddonsToleration],
    },
    startupapicheck: {
      securityContext: restrictedPodSecurityContext,
      containerSecurityContext: restrictedContainerSecurityContext,
      resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
    },
    // The chart's own NetworkPolicies (v1.21.1 values `networkPolicy`, `webhook.networkPolicy`,
    // `cainjector.networkPolicy`): metrics/health/webhook ports in, DNS, 80/443 (ACME, Route53, the
    // API server) out. Phase 2's default-deny in the namespace blocks everything else (network-policies.ts).
    networkPolicy: { enabled: true },
  };
}

export function installCertManager(
  inputs: Phase2Inputs,
  opts: { provider: k8s.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] },
): { release: k8s.helm.v3.Release; issuers: Record<'staging' | 'prod', k8s.apiextensions.CustomResource> } {
  const release = pinnedRelease(
    'cert-manager',
    { pin: chartPin('certManager'), namespace: serviceAccounts.certManager.namespace, releaseName: 'cert-manager', values: certManagerValues() },
    opts,
  );
  const issuer = (which: 'staging' | 'prod') =>
    new k8s.apiextensions.CustomResource(`cluster-issuer-${which}`, clusterIssuerManifest(inputs, which) as k8s.apiextensions.CustomResourceArgs, {
      provider: opts.provider,
      dependsOn: [release],
    });
  return { release, issuers: { staging: issuer('staging'), prod: issuer('prod') } };
}
