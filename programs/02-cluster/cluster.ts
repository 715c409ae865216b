/**
 * The EKS cluster (@pulumi/eks v4) and its managed system node group. Settings that matter:
 * private endpoint (public only with the env's CIDRs), envelope encryption with phase 1's key, every
 * control-plane log type, access entries instead of the aws-auth ConfigMap, standard support, and
 * system nodes with IMDSv2 required and KMS-encrypted gp3 root volumes, in phase 1's private subnets.
 */
import * as aws from '@pulumi/aws';
import * as eks from '@pulumi/eks';
import * as pulumi from '@pulumi/pulumi';
import { pinnedProvider } from '../shared/aws-provider.js';
import { kubeconfigJson } from '../shared/kubeconfig.js';
import type { Phase2Inputs } from './phase.js';

/** All five EKS control-plane log types. */
export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

const VIEW_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
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
export function endpointAccess(c: Phase2Inputs['cluster']): {
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

export interface ClusterResult {
  cluster: eks.Cluster;
  nodeGroup: eks.ManagedNodeGroup;
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
      corednsAddonOptions: {
        resolveConflictsOnUpdate: 'OVERWRITE',
        configurationValues: {
          replicaCount: 2,
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }],
          podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        },
      },
      kubeProxyAddonOptions: { resolveConflictsOnUpdate: 'OVERWRITE' },
      tags: inputs.tags,
    },
    { provider },
  );
  // The cluster creator (the deploy role) is cluster admin through EKS's bootstrap access entry;
  // Identity Center admin roles need phase 0's permission-set role ARNs (not an input of phase 2).

  const clusterSecurityGroupId = cluster.eksCluster.vpcConfig.clusterSecurityGroupId;
  // Karpenter finds the security group of its nodes by this tag (securityGroupSelectorTerms).
  new aws.ec2.Tag(
    'cluster-sg-karpenter-discovery',
    { resourceId: clusterSecurityGroupId, key: 'karpenter.sh/discovery', value: c.name },
    { provider },
  );

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

  return {
    cluster,
    nodeGroup,
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
