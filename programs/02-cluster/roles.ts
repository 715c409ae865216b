/**
 * Roles for the add-on controllers, through EKS Pod Identity: one role per controller, trusted only
 * by the Pod Identity service on behalf of this cluster in this account, carrying phase 1's
 * least-privilege permission policies (scoped there to the env's zones, queue, buckets and secrets),
 * bound to exactly one namespace/service account by a PodIdentityAssociation.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Phase2Inputs } from './phase.js';

/** AWS-managed policy of the EBS CSI driver (its KMS grants come from phase 1's policy). */
export const EBS_CSI_MANAGED_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy';

export type ControllerKey = 'ebsCsi' | 'karpenter' | 'lbc' | 'externalDns' | 'certManager' | 'externalSecrets' | 'loki';

/** Where each controller runs: the service account its chart (or add-on) is configured with. */
export const serviceAccounts: Record<ControllerKey, { namespace: string; serviceAccount: string }> = {
  ebsCsi: { namespace: 'kube-system', serviceAccount: 'ebs-csi-controller-sa' },
  karpenter: { namespace: 'kube-system', serviceAccount: 'karpenter' },
  lbc: { namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller' },
  externalDns: { namespace: 'external-dns', serviceAccount: 'external-dns' },
  certManager: { namespace: 'cert-manager', serviceAccount: 'cert-manager' },
  externalSecrets: { namespace: 'external-secrets', serviceAccount: 'external-secrets' },
  loki: { namespace: 'loki', serviceAccount: 'loki' },
};

/** The permission policies each controller's role carries. */
export function policyArnsFor(key: ControllerKey, f: Phase2Inputs['foundation']): string[] {
  switch (key) {
    case 'ebsCsi':
      return [EBS_CSI_MANAGED_POLICY, f.ebsCsiKmsPolicyArn];
    case 'karpenter':
      return [...f.karpenterControllerPolicyArns];
    case 'lbc':
      return [f.lbcPolicyArn];
    case 'externalDns':
      return [f.externalDnsPolicyArn];
    case 'certManager':
      return [f.certManagerPolicyArn];
    case 'externalSecrets':
      return [f.externalSecretsPolicyArn];
    case 'loki':
      return [f.lokiPolicyArn];
  }
}

/**
 * Trust policy of a Pod Identity role: only `pods.eks.amazonaws.com`, only for this account and this
 * cluster (the confused-deputy conditions from the EKS Pod Identity guide).
 */
export function podIdentityTrustPolicy(accountId: string, clusterArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EksPodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': accountId },
          ArnEquals: { 'aws:SourceArn': clusterArn },
        },
      },
    ],
  });
}

export interface ControllerRole {
  role: aws.iam.Role;
  association?: aws.eks.PodIdentityAssociation;
}

export type ControllerRoles = Record<ControllerKey, ControllerRole>;

const ORDER: ControllerKey[] = ['ebsCsi', 'karpenter', 'lbc', 'externalDns', 'certManager', 'externalSecrets', 'loki'];

/**
 * Creates every controller role and, except for EBS CSI (whose association the managed add-on
 * creates through its `podIdentityAssociations`), its PodIdentityAssociation.
 */
export function createControllerRoles(
  inputs: Phase2Inputs,
  clusterName: pulumi.Input<string>,
  clusterArn: pulumi.Input<string>,
  opts: { provider: aws.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] },
): ControllerRoles {
  const out = {} as ControllerRoles;
  for (const key of ORDER) {
    const kebab = key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
    const role = new aws.iam.Role(
      `${kebab}-role`,
      {
        name: `${inputs.cluster.name}-${kebab}`.slice(0, 64),
        description: `EKS Pod Identity role of ${key} in ${inputs.cluster.name}`,
        assumeRolePolicy: pulumi.output(clusterArn).apply((a) => podIdentityTrustPolicy(inputs.accountId, a)),
        maxSessionDuration: 3600,
        tags: inputs.tags,
      },
      { provider: opts.provider },
    );
    policyArnsFor(key, inputs.foundation).forEach((policyArn, i) => {
      new aws.iam.RolePolicyAttachment(`${kebab}-policy-${i}`, { role: role.name, policyArn }, { provider: opts.provider });
    });
    const sa = serviceAccounts[key];
    const association =
      key === 'ebsCsi'
        ? undefined
        : new aws.eks.PodIdentityAssociation(
            `${kebab}-pod-identity`,
            { clusterName, namespace: sa.namespace, serviceAccount: sa.serviceAccount, roleArn: role.arn, tags: inputs.tags },
            { provider: opts.provider, dependsOn: opts.dependsOn },
          );
    out[key] = { role, association };
  }
  return out;
}
