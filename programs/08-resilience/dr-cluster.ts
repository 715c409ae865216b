/**
 * The pilot-light EKS cluster in the DR region: phase 2's Kubernetes version, endpoint access,
 * Secrets encryption, control-plane logging, API authentication and managed add-ons, at minimal size
 * (one small managed node group, no Karpenter, no workloads). Every resource goes through the
 * DR-region provider; the keys and subnets are phase 1's DR ones. Phase 1's cluster and node roles
 * are reused (IAM is global). When the env's API is private, a deploy runner in the DR VPC is the way
 * in, as phase 1's runner is for the primary: a failover must not depend on the primary region.
 *
 * Add-ons: phase 2's set (ADDONS_LIKE_PHASE_2) without the GuardDuty runtime agent, which reports
 * only where a GuardDuty detector and its `guardduty-data` endpoint exist (phase 1 builds both in the
 * primary region only). No `addonVersion` is set, as in phase 2: EKS installs its default for the
 * cluster's Kubernetes version, so both clusters run the same add-on versions.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { CLUSTER_ADMIN_PERMISSION_SETS, CONTROL_PLANE_LOG_RETENTION_DAYS, CONTROL_PLANE_LOG_TYPES, COREDNS_CONFIGURATION, endpointAccess, ssoRoleArn } from '../02-cluster/cluster.js';
import { GUARDDUTY_AGENT_ADDON } from '../02-cluster/addons.js';
import { serviceAccounts } from '../02-cluster/roles.js';
import { DeployRunner } from '../01-foundation/runner.js';
import { kubeconfigJson } from '../shared/kubeconfig.js';
import type { Phase8Inputs } from './phase.js';

const VIEW_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
const CLUSTER_ADMIN_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

/** The EKS managed add-ons phase 2 runs (vpc-cni and kube-proxy through @pulumi/eks, the rest its own). */
export const ADDONS_LIKE_PHASE_2 = ['vpc-cni', 'kube-proxy', 'coredns', 'eks-pod-identity-agent', 'aws-ebs-csi-driver', 'snapshot-controller', GUARDDUTY_AGENT_ADDON] as const;
/** Phase 2's add-ons the DR cluster leaves out, with the reason (the check `dr-cluster-like-primary` reads this). */
export const DR_ADDON_EXCLUSIONS: Readonly<Record<string, string>> = {
  [GUARDDUTY_AGENT_ADDON]: 'GuardDuty runtime monitoring has a detector and its guardduty-data endpoint in the primary region only (phase 1)',
};
export const DR_ADDONS = ADDONS_LIKE_PHASE_2.filter((a) => !(a in DR_ADDON_EXCLUSIONS));

/** The vpc-cni settings phase 2 gives @pulumi/eks (vpcCniOptions), as the add-on's configuration values. */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: 'true', env: { ENABLE_PREFIX_DELEGATION: 'true', WARM_PREFIX_TARGET: '1' } };

export interface DrClusterResult {
  name: pulumi.Output<string>;
  endpoint: pulumi.Output<string>;
  kubeconfig: pulumi.Output<string>;
  nodeGroup: aws.eks.NodeGroup;
}

