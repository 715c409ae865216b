/**
 * IAM roles that do not need the cluster's OIDC provider: the EKS cluster role, the managed node
 * group role and Karpenter's node role (with the same four managed policies as Karpenter v1.14's
 * CloudFormation), plus the AWS Backup role. IRSA roles are finished in phase 2.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { doc, policyJson, serviceTrust } from '../shared/iam-docs.js';
import { iamName } from '../shared/naming.js';
import { backupRoleName, clusterRoleName, karpenterNodeRoleName, nodeRoleName } from './iam-names.js';

export const NODE_MANAGED_POLICIES = [
  'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly',
  'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
] as const;

export interface RolesArgs {
  clusterName: string;
  envName: string;
  eksSecretsKeyArn: pulumi.Input<string>;
  tags: Record<string, string>;
}

export interface PlatformRoles {
  clusterRole: aws.iam.Role;
  nodeRole: aws.iam.Role;
  karpenterNodeRole: aws.iam.Role;
  backupRole: aws.iam.Role;
}

function roleWithPolicies(
  name: string,
  roleName: string,
  service: string,
  policies: readonly string[],
  tags: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
  const role = new aws.iam.Role(name, { name: iamName(roleName), assumeRolePolicy: policyJson(serviceTrust(service)), tags }, opts);
  policies.forEach((policyArn) => {
    new aws.iam.RolePolicyAttachment(`${name}-${policyArn.split('/').pop()}`, { role: role.name, policyArn }, opts);
  });
  return role;
}

/** Creates the cluster, node, Karpenter node and backup roles. */
export function createRoles(a: RolesArgs, opts: pulumi.CustomResourceOptions): PlatformRoles {
  const clusterRole = roleWithPolicies(
    'cluster-role',
    clusterRoleName(a.clusterName),
    'eks.amazonaws.com',
    ['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy'],
    a.tags,
    opts,
  );
  new aws.iam.RolePolicy(
    'cluster-role-secrets-kms',
    {
      role: clusterRole.name,
      policy: policyJson(
        doc({ Sid: 'EnvelopeEncryption', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'], Resource: a.eksSecretsKeyArn }),
      ),
    },
    opts,
  );
  const nodeRole = roleWithPolicies('node-role', nodeRoleName(a.clusterName), 'ec2.amazonaws.com', NODE_MANAGED_POLICIES, a.tags, opts);
  const karpenterNodeRole = roleWithPolicies(
    'karpenter-node-role',
    karpenterNodeRoleName(a.clusterName),
    'ec2.amazonaws.com',
    NODE_MANAGED_POLICIES,
    a.tags,
    opts,
  );
  const backupRole = roleWithPolicies(
    'backup-role',
    backupRoleName(a.envName),
    'backup.amazonaws.com',
    [
      'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
      'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
      // Phase 8 also protects the data-backup bucket (phase 4's logical PostgreSQL backups): S3
      // backups need their own managed policies (no service-role/ path).
      'arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup',
      'arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore',
    ],
    a.tags,
    opts,
  );
  return { clusterRole, nodeRole, karpenterNodeRole, backupRole };
}

/**
 * The EC2 Spot service-linked role (infra review R1), for envs whose Karpenter pools use spot.
 * A fresh account has none, and Karpenter's controller policy may not create it: Karpenter then
 * treats every spot launch as unavailable (`SpotServiceLinkedRoleCreationFailure`) and falls back
 * to on-demand. Karpenter's getting-started guide creates it once per account (step06). If the
 * account already has it, CreateServiceLinkedRole fails with "has been taken in this account":
 * docs/foundation.md says how to adopt it.
 */
export function spotServiceLinkedRole(opts: pulumi.CustomResourceOptions): aws.iam.ServiceLinkedRole {
  return new aws.iam.ServiceLinkedRole('spot-service-linked-role', { awsServiceName: 'spot.amazonaws.com', description: 'EC2 Spot: lets Karpenter launch spot capacity' }, opts);
}
