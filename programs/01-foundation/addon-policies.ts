/**
 * Permission policy documents for the add-on roles phase 2 creates (IRSA / Pod Identity), as pure
 * functions of the ARNs they are scoped to. Sources: Karpenter v1.14.1 CloudFormation (six policies,
 * generated from the file itself: upstream-policies/generate.ts),
 * EKS Blueprints addons (ExternalDNS), cert-manager's Route53 guide, External Secrets' AWS Secrets
 * Manager guide, the EBS CSI KMS policy and Loki's AWS guide. Rules: no Allow on Action "*";
 * writes are scoped to the zone ARNs, the queue ARN, the bucket ARNs, the secret prefix and the keys;
 * only read/list calls that AWS cannot scope keep Resource "*".
 */
import * as pulumi from '@pulumi/pulumi';
import { doc, type PolicyDocument } from '../shared/iam-docs.js';
import { KARPENTER_POLICY_TEMPLATES, KARPENTER_SOURCE } from './upstream-policies/karpenter.generated.js';

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

const PLACEHOLDER = /\$\{([A-Za-z:.]+)\}/g;

/**
 * Fills a CloudFormation `!Sub` template (strings and object keys) with values. A string that is
 * exactly one placeholder may take a Pulumi input (a role ARN not known until apply); placeholders
 * inside longer strings or keys need plain strings. An unknown placeholder throws.
 */
export function instantiate(template: unknown, vars: Record<string, pulumi.Input<string>>): unknown {
  const plain = (text: string): string =>
    text.replace(PLACEHOLDER, (_m, name: string) => {
      const v = vars[name];
      if (typeof v !== 'string') throw new Error(`placeholder \${${name}} ${v === undefined ? 'has no value' : 'needs a plain string here'} in "${text}"`);
      return v;
    });
  if (typeof template === 'string') {
    const whole = /^\$\{([A-Za-z:.]+)\}$/.exec(template);
    if (whole && vars[whole[1]!] !== undefined) return vars[whole[1]!];
    return plain(template);
  }
  if (Array.isArray(template)) return template.map((t) => instantiate(t, vars));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [plain(k), instantiate(v, vars)]));
  }
  return template;
}

/**
 * The six Karpenter controller policies, generated from the pinned release's own CloudFormation
 * (upstream-policies/karpenter.generated.ts; source tag and blob id there), filled for this cluster.
 */
export function karpenterPolicies(s: AddonScope): Record<KarpenterPolicyName, PolicyDocument> {
  const vars: Record<string, pulumi.Input<string>> = {
    'AWS::Partition': 'aws',
    'AWS::Region': s.region,
    'AWS::AccountId': s.accountId,
    ClusterName: s.clusterName,
    'KarpenterNodeRole.Arn': s.karpenterNodeRoleArn,
    'KarpenterInterruptionQueue.Arn': s.interruptionQueueArn,
  };
  const parts: KarpenterPolicyName[] = ['NodeLifecycle', 'IAMIntegration', 'EKSIntegration', 'Interruption', 'ResourceDiscovery', 'ZonalShift'];
  const missing = parts.filter((p) => !(p in KARPENTER_POLICY_TEMPLATES));
  const extra = Object.keys(KARPENTER_POLICY_TEMPLATES).filter((p) => !parts.includes(p as KarpenterPolicyName));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`Karpenter ${KARPENTER_SOURCE.tag} policies differ from the six phase 1 creates: missing ${missing.join(',') || '-'}, extra ${extra.join(',') || '-'}`);
  }
  return Object.fromEntries(parts.map((p) => [p, instantiate(KARPENTER_POLICY_TEMPLATES[p], vars) as PolicyDocument])) as Record<KarpenterPolicyName, PolicyDocument>;
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
