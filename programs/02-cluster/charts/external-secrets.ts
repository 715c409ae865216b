/**
 * External Secrets Operator and the `aws-secretsmanager` ClusterSecretStore. The store has no
 * `auth` block: the controller uses its own Pod Identity role, whose phase-1 policy reads only the
 * env's secret prefix and decrypts only with the secrets key. Only namespaces labelled
 * `platform.io/cluster-secret-store=aws-secretsmanager` may use it (spec.conditions).
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

export const CLUSTER_SECRET_STORE = 'aws-secretsmanager';
/**
 * The namespace label that lets ExternalSecrets in that namespace use the store (R8). Without it the
 * store serves no namespace: a namespace opts in explicitly, so a namespace that can create an
 * ExternalSecret cannot read every `<env>/*` secret through the controller's role.
 */
export const SECRET_STORE_CONSUMER_LABEL = { key: 'platform.io/cluster-secret-store', value: CLUSTER_SECRET_STORE } as const;

export function clusterSecretStoreManifest(inputs: Phase2Inputs): Record<string, unknown> {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: CLUSTER_SECRET_STORE, annotations: { 'pulumi.com/waitFor': 'condition=Ready' } },
    spec: {
      provider: { aws: { service: 'SecretsManager', region: inputs.region } },
      conditions: [{ namespaceSelector: { matchLabels: { [SECRET_STORE_CONSUMER_LABEL.key]: SECRET_STORE_CONSUMER_LABEL.value } } }],
    },
  };
}

export function externalSecretsValues(): Record<string, unknown> {
  const common = {
    podSecurityContext: restrictedPodSecurityContext,
    securityContext: restrictedContainerSecurityContext,
    tolerations: [criticalAddonsToleration],
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  };
  return {
    installCRDs: true,
    replicaCount: 2,
    leaderElect: true,
    serviceAccount: { create: true, name: serviceAccounts.externalSecrets.serviceAccount },
    ...common,
    webhook: { create: true, replicaCount: 2, ...common },
    certController: { create: true, replicaCount: 2, ...common },
  };
}

export function installExternalSecrets(
  inputs: Phase2Inputs,
  opts: { provider: k8s.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] },
): { release: k8s.helm.v3.Release; store: k8s.apiextensions.CustomResource } {
  const release = pinnedRelease(
    'external-secrets',
    { pin: chartPin('externalSecrets'), namespace: serviceAccounts.externalSecrets.namespace, releaseName: 'external-secrets', values: externalSecretsValues() },
    opts,
  );
  const store = new k8s.apiextensions.CustomResource(
    'cluster-secret-store',
    clusterSecretStoreManifest(inputs) as k8s.apiextensions.CustomResourceArgs,
    { provider: opts.provider, dependsOn: [release] },
  );
  return { release, store };
}