export function createDrCluster(inputs: Phase8Inputs, spec: NonNullable<Phase8Inputs['drCluster']>, dr: aws.Provider, primary: aws.Provider): DrClusterResult {
  const tags = { ...inputs.tags, 'platform:role': 'dr-pilot-light' };
  const opts = { provider: dr };
  const logs = new aws.cloudwatch.LogGroup(
    'dr-control-plane-logs',
    { name: `/aws/eks/${spec.name}/cluster`, retentionInDays: CONTROL_PLANE_LOG_RETENTION_DAYS, kmsKeyId: inputs.dr.kmsKeyArn, tags },
    opts,
  );
  const cluster = new aws.eks.Cluster(
    'dr-cluster',
    {
      name: spec.name,
      version: spec.version,
      roleArn: spec.clusterRoleArn,
      vpcConfig: { subnetIds: inputs.dr.privateSubnetIds, ...endpointAccess(spec) },
      encryptionConfig: { provider: { keyArn: inputs.dr.kmsKeyArn }, resources: ['secrets'] },
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
      upgradePolicy: { supportType: 'STANDARD' },
      // Karpenter is not installed here: the node group's own add-ons are enough for a pilot light.
      bootstrapSelfManagedAddons: false,
      deletionProtection: spec.deletionProtection,
      tags,
    },
    { ...opts, dependsOn: [logs] },
  );

  const access = (key: string, principalArn: pulumi.Input<string>, policyArn: string) => {
    const entry = new aws.eks.AccessEntry(`dr-access-${key}`, { clusterName: cluster.name, principalArn, type: 'STANDARD', tags }, opts);
    new aws.eks.AccessPolicyAssociation(`dr-access-${key}`, { clusterName: cluster.name, principalArn, policyArn, accessScope: { type: 'cluster' } }, { ...opts, dependsOn: [entry] });
  };
  access('verifier', inputs.verifierRoleArn, VIEW_POLICY);
  const [adminSet, breakGlassSet] = CLUSTER_ADMIN_PERMISSION_SETS;
  access('platform-admins', ssoRoleArn(adminSet, inputs.accountId, primary), CLUSTER_ADMIN_POLICY);
  access('break-glass', ssoRoleArn(breakGlassSet, inputs.accountId, primary), CLUSTER_ADMIN_POLICY);

  const addon = (name: string, extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []) =>
    new aws.eks.Addon(
      `dr-${name}`,
      { clusterName: cluster.name, addonName: name, resolveConflictsOnCreate: 'OVERWRITE', resolveConflictsOnUpdate: 'OVERWRITE', tags, ...extra },
      { ...opts, dependsOn },
    );
  // Networking first: nodes join only once the CNI and kube-proxy are there.
  const vpcCni = addon('vpc-cni', { configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION) });
  const kubeProxy = addon('kube-proxy');
  const podIdentity = addon('eks-pod-identity-agent');

  const launchTemplate = new aws.ec2.LaunchTemplate(
    'dr-nodes',
    {
      description: `DR pilot-light nodes of ${spec.name}: IMDSv2 required, root volume encrypted with the DR key`,
      updateDefaultVersion: true,
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: { volumeSize: spec.nodes.diskSizeGiB, volumeType: 'gp3', encrypted: 'true', kmsKeyId: inputs.dr.kmsKeyArn, deleteOnTermination: 'true' },
        },
      ],
      tagSpecifications: [
        { resourceType: 'instance', tags: { ...tags, Name: `${spec.name}-pilot-light` } },
        { resourceType: 'volume', tags: { ...tags, Name: `${spec.name}-pilot-light` } },
      ],
      tags,
    },
    opts,
  );
  const nodeGroup = new aws.eks.NodeGroup(
    'dr-nodes',
    {
      clusterName: cluster.name,
      nodeGroupName: `${spec.name}-pilot-light`,
      nodeRoleArn: spec.nodeRoleArn,
      subnetIds: inputs.dr.privateSubnetIds,
      instanceTypes: spec.nodes.instanceTypes,
      capacityType: 'ON_DEMAND',
      amiType: 'AL2023_x86_64_STANDARD',
      scalingConfig: { minSize: spec.nodes.min, desiredSize: spec.nodes.desired, maxSize: spec.nodes.max },
      launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
      labels: { 'platform.io/node-pool': 'pilot-light' },
      tags,
    },
    { ...opts, dependsOn: [vpcCni, kubeProxy] },
  );
  // Those that schedule pods wait for the nodes (CoreDNS and the snapshot controller would sit DEGRADED; review R3).
  addon('coredns', { configurationValues: JSON.stringify(COREDNS_CONFIGURATION) }, [nodeGroup]);
  addon('snapshot-controller', {}, [nodeGroup]);
  addon(
    'aws-ebs-csi-driver',
    { podIdentityAssociations: [{ roleArn: spec.ebsCsiRoleArn, serviceAccount: serviceAccounts.ebsCsi.serviceAccount }] },
    [nodeGroup, podIdentity],
  );

  if (!spec.endpointPublicAccess) {
    const runner = new DeployRunner(
      'dr-runner',
      { envName: `${inputs.envName}-dr`, vpcId: inputs.dr.vpcId, subnetId: inputs.dr.privateSubnetIds[0]!, ebsKeyArn: inputs.dr.kmsKeyArn, tags },
      { providers: [dr] },
    );
    new aws.ec2.SecurityGroupRule(
      'dr-runner-to-api',
      {
        type: 'ingress',
        description: 'DR deploy runner to the DR Kubernetes API',
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        sourceSecurityGroupId: runner.securityGroupId,
        securityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
      },
      opts,
    );
  }

  return {
    name: cluster.name,
    endpoint: cluster.endpoint,
    nodeGroup,
    kubeconfig: pulumi
      .all([cluster.name, cluster.endpoint, cluster.certificateAuthority.data])
      .apply(([clusterName, endpoint, certificateAuthorityData]) =>
        kubeconfigJson({ clusterName, endpoint, certificateAuthorityData, region: inputs.dr.region, roleArn: inputs.deployRoleArn }),
      ),
  };
}
