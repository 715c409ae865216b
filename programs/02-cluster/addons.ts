/**
 * EKS managed add-ons that phase 2 installs beside the ones @pulumi/eks manages (vpc-cni,
 * kube-proxy; CoreDNS is created in cluster.ts after the nodes), the storage classes (encrypted gp3
 * on the EBS CSI driver with phase 1's key: `gp3` the default, `gp3-retain` for data that must
 * outlive its claim), the VolumeSnapshotClass, and the platform namespaces.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { Phase2Inputs } from './phase.js';
import { serviceAccounts } from './roles.js';
import { SECRET_STORE_CONSUMER_LABEL } from './charts/external-secrets.js';

export const STORAGE_CLASS = 'gp3';
/** The gp3 class whose volumes outlive their claims: for data that must survive a mistaken delete (R18). */
export const RETAIN_STORAGE_CLASS = 'gp3-retain';
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
    // Phase 7's ExternalSecret renders Alertmanager's config here: the store serves labelled namespaces only.
    monitoring: { ...enforce('privileged'), [SECRET_STORE_CONSUMER_LABEL.key]: SECRET_STORE_CONSUMER_LABEL.value },
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
  guardDutyAgent: aws.eks.Addon;
}

/** The GuardDuty Runtime Monitoring agent's EKS add-on (a DaemonSet in `amazon-guardduty`). */
export const GUARDDUTY_AGENT_ADDON = 'aws-guardduty-agent';

/**
 * EKS managed add-ons needed before the platform charts: the Pod Identity agent (before anything
 * that uses Pod Identity) and the EBS CSI driver with its role bound through the add-on's Pod
 * Identity association. Also the GuardDuty Runtime Monitoring agent: phase 1 turns
 * RUNTIME_MONITORING on with EKS_ADDON_MANAGEMENT off and builds its `guardduty-data` endpoint, so
 * the agent is this program's to install (R4). Its DaemonSet takes no tolerations (its add-on schema
 * offers CPU, memory, PriorityClass and dnsPolicy only), so it skips the CriticalAddonsOnly system
 * nodes and covers the untainted Karpenter nodes where workloads run. A DaemonSet with no eligible
 * node wants zero pods rather than waiting Pending like the snapshot controller's Deployment (R3);
 * the cluster gate's ListAddons walk checks it ACTIVE like every other add-on.
 */
export function createManagedAddons(
  inputs: Phase2Inputs,
  clusterName: pulumi.Input<string>,
  ebsCsiRoleArn: pulumi.Input<string>,
  opts: { provider: aws.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] },
): ManagedAddons {
  const podIdentityAgent = new aws.eks.Addon('eks-pod-identity-agent', { ...addonCommon(inputs, clusterName), addonName: 'eks-pod-identity-agent' }, opts);
  const ebsCsi = new aws.eks.Addon(
    'aws-ebs-csi-driver',
    {
      ...addonCommon(inputs, clusterName),
      addonName: 'aws-ebs-csi-driver',
      podIdentityAssociations: [{ roleArn: ebsCsiRoleArn, serviceAccount: serviceAccounts.ebsCsi.serviceAccount }],
    },
    { ...opts, dependsOn: [...opts.dependsOn, podIdentityAgent] },
  );
  const guardDutyAgent = new aws.eks.Addon(GUARDDUTY_AGENT_ADDON, { ...addonCommon(inputs, clusterName), addonName: GUARDDUTY_AGENT_ADDON }, opts);
  return { podIdentityAgent, ebsCsi, guardDutyAgent };
}

function addonCommon(inputs: Phase2Inputs, clusterName: pulumi.Input<string>) {
  return { clusterName, resolveConflictsOnCreate: 'OVERWRITE', resolveConflictsOnUpdate: 'OVERWRITE', tags: inputs.tags };
}

/**
 * The snapshot controller add-on (VolumeSnapshot CRDs, used by phase 8's backups). It takes no
 * tolerations, so it cannot run on the tainted system nodes: it is created once Karpenter's
 * NodePools exist, instead of waiting DEGRADED for nodes (R3).
 */
export function createSnapshotController(
  inputs: Phase2Inputs,
  clusterName: pulumi.Input<string>,
  opts: { provider: aws.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] },
): aws.eks.Addon {
  return new aws.eks.Addon('snapshot-controller', { ...addonCommon(inputs, clusterName), addonName: 'snapshot-controller' }, opts);
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

export interface Storage {
  storageClass: k8s.storage.v1.StorageClass;
  retainClass: k8s.storage.v1.StorageClass;
  snapshotClass: k8s.apiextensions.CustomResource;
}

export function createStorage(
  inputs: Phase2Inputs,
  addons: ManagedAddons & { snapshotController: aws.eks.Addon },
  opts: { provider: k8s.Provider },
): Storage {
  const gp3Class = (name: string, reclaimPolicy: 'Delete' | 'Retain', isDefault: boolean) =>
    new k8s.storage.v1.StorageClass(
      name,
      {
        metadata: { name, ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
        provisioner: 'ebs.csi.aws.com',
        parameters: gp3Parameters(inputs.foundation.kmsKeyArns.ebs),
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
        reclaimPolicy,
      },
      { provider: opts.provider, dependsOn: [addons.ebsCsi] },
    );
  const storageClass = gp3Class(STORAGE_CLASS, 'Delete', true);
  const retainClass = gp3Class(RETAIN_STORAGE_CLASS, 'Retain', false);
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
  return { storageClass, retainClass, snapshotClass };
}
