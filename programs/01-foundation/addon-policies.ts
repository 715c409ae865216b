/**
 * Permission policy documents for the add-on roles phase 2 creates (IRSA / Pod Identity), as pure
 * functions of the ARNs they are scoped to. Sources: Karpenter v1.14 CloudFormation (six policies),
 * EKS Blueprints addons (ExternalDNS), cert-manager's Route53 guide, External Secrets' AWS Secrets
 * Manager guide, the EBS CSI KMS policy and Loki's AWS guide. Rules: no Allow on Action "*";
 * writes are scoped to the zone ARNs, the queue ARN, the bucket ARNs, the secret prefix and the keys;
 * only read/list calls that AWS cannot scope keep Resource "*".
 */
import * as pulumi from '@pulumi/pulumi';
import { doc, type PolicyDocument } from '../shared/iam-docs.js';

export interface AddonScope {
  accountId: string;
  region: string;
  clusterName: string;
  envName: string;
  karpenterNodeRoleArn: pulumi.Input<string>;
  interruptionQueueArn: pulumi.Input<string>;
  zoneArns: pulumi.Input<string>[];
  lokiBucketArns: pulumi.Input<string>[];
  s3KeyArn: pulumi.Input<string>;
  ebsKeyArn: pulumi.Input<string>;
  secretsKeyArn: pulumi.Input<string>;
}

export type KarpenterPolicyName = 'NodeLifecycle' | 'IAMIntegration' | 'EKSIntegration' | 'Interruption' | 'ResourceDiscovery' | 'ZonalShift';

