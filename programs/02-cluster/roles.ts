/**
 * Roles for the add-on controllers, through EKS Pod Identity: one role per controller, trusted only
 * by the Pod Identity service for this cluster's one service account of that controller, carrying phase 1's
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
 * Trust policy of a Pod Identity role, with the conditions AWS documents for Pod Identity
 * (EKS user guide, pod-id-role and pod-id-abac "session tags"): EKS Pod Identity tags the session
 * with `eks-cluster-arn`, `kubernetes-namespace` and `kubernetes-service-account`, so the role can
 * be assumed only for this cluster and this one service account, and only from this account.
 * `aws:SourceArn` is not used: AWS documents no value for it under Pod Identity, and a cluster ARN
 * there can never match if the service passes the association's ARN (review B8).
 */
export function podIdentityTrustPolicy(accountId: string, clusterArn: string, sa: { namespace: string; serviceAccount: string }): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EksPodIdentity',
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: {
            'aws:SourceAccount': accountId,
            'aws:RequestTag/eks-cluster-arn': clusterArn,
            'aws:RequestTag/kubernetes-namespace': sa.namespace,
            'aws:RequestTag/kubernetes-service-account': sa.serviceAccount,
          },
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
        assumeRolePolicy: pulumi.output(clusterArn).apply((a) => podIdentityTrustPolicy(inputs.accountId, a, serviceAccounts[key])),
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
