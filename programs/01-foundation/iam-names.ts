/**
 * Names of the IAM roles and policies phase 1 creates, in one place, so a test can check that the
 * longest cluster name the env schema accepts (CLUSTER_NAME_MAX_LENGTH) still gives names IAM takes
 * (64 characters). The longest is `KarpenterControllerResourceDiscovery-<cluster>`.
 */
import type { KarpenterPolicyName } from './addon-policies.js';

export const KARPENTER_POLICY_PARTS: readonly KarpenterPolicyName[] = ['NodeLifecycle', 'IAMIntegration', 'EKSIntegration', 'Interruption', 'ResourceDiscovery', 'ZonalShift'];

/** Add-on permission policies, named `<cluster>-<key>`. */
export const ADDON_POLICY_KEYS = ['external-dns', 'cert-manager', 'external-secrets', 'ebs-csi-kms', 'loki', 'aws-load-balancer-controller'] as const;

export const karpenterPolicyName = (part: KarpenterPolicyName, cluster: string) => `KarpenterController${part}-${cluster}`;
export const addonPolicyName = (key: string, cluster: string) => `${cluster}-${key}`;
export const clusterRoleName = (cluster: string) => `${cluster}-cluster`;
export const nodeRoleName = (cluster: string) => `${cluster}-node`;
export const karpenterNodeRoleName = (cluster: string) => `KarpenterNodeRole-${cluster}`;
export const backupRoleName = (env: string) => `platform-backup-${env}`;
export const trailLogsRoleName = (env: string) => `platform-cloudtrail-logs-${env}`;
export const configRoleName = (env: string) => `platform-config-${env}`;
export const runnerRoleName = (env: string) => `platform-runner-${env}`;

/** Every IAM name phase 1 builds for a cluster and env. */
export function foundationIamNames(cluster: string, env: string): string[] {
  return [
    ...KARPENTER_POLICY_PARTS.map((p) => karpenterPolicyName(p, cluster)),
    ...ADDON_POLICY_KEYS.map((k) => addonPolicyName(k, cluster)),
    clusterRoleName(cluster),
    nodeRoleName(cluster),
    karpenterNodeRoleName(cluster),
    backupRoleName(env),
    trailLogsRoleName(env),
    configRoleName(env),
    runnerRoleName(env),
  ];
}