/** The six Karpenter controller policies, in Karpenter's own order. */
export function karpenterPolicies(s: AddonScope): Record<KarpenterPolicyName, PolicyDocument> {
  const ec2 = (r: string) => `arn:aws:ec2:${s.region}:*:${r}`;
  const owned = { [`aws:RequestTag/kubernetes.io/cluster/${s.clusterName}`]: 'owned', 'aws:RequestTag/eks:eks-cluster-name': s.clusterName };
  const ownedRes = { [`aws:ResourceTag/kubernetes.io/cluster/${s.clusterName}`]: 'owned' };
  const created = ['fleet/*', 'instance/*', 'volume/*', 'network-interface/*', 'launch-template/*', 'spot-instances-request/*'].map(ec2);
  const profileTags = {
    ...owned,
    'aws:RequestTag/topology.kubernetes.io/region': s.region,
  };
  const profileArn = `arn:aws:iam::${s.accountId}:instance-profile/*`;
  return {
    NodeLifecycle: doc(
      {
        Sid: 'AllowScopedEC2InstanceAccessActions',
        Effect: 'Allow',
        Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
        Resource: [`arn:aws:ec2:${s.region}::image/*`, `arn:aws:ec2:${s.region}::snapshot/*`, ...['security-group/*', 'subnet/*', 'capacity-reservation/*'].map(ec2)],
      },
      {
        Sid: 'AllowScopedEC2LaunchTemplateAccessActions',
        Effect: 'Allow',
        Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
        Resource: ec2('launch-template/*'),
        Condition: { StringEquals: ownedRes, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
      },
      {
        Sid: 'AllowScopedEC2InstanceActionsWithTags',
        Effect: 'Allow',
        Action: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
        Resource: created,
        Condition: { StringEquals: owned, StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' } },
      },
      {
        Sid: 'AllowScopedResourceCreationTagging',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: created,
        Condition: {
          StringEquals: { ...owned, 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] },
          StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
        },
      },
      {
        Sid: 'AllowScopedResourceTagging',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: ec2('instance/*'),
        Condition: {
          StringEquals: ownedRes,
          StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
          StringEqualsIfExists: { 'aws:RequestTag/eks:eks-cluster-name': s.clusterName },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
        },
      },
      {
        Sid: 'AllowScopedDeletion',
        Effect: 'Allow',
        Action: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
        Resource: [ec2('instance/*'), ec2('launch-template/*')],
        Condition: { StringEquals: ownedRes, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
      },
    ),
    IAMIntegration: doc(
      {
        Sid: 'AllowPassingInstanceRole',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: s.karpenterNodeRoleArn,
        Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      },
      {
        Sid: 'AllowScopedInstanceProfileCreationActions',
        Effect: 'Allow',
        Action: ['iam:CreateInstanceProfile'],
        Resource: profileArn,
        Condition: { StringEquals: profileTags, StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' } },
      },
      {
        Sid: 'AllowScopedInstanceProfileTagActions',
        Effect: 'Allow',
        Action: ['iam:TagInstanceProfile'],
        Resource: profileArn,
        Condition: {
          StringEquals: { ...ownedRes, 'aws:ResourceTag/topology.kubernetes.io/region': s.region, ...profileTags },
          StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*', 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
        },
      },
      {
        Sid: 'AllowScopedInstanceProfileActions',
        Effect: 'Allow',
        Action: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
        Resource: profileArn,
        Condition: {
          StringEquals: { ...ownedRes, 'aws:ResourceTag/topology.kubernetes.io/region': s.region },
          StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
        },
      },
      { Sid: 'AllowInstanceProfileReadActions', Effect: 'Allow', Action: 'iam:GetInstanceProfile', Resource: profileArn },
    ),
    EKSIntegration: doc({
      Sid: 'AllowAPIServerEndpointDiscovery',
      Effect: 'Allow',
      Action: 'eks:DescribeCluster',
      Resource: `arn:aws:eks:${s.region}:${s.accountId}:cluster/${s.clusterName}`,
    }),
    Interruption: doc({
      Sid: 'AllowInterruptionQueueActions',
      Effect: 'Allow',
      Action: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      Resource: s.interruptionQueueArn,
    }),
    ResourceDiscovery: doc(
      {
        Sid: 'AllowRegionalReadActions',
        Effect: 'Allow',
        Action: [
          'ec2:DescribeCapacityReservations', 'ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:DescribeInstanceTypeOfferings',
          'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplates', 'ec2:DescribePlacementGroups', 'ec2:DescribeSecurityGroups',
          'ec2:DescribeSpotPriceHistory', 'ec2:DescribeSubnets', 'ec2:DescribeAvailabilityZones',
        ],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': s.region } },
      },
      { Sid: 'AllowSSMReadActions', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: `arn:aws:ssm:${s.region}::parameter/aws/service/*` },
      { Sid: 'AllowPricingReadActions', Effect: 'Allow', Action: 'pricing:GetProducts', Resource: '*' },
      { Sid: 'AllowUnscopedInstanceProfileListAction', Effect: 'Allow', Action: 'iam:ListInstanceProfiles', Resource: '*' },
    ),
    ZonalShift: doc({
      Sid: 'AllowZonalShiftReadActions',
      Effect: 'Allow',
      Action: 'arc-zonal-shift:GetManagedResource',
      Resource: `arn:aws:eks:${s.region}:${s.accountId}:cluster/${s.clusterName}`,
    }),
  };
}

/** ExternalDNS: record changes only in the platform's zones. */
export function externalDnsPolicy(s: AddonScope): PolicyDocument {
  return doc(
    { Sid: 'ChangeRecordsInPlatformZones', Effect: 'Allow', Action: ['route53:ChangeResourceRecordSets', 'route53:ListTagsForResource'], Resource: s.zoneArns },
    { Sid: 'DiscoverZones', Effect: 'Allow', Action: ['route53:ListHostedZones', 'route53:ListResourceRecordSets'], Resource: '*' },
  );
}

/** cert-manager DNS-01: TXT records only, in the platform's zones. */
export function certManagerPolicy(s: AddonScope): PolicyDocument {
  return doc(
    { Sid: 'ReadChanges', Effect: 'Allow', Action: 'route53:GetChange', Resource: 'arn:aws:route53:::change/*' },
    {
      Sid: 'ChangeTxtRecords',
      Effect: 'Allow',
      Action: 'route53:ChangeResourceRecordSets',
      Resource: s.zoneArns,
      Condition: { 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] } },
    },
    { Sid: 'ListRecords', Effect: 'Allow', Action: 'route53:ListResourceRecordSets', Resource: s.zoneArns },
    { Sid: 'FindZones', Effect: 'Allow', Action: 'route53:ListHostedZonesByName', Resource: '*' },
  );
}

/** External Secrets: secrets under `<env>/` only. */
export function externalSecretsPolicy(s: AddonScope): PolicyDocument {
  return doc(
    { Sid: 'ListSecrets', Effect: 'Allow', Action: ['secretsmanager:ListSecrets', 'secretsmanager:BatchGetSecretValue'], Resource: '*' },
    {
      Sid: 'ReadEnvSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:GetResourcePolicy', 'secretsmanager:ListSecretVersionIds'],
      Resource: `arn:aws:secretsmanager:${s.region}:${s.accountId}:secret:${s.envName}/*`,
    },
    {
      Sid: 'DecryptEnvSecrets',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: s.secretsKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${s.region}.amazonaws.com` } },
    },
  );
}

/** EBS CSI driver: use and grant the EBS key (the managed AmazonEBSCSIDriverPolicy does the rest). */
export function ebsCsiKmsPolicy(s: AddonScope): PolicyDocument {
  return doc(
    {
      Sid: 'GrantsForAwsResources',
      Effect: 'Allow',
      Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
      Resource: s.ebsKeyArn,
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
    { Sid: 'UseEbsKey', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: s.ebsKeyArn },
  );
}

/** Loki: its chunk and ruler buckets only. */
export function lokiPolicy(s: AddonScope): PolicyDocument {
  return doc(
    { Sid: 'ListLokiBuckets', Effect: 'Allow', Action: 's3:ListBucket', Resource: s.lokiBucketArns },
    {
      Sid: 'ReadWriteLokiObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: s.lokiBucketArns.map((a) => pulumi.interpolate`${a}/*`),
    },
    { Sid: 'UseS3Key', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: s.s3KeyArn },
  );
}
