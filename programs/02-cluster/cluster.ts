/**
 * The EKS cluster (@pulumi/eks v4) and its managed system node group. Settings that matter:
 * private endpoint (public only with the env's CIDRs), envelope encryption with phase 1's key, every
 * control-plane log type, access entries instead of the aws-auth ConfigMap, standard support, and
 * system nodes with IMDSv2 required and KMS-encrypted gp3 root volumes, in phase 1's private subnets.
 */
import * as aws from '@pulumi/aws';
import * as eks from '@pulumi/eks';
import * as pulumi from '@pulumi/pulumi';
import { BREAK_GLASS_PERMISSION_SET } from '../00-organization/scps.js';
import { PERMISSION_SETS } from '../00-organization/identity-center.js';
import { pinnedProvider } from '../shared/aws-provider.js';
import { kubeconfigJson } from '../shared/kubeconfig.js';
import type { Phase2Inputs } from './phase.js';

/** All five EKS control-plane log types. */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

const VIEW_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
const CLUSTER_ADMIN_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

/** Path of the roles IAM Identity Center creates in an account for each assigned permission set. */
export const SSO_ROLE_PATH = '/aws-reserved/sso.amazonaws.com/';
/** Phase 0's permission sets that administer the clusters (W3): platform admins and break-glass. */
export const CLUSTER_ADMIN_PERMISSION_SETS = [PERMISSION_SETS.admin.name, BREAK_GLASS_PERMISSION_SET] as const;

/** Name pattern of the role Identity Center creates for a permission set: AWSReservedSSO_<set>_<hex suffix>. */
export function ssoRoleNameRegex(permissionSet: string): string {
  return `^AWSReservedSSO_${permissionSet.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_[0-9a-f]+$`;
}

/**
 * The ARN of the role Identity Center created in the env account for a permission set (its name
 * ends in a suffix only the account knows, so it is looked up). Exactly one must exist: none means
 * phase 0 has not assigned the set to this account yet, and the preview stops saying so.
 */
export function ssoRoleArn(permissionSet: string, accountId: string, provider: aws.Provider): pulumi.Output<string> {
  return aws.iam.getRolesOutput({ nameRegex: ssoRoleNameRegex(permissionSet), pathPrefix: SSO_ROLE_PATH }, { provider }).arns.apply((arns) => {
    if (arns.length !== 1) {
      throw new Error(
        `expected one Identity Center role for permission set ${permissionSet} in account ${accountId}, found ${arns.length}: ` +
          'phase 0 assigns it to every env account (platform up --phase 0)',
      );
    }
    return arns[0]!;
  });
}
export const SYSTEM_TAINT = { key: 'CriticalAddonsOnly', value: 'true', effect: 'NO_SCHEDULE' } as const;

/** The explicit AWS provider: assumes the env's deploy role and refuses any other account. */
export function awsProvider(inputs: Phase2Inputs): aws.Provider {
  return pinnedProvider('aws-env', {
    region: inputs.region,
    accountId: inputs.accountId,
    roleArn: inputs.deployRoleArn,
    sessionName: `platform-${inputs.env}-02-cluster`,
  });
}

/** Name of a role from its ARN (`arn:aws:iam::1:role/path/name` -> `name`). */
export function roleNameFromArn(roleArn: string): string {
  const name = roleArn.split('/').pop();
  if (!name || !roleArn.includes(':role/')) throw new Error(`'${roleArn}' is not an IAM role ARN`);
  return name;
}

/** Endpoint access from the env file: private always; public only when the env allows it, restricted to its CIDRs. */
export function endpointAccess(c: Pick<Phase2Inputs['cluster'], 'endpointPublicAccess' | 'publicAccessCidrs'>): {
  endpointPrivateAccess: true;
  endpointPublicAccess: boolean;
  publicAccessCidrs?: string[];
} {
  if (!c.endpointPublicAccess) return { endpointPrivateAccess: true, endpointPublicAccess: false };
  if (c.publicAccessCidrs.length === 0 || c.publicAccessCidrs.includes('0.0.0.0/0')) {
    throw new Error('cluster.publicAccessCidrs must list the runner egress CIDRs (not 0.0.0.0/0) when the endpoint is public');
  }
  return { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: [...c.publicAccessCidrs] };
}

