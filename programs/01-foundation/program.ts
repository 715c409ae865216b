/**
 * Phase 1 program: everything runs through a provider that assumes phase 0's deploy role for this
 * env with allowedAccountIds pinned to the env account (a second one for the DR region). Checks the
 * address plan before creating anything, then builds keys, the S3 access-log bucket (admitting exactly
 * the phase's buckets), network, security services, IAM, queue, zones, storage and the DR baseline,
 * and returns the outputs contract.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ACCESS_LOG_RETENTION_DAYS, AccessLogBucket } from '../shared/access-log-bucket.js';
import { pinnedProvider } from '../shared/aws-provider.js';
import { assertLeastPrivilege, policyJson, type PolicyDocument } from '../shared/iam-docs.js';
import { bucketName, iamName } from '../shared/naming.js';
import { platformTags } from '../shared/tags.js';
import {
  certManagerPolicy,
  ebsCsiKmsPolicy,
  externalDnsPolicy,
  externalSecretsPolicy,
  karpenterPolicies,
  lokiPolicy,
  type AddonScope,
  type KarpenterPolicyName,
} from './addon-policies.js';
import { addonPolicyName, karpenterPolicyName } from './iam-names.js';
import { PlatformZones } from './dns.js';
import { DrBaseline } from './dr.js';
import { createRoles, spotServiceLinkedRole } from './iam-roles.js';
import { InterruptionQueue } from './karpenter-queue.js';
import { createKeys } from './kms.js';
import { lbcPolicy } from './lbc-policy.js';
import { Network } from './network.js';
import type { Phase1Inputs } from './phase.js';
import { auditBucketName, guardDutyDataEndpoint, SecurityServices } from './security.js';
import { PlatformStorage, storageBucketNames } from './storage.js';
import { DeployRunner } from './runner.js';
import { planSubnets } from './subnet-plan.js';

export async function program(inputs: Phase1Inputs): Promise<Record<string, unknown>> {
  const n = inputs.network;
  const env = inputs.envName;
  const tags = platformTags({ name: env, tags: inputs.tags }, 'foundation');
  const plan = planSubnets(n);
  const masks = { public: n.publicSubnetMask, private: n.privateSubnetMask, isolated: n.isolatedSubnetMask };
  const sessionName = `platform-${env}-foundation`;
  const primary = pinnedProvider('env', { region: inputs.regions.primary, accountId: inputs.accountId, roleArn: inputs.deployRoleArn, sessionName });
  const dr = pinnedProvider('env-dr', { region: inputs.regions.dr, accountId: inputs.accountId, roleArn: inputs.deployRoleArn, sessionName });
  const inPrimary = { providers: [primary] };
  const custom = { provider: primary };
  const trailName = `platform-${env}`;

  const keys = createKeys({ envName: env, accountId: inputs.accountId, region: inputs.regions.primary, trailName, tags }, inPrimary);
  // Every bucket of this phase lives in the primary region of the env account, like this one.
  const accessLogs = new AccessLogBucket(
    'access-logs',
    {
      bucketName: bucketName(['platform-access-logs', env], inputs.accountId),
      accountId: inputs.accountId,
      sourceBucketNames: [auditBucketName(env, inputs.accountId), ...Object.values(storageBucketNames(env, inputs.accountId))],
      retentionDays: ACCESS_LOG_RETENTION_DAYS,
      tags,
      retainOnDelete: true,
    },
    inPrimary,
  );

  const network = new Network(
    'network',
    {
      name: `platform-${env}`,
      region: inputs.regions.primary,
      accountId: inputs.accountId,
      cidrBlock: n.vpcCidr,
      availabilityZones: n.availabilityZones,
      plan,
      masks,
      natStrategy: n.natGateways,
      interfaceEndpoints: n.interfaceEndpoints,
      clusterName: inputs.cluster.name,
      logsKeyArn: keys.logs.arn,
      flowLogRetentionDays: n.flowLogRetentionDays,
      tags,
    },
    inPrimary,
  );

  const guardDutyData = guardDutyDataEndpoint(
    'guardduty-data-endpoint',
    { accountId: inputs.accountId, region: inputs.regions.primary, vpcId: network.vpcId, subnetIds: network.privateSubnetIds, securityGroupId: network.endpointSecurityGroupId, tags },
    custom,
  );

  // A private-only EKS API is reachable only from inside the VPC: the deploy runner is that path.
  const runner = inputs.cluster.endpointPublicAccess
    ? undefined
    : new DeployRunner(
        'deploy-runner',
        { envName: env, vpcId: network.vpcId, subnetId: network.privateSubnetIds.apply((ids) => ids[0]!), ebsKeyArn: keys.ebs.arn, tags },
        inPrimary,
      );

  const security = new SecurityServices(
    'security',
    { envName: env, accountId: inputs.accountId, region: inputs.regions.primary, trailName, clusterVersion: inputs.cluster.version, logsKeyArn: keys.logs.arn, ebsKeyArn: keys.ebs.arn, accessLogs, tags },
    inPrimary,
  );
  if (inputs.cluster.spot) spotServiceLinkedRole(custom);
  const roles = createRoles({ clusterName: inputs.cluster.name, envName: env, eksSecretsKeyArn: keys.eksSecrets.arn, tags }, custom);
  const queue = new InterruptionQueue('karpenter-interruption', { clusterName: inputs.cluster.name, tags }, inPrimary);
  const zones = new PlatformZones('zones', { domain: inputs.domain, tags }, inPrimary);
  const storage = new PlatformStorage(
    'storage',
    { envName: env, accountId: inputs.accountId, s3KeyArn: keys.s3.arn, backupKeyArn: keys.backup.arn, logsKeyArn: keys.logs.arn, accessLogs, tags },
    inPrimary,
  );

  const scope: AddonScope = {
    accountId: inputs.accountId,
    region: inputs.regions.primary,
    clusterName: inputs.cluster.name,
    envName: env,
    karpenterNodeRoleArn: roles.karpenterNodeRole.arn,
    interruptionQueueArn: queue.queueArn,
    zoneArns: [zones.apex.arn, zones.api.arn],
    lokiBucketArns: [storage.lokiChunks.arn, storage.lokiRuler.arn],
    s3KeyArn: keys.s3.arn,
    ebsKeyArn: keys.ebs.arn,
    secretsKeyArn: keys.eksSecrets.arn,
  };
  const policy = (key: string, name: string, description: string, d: PolicyDocument) =>
    new aws.iam.Policy(
      `policy-${key}`,
      { name: iamName(name), description, policy: policyJson(assertLeastPrivilege(name, d)), tags },
      custom,
    ).arn;
  const karpenterPolicyArns = Object.entries(karpenterPolicies(scope)).map(([part, d]) =>
    policy(`karpenter-${part}`, karpenterPolicyName(part as KarpenterPolicyName, inputs.cluster.name), `Karpenter controller: ${part}`, d),
  );
  const addonPolicy = (key: string, d: PolicyDocument, what: string) => policy(key, addonPolicyName(key, inputs.cluster.name), what, d);

  const drBaseline = new DrBaseline(
    'dr',
    {
      envName: env,
      accountId: inputs.accountId,
      region: inputs.regions.dr,
      vpcCidr: n.drVpcCidr,
      primaryVpcCidr: n.vpcCidr,
      availabilityZones: n.availabilityZones,
      masks,
      clusterName: inputs.cluster.name,
      flowLogRetentionDays: n.flowLogRetentionDays,
      configRoleArn: security.configRoleArn,
      auditBucketName: security.auditBucketName,
      tags,
    },
    { providers: [dr] },
  );

  return {
    vpcId: network.vpcId,
    vpcCidr: n.vpcCidr,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    isolatedSubnetIds: network.isolatedSubnetIds,
    privateRouteTableIds: network.privateRouteTableIds,
    natPublicIps: network.natPublicIps,
    vpcEndpointIds: pulumi.all([network.vpcEndpointIds, guardDutyData.id]).apply(([ids, gd]) => ({ ...ids, 'guardduty-data': gd })),
    endpointSecurityGroupId: network.endpointSecurityGroupId,
    // Always empty: phase 1 deploys no Network Firewall (it would inspect nothing without egress routing).
    firewallArn: '',
    cloudTrailArn: security.trailArn,
    configRecorderName: security.configRecorderName,
    guardDutyDetectorId: security.guardDutyDetectorId,
    alertsTopicArn: storage.alertsTopicArn,
    kmsKeyArns: {
      eksSecrets: keys.eksSecrets.arn,
      ebs: keys.ebs.arn,
      s3: keys.s3.arn,
      backup: keys.backup.arn,
      logs: keys.logs.arn,
    },
    clusterRoleArn: roles.clusterRole.arn,
    nodeRoleArn: roles.nodeRole.arn,
    nodeRoleName: roles.nodeRole.name,
    karpenterNodeRoleArn: roles.karpenterNodeRole.arn,
    karpenterNodeRoleName: roles.karpenterNodeRole.name,
    karpenterControllerPolicyArns: karpenterPolicyArns,
    externalDnsPolicyArn: addonPolicy('external-dns', externalDnsPolicy(scope), 'ExternalDNS: records in the platform zones'),
    certManagerPolicyArn: addonPolicy('cert-manager', certManagerPolicy(scope), 'cert-manager DNS-01: TXT records in the platform zones'),
    externalSecretsPolicyArn: addonPolicy('external-secrets', externalSecretsPolicy(scope), `External Secrets: secrets under ${env}/`),
    ebsCsiKmsPolicyArn: addonPolicy('ebs-csi-kms', ebsCsiKmsPolicy(scope), 'EBS CSI driver: the EBS KMS key'),
    lokiPolicyArn: addonPolicy('loki', lokiPolicy(scope), 'Loki: chunk and ruler buckets'),
    lbcPolicyArn: addonPolicy('aws-load-balancer-controller', lbcPolicy(), 'AWS Load Balancer Controller'),
    interruptionQueueName: queue.queueName,
    interruptionQueueArn: queue.queueArn,
    hostedZoneIds: { apex: zones.apex.zoneId, api: zones.api.zoneId },
    hostedZoneNameServers: { apex: zones.apex.nameServers, api: zones.api.nameServers },
    domainNames: { apex: inputs.domain, api: `api.${inputs.domain}` },
    lokiBuckets: { chunks: storage.lokiChunks.name, ruler: storage.lokiRuler.name },
    backupVaultArn: storage.backupVaultArn,
    drBackupVaultArn: drBaseline.backupVaultArn,
    backupRoleArn: roles.backupRole.arn,
    drRegion: inputs.regions.dr,
    drVpcId: drBaseline.network.vpcId,
    drPrivateSubnetIds: drBaseline.network.privateSubnetIds,
    drPublicSubnetIds: drBaseline.network.publicSubnetIds,
    drKmsKeyArn: drBaseline.keyArn,
    artifactsBucket: storage.artifacts.name,
    dataBackupBucket: storage.dataBackups.name,
    accessLogBucket: accessLogs.name,
    runnerSecurityGroupId: runner?.securityGroupId ?? '',
    runnerInstanceId: runner?.instanceId ?? '',
  };
}
