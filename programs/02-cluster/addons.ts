/**
 * EKS managed add-ons that phase 2 installs beside the ones @pulumi/eks manages (vpc-cni, coredns,
 * kube-proxy), the default storage class (encrypted gp3 on the EBS CSI driver with phase 1's key),
 * the VolumeSnapshotClass, and the platform namespaces.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { Phase2Inputs } from './phase.js';
import { serviceAccounts } from './roles.js';

export const STORAGE_CLASS = 'gp3';
export const VOLUME_SNAPSHOT_CLASS = 'ebs-csi';

/** Namespaces of the platform controllers (kube-system exists already). */
export const NAMESPACES = {
  certManager: 'cert-manager',
  externalDns: 'external-dns',
  externalSecrets: 'external-secrets',
  istioSystem: 'istio-system',
  istioIngress: 'istio-ingress',
  monitoring: 'monitoring',
  loki: 'loki',
} as const;

export type NamespaceKey = keyof typeof NAMESPACES;

/**
 * Creates the platform namespaces with Pod Security labels. Controllers run `restricted`; the
 * ingress namespace gets sidecar injection; monitoring and Loki run node agents (node-exporter,
 * Alloy) that need host paths, hence `privileged` there, audited at `restricted`.
 */
export function createNamespaces(opts: pulumi.CustomResourceOptions): Record<NamespaceKey, k8s.core.v1.Namespace> {
  const enforce = (level: string) => ({
    'pod-security.kubernetes.io/enforce': level,
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/warn': 'restricted',
  });
  const labels: Record<NamespaceKey, Record<string, string>> = {
    certManager: enforce('restricted'),
    externalDns: enforce('restricted'),
    externalSecrets: enforce('restricted'),
    istioSystem: enforce('privileged'),
    istioIngress: { ...enforce('baseline'), 'istio-injection': 'enabled' },
    monitoring: enforce('privileged'),
    loki: enforce('privileged'),
  };
  const out = {} as Record<NamespaceKey, k8s.core.v1.Namespace>;
  for (const key of Object.keys(NAMESPACES) as NamespaceKey[]) {
    out[key] = new k8s.core.v1.Namespace(`ns-${NAMESPACES[key]}`, { metadata: { name: NAMESPACES[key], labels: labels[key] } }, opts);
  }
  return out;
}

export interface ManagedAddons {
  podIdentityAgent: aws.eks.Addon;
  ebsCsi: aws.eks.Addon;
  snapshotController: aws.eks.Addon;
}

/**
 * EKS managed add-ons: the Pod Identity agent (before anything that uses Pod Identity), the EBS CSI
 * driver with its role bound through the add-on's Pod Identity association, and the snapshot
 * controller (VolumeSnapshot CRDs, used by phase 8's backups).
 */
export function createManagedAddons(
  inputs: Phase2Inputs,
  clusterName: pulumi.Input<string>,
  ebsCsiRoleArn: pulumi.Input<string>,
  opts: { provider: aws.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] },
): ManagedAddons {
  const common = { clusterName, resolveConflictsOnCreate: 'OVERWRITE', resolveConflictsOnUpdate: 'OVERWRITE', tags: inputs.tags };
  const podIdentityAgent = new aws.eks.Addon('eks-pod-identity-agent', { ...common, addonName: 'eks-pod-identity-agent' }, opts);
  const ebsCsi = new aws.eks.Addon(
    'aws-ebs-csi-driver',
    {
      ...common,
      addonName: 'aws-ebs-csi-driver',
      podIdentityAssociations: [{ roleArn: ebsCsiRoleArn, serviceAccount: serviceAccounts.ebsCsi.serviceAccount }],
    },
    { ...opts, dependsOn: [...opts.dependsOn, podIdentityAgent] },
  );
  const snapshotController = new aws.eks.Addon('snapshot-controller', { ...common, addonName: 'snapshot-controller' }, opts);
  return { podIdentityAgent, ebsCsi, snapshotController };
}

/** Parameters of the default StorageClass: gp3, encrypted with phase 1's EBS key, tagged for backup. */
export function gp3Parameters(ebsKeyArn: string): Record<string, string> {
  return {
    type: 'gp3',
    encrypted: 'true',
    kmsKeyId: ebsKeyArn,
    'csi.storage.k8s.io/fstype': 'ext4',
    tagSpecification_1: 'backup=true',
  };
}

export function createStorage(
  inputs: Phase2Inputs,
  addons: ManagedAddons,
  opts: { provider: k8s.Provider },
): { storageClass: k8s.storage.v1.StorageClass; snapshotClass: k8s.apiextensions.CustomResource } {
  const storageClass = new k8s.storage.v1.StorageClass(
    'gp3',
    {
      metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: gp3Parameters(inputs.foundation.kmsKeyArns.ebs),
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
    },
    { provider: opts.provider, dependsOn: [addons.ebsCsi] },
  );
  const snapshotClass = new k8s.apiextensions.CustomResource(
    'volume-snapshot-class',
    {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotClass',
      metadata: { name: VOLUME_SNAPSHOT_CLASS },
      driver: 'ebs.csi.aws.com',
      deletionPolicy: 'Retain',
      parameters: { tagSpecification_1: 'backup=true' },
    },
    { provider: opts.provider, dependsOn: [addons.snapshotController, addons.ebsCsi] },
  );
  return { storageClass, snapshotClass };
}