/** Days the control-plane logs are kept (at least a year, like the other audit logs). */
export const CONTROL_PLANE_LOG_RETENTION_DAYS = 365;

/** CoreDNS add-on settings: two replicas on the system nodes, with a PDB. */
export const COREDNS_CONFIGURATION = {
  replicaCount: 2,
  tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }],
  podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
};

export interface ClusterResult {
  cluster: eks.Cluster;
  nodeGroup: eks.ManagedNodeGroup;
  /** CoreDNS, created once the system nodes it tolerates exist (R3). */
  coredns: aws.eks.Addon;
  systemNodeGroupName: string;
  clusterName: pulumi.Output<string>;
  clusterArn: pulumi.Output<string>;
  clusterSecurityGroupId: pulumi.Output<string>;
  /** Kubeconfig (JSON) whose user runs `platform eks-token` as the deploy role: no AWS CLI needed. */
  kubeconfig: pulumi.Output<string>;
}

export function createCluster(inputs: Phase2Inputs, provider: aws.Provider): ClusterResult {
  const f = inputs.foundation;
  const c = inputs.cluster;
  const serviceRole = aws.iam.Role.get('cluster-role', roleNameFromArn(f.clusterRoleArn), undefined, { provider });
  const [adminSet, breakGlassSet] = CLUSTER_ADMIN_PERMISSION_SETS;
  const clusterAdmin = (principalArn: pulumi.Input<string>) => ({
    principalArn,
    type: eks.AccessEntryType.Standard,
    accessPolicies: { admin: { policyArn: CLUSTER_ADMIN_POLICY, accessScope: { type: 'cluster' } } },
  });

  // EKS writes control-plane logs to this group; created first so it has a key and a retention (R14).
  const controlPlaneLogs = new aws.cloudwatch.LogGroup(
    'control-plane-logs',
    { name: `/aws/eks/${c.name}/cluster`, retentionInDays: CONTROL_PLANE_LOG_RETENTION_DAYS, kmsKeyId: f.kmsKeyArns.logs, tags: inputs.tags },
    { provider },
  );

  const cluster = new eks.Cluster(
    'cluster',
    {
      name: c.name,
      version: c.version,
      vpcId: f.vpcId,
      privateSubnetIds: f.privateSubnetIds,
      publicSubnetIds: f.publicSubnetIds,
      nodeAssociatePublicIpAddress: false,
      ...endpointAccess(c),
      encryptionConfigKeyArn: f.kmsKeyArns.eksSecrets,
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      authenticationMode: eks.AuthenticationMode.Api,
      accessEntries: {
        verifier: {
          principalArn: inputs.verifierRoleArn,
          type: eks.AccessEntryType.Standard,
          accessPolicies: { view: { policyArn: VIEW_POLICY, accessScope: { type: 'cluster' } } },
        },
        karpenterNodes: { principalArn: f.karpenterNodeRoleArn, type: eks.AccessEntryType.EC2Linux },
        // Operators reach the clusters through their Identity Center roles, not the deploy role (W3).
        platformAdmins: clusterAdmin(ssoRoleArn(adminSet, inputs.accountId, provider)),
        breakGlass: clusterAdmin(ssoRoleArn(breakGlassSet, inputs.accountId, provider)),
      },
      createOidcProvider: true,
      skipDefaultNodeGroup: true,
      skipDefaultSecurityGroups: true,
      serviceRole,
      upgradePolicy: { supportType: 'STANDARD' },
      providerCredentialOpts: { roleArn: inputs.deployRoleArn },
      useDefaultVpcCni: false,
      vpcCniOptions: {
        enableNetworkPolicy: true,
        enablePrefixDelegation: true,
        warmPrefixTarget: 1,
        resolveConflictsOnUpdate: 'OVERWRITE',
      },
      // CoreDNS is created below, after the node group: @pulumi/eks would create it with the cluster,
      // before any node exists, and its create waiter treats DEGRADED as pending for 20 minutes (R3).
      corednsAddonOptions: { enabled: false },
      kubeProxyAddonOptions: { resolveConflictsOnUpdate: 'OVERWRITE' },
      deletionProtection: c.deletionProtection ?? false,
      tags: inputs.tags,
    },
    { provider, dependsOn: [controlPlaneLogs] },
  );
  // The cluster creator (the deploy role) is cluster admin through EKS's bootstrap access entry.

  const clusterSecurityGroupId = cluster.eksCluster.vpcConfig.clusterSecurityGroupId;
  // Karpenter finds the security group of its nodes by this tag (securityGroupSelectorTerms).
  new aws.ec2.Tag(
    'cluster-sg-karpenter-discovery',
    { resourceId: clusterSecurityGroupId, key: 'karpenter.sh/discovery', value: c.name },
    { provider },
  );

  // The deploy runner (phase 1, in the VPC) reaches the API on 443: EKS's cluster security group
  // admits only itself, so without this a private-only API is unreachable (review B5).
  if (f.runnerSecurityGroupId) {
    new aws.ec2.SecurityGroupRule(
      'runner-to-api',
      {
        type: 'ingress',
        description: 'deploy runner to the Kubernetes API',
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        sourceSecurityGroupId: f.runnerSecurityGroupId,
        securityGroupId: clusterSecurityGroupId,
      },
      { provider },
    );
  }

  const launchTemplate = new aws.ec2.LaunchTemplate(
    'system-nodes',
    {
      description: `system node group of ${c.name}: IMDSv2 required, encrypted gp3 root volume`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'disabled',
      },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: c.systemNodes.diskSizeGiB,
            volumeType: 'gp3',
            encrypted: 'true',
            kmsKeyId: f.kmsKeyArns.ebs,
            deleteOnTermination: 'true',
          },
        },
      ],
      tagSpecifications: [
        { resourceType: 'instance', tags: { ...inputs.tags, Name: `${c.name}-system` } },
        { resourceType: 'volume', tags: { ...inputs.tags, Name: `${c.name}-system` } },
      ],
      tags: inputs.tags,
    },
    { provider },
  );

  const systemNodeGroupName = `${c.name}-system`;
  const nodeGroup = new eks.ManagedNodeGroup(
    'system-nodes',
    {
      cluster,
      nodeGroupName: systemNodeGroupName,
      nodeRoleArn: f.nodeRoleArn,
      subnetIds: f.privateSubnetIds,
      instanceTypes: c.systemNodes.instanceTypes,
      capacityType: 'ON_DEMAND',
      operatingSystem: eks.OperatingSystem.AL2023,
      scalingConfig: { minSize: c.systemNodes.min, desiredSize: c.systemNodes.desired, maxSize: c.systemNodes.max },
      launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
      labels: { 'platform.io/node-pool': 'system' },
      taints: [SYSTEM_TAINT],
      tags: inputs.tags,
    },
    { provider },
  );

  const coredns = new aws.eks.Addon(
    'coredns',
    {
      clusterName: cluster.eksCluster.name,
      addonName: 'coredns',
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      configurationValues: JSON.stringify(COREDNS_CONFIGURATION),
      tags: inputs.tags,
    },
    { provider, dependsOn: [nodeGroup] },
  );

  return {
    cluster,
    nodeGroup,
    coredns,
    systemNodeGroupName,
    clusterName: cluster.eksCluster.name,
    clusterArn: cluster.eksCluster.arn,
    clusterSecurityGroupId,
    kubeconfig: pulumi
      .all([cluster.eksCluster.name, cluster.eksCluster.endpoint, cluster.eksCluster.certificateAuthority.data])
      .apply(([clusterName, endpoint, certificateAuthorityData]) =>
        kubeconfigJson({ clusterName, endpoint, certificateAuthorityData, region: inputs.region, roleArn: inputs.deployRoleArn }),
      ),
  };
}
