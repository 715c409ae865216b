/**
 * The baseline service control policies, as pure data. Rules:
 * - Three policies, because AWS allows at most five SCPs per target and FullAWSAccess takes one:
 *   `guardrails` (no leaving the org, no root user, security services cannot be switched off),
 *   `region-deny` (only the primary and DR regions, global services exempt), and
 *   `data-protection` (IMDSv2 only, no unencrypted EBS, no account-level S3 public access changes).
 * - The platform's own roles (deployer, OrganizationAccountAccessRole, the break-glass permission
 *   set) are exempt where a baseline must still be changeable; everyone else is not.
 * - Each policy must fit the 5,120-character SCP limit; `scpDocuments` checks it.
 * Adapted from https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html
 */
import { PlatformError } from '../../src/core/errors.js';
import { DEPLOYER_ROLE_NAME } from '../../src/core/platform-names.js';

/** Largest SCP document AWS accepts, in characters (whitespace counts, so we minify). */
export const SCP_MAX_CHARS = 5120;
/** SCPs attachable per target, FullAWSAccess included. */
export const SCP_MAX_PER_TARGET = 5;

export const ORG_ACCESS_ROLE_NAME = 'OrganizationAccountAccessRole';
export const BREAK_GLASS_PERMISSION_SET = 'PlatformBreakGlass';

/** Principals allowed to change baselines the SCPs otherwise protect. */
export const EXEMPT_PRINCIPAL_ARNS = [
  `arn:aws:iam::*:role/${DEPLOYER_ROLE_NAME}`,
  `arn:aws:iam::*:role/${ORG_ACCESS_ROLE_NAME}`,
  `arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${BREAK_GLASS_PERMISSION_SET}_*`,
] as const;

/** Global services whose API lives in us-east-1 (or is region-less), exempt from the region deny. */
export const GLOBAL_SERVICE_ACTIONS = [
  'a4b:*', 'access-analyzer:*', 'account:*', 'acm:*', 'aws-marketplace:*', 'aws-portal:*', 'budgets:*',
  'ce:*', 'chime:*', 'cloudfront:*', 'config:*', 'cur:*', 'directconnect:*', 'ec2:DescribeRegions',
  'ec2:DescribeTransitGateways', 'ec2:DescribeVpnGateways', 'fms:*', 'globalaccelerator:*', 'health:*',
  'iam:*', 'identitystore:*', 'importexport:*', 'kms:*', 'mobileanalytics:*', 'networkmanager:*',
  'organizations:*', 'pricing:*', 'route53:*', 'route53domains:*', 'route53-recovery-cluster:*',
  'route53-recovery-control-config:*', 'route53-recovery-readiness:*', 's3:GetAccountPublic*',
  's3:ListAllMyBuckets', 's3:ListMultiRegionAccessPoints', 's3:PutAccountPublic*', 'shield:*', 'sso:*',
  'sts:*', 'support:*', 'trustedadvisor:*', 'waf-regional:*', 'waf:*', 'wafv2:*', 'wellarchitected:*',
] as const;

export type ScpKey = 'guardrails' | 'regionDeny' | 'dataProtection';

export interface ScpDefinition {
  key: ScpKey;
  name: string;
  description: string;
  /** Minified JSON document. */
  content: string;
}

type Statement = Record<string, unknown>;

const exemptCondition = { ArnNotLike: { 'aws:PrincipalArn': [...EXEMPT_PRINCIPAL_ARNS] } };

function guardrails(): Statement[] {
  return [
    { Sid: 'DenyLeaveOrganization', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' },
    {
      Sid: 'DenyRootUser',
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:root' } },
    },
    {
      Sid: 'ProtectSecurityServices',
      Effect: 'Deny',
      Action: [
        'cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail',
        'guardduty:DeleteDetector', 'guardduty:DisassociateFromMasterAccount', 'guardduty:UpdateDetector',
        'config:StopConfigurationRecorder', 'config:DeleteConfigurationRecorder', 'config:DeleteDeliveryChannel',
        'securityhub:DisableSecurityHub', 'access-analyzer:DeleteAnalyzer',
      ],
      Resource: '*',
      Condition: exemptCondition,
    },
  ];
}

function regionDeny(allowedRegions: readonly string[]): Statement[] {
  return [
    {
      Sid: 'DenyOutsideAllowedRegions',
      Effect: 'Deny',
      NotAction: [...GLOBAL_SERVICE_ACTIONS],
      Resource: '*',
      Condition: {
        StringNotEquals: { 'aws:RequestedRegion': [...allowedRegions] },
        ...exemptCondition,
      },
    },
  ];
}

function dataProtection(): Statement[] {
  return [
    {
      Sid: 'RequireImdsV2',
      Effect: 'Deny',
      Action: 'ec2:RunInstances',
      Resource: 'arn:aws:ec2:*:*:instance/*',
      Condition: { StringNotEquals: { 'ec2:MetadataHttpTokens': 'required' } },
    },
    {
      Sid: 'DenyImdsDowngrade',
      Effect: 'Deny',
      Action: 'ec2:ModifyInstanceMetadataOptions',
      Resource: '*',
      Condition: exemptCondition,
    },
    {
      Sid: 'DenyUnencryptedEbs',
      Effect: 'Deny',
      Action: 'ec2:CreateVolume',
      Resource: '*',
      Condition: { Bool: { 'ec2:Encrypted': 'false' } },
    },
    {
      Sid: 'DenyAccountPublicAccessChanges',
      Effect: 'Deny',
      Action: ['s3:PutAccountPublicAccessBlock', 'ec2:DisableEbsEncryptionByDefault'],
      Resource: '*',
      Condition: exemptCondition,
    },
  ];
}

/**
 * The baseline SCPs for an organization whose workloads run in `regions`. Throws a PlatformError
 * when a document would exceed the SCP size limit or the set would not fit on one target.
 */
export function scpDocuments(regions: { primary: string; dr: string }): ScpDefinition[] {
  const allowed = [...new Set([regions.primary, regions.dr])];
  const defs: Array<Omit<ScpDefinition, 'content'> & { statements: Statement[] }> = [
    {
      key: 'guardrails',
      name: 'platform-guardrails',
      description: 'No leaving the organization, no root user, security services stay on',
      statements: guardrails(),
    },
    {
      key: 'regionDeny',
      name: 'platform-region-deny',
      description: `Only ${allowed.join(' and ')}; global services and platform roles exempt`,
      statements: regionDeny(allowed),
    },
    {
      key: 'dataProtection',
      name: 'platform-data-protection',
      description: 'IMDSv2 only, no unencrypted EBS, account public access settings locked',
      statements: dataProtection(),
    },
  ];
  if (defs.length + 1 > SCP_MAX_PER_TARGET) {
    throw new PlatformError('check-failed', `${defs.length} baseline SCPs plus FullAWSAccess exceed the per-target limit`, {
      value: String(defs.length),
      hint: `merge policies: at most ${SCP_MAX_PER_TARGET} SCPs can be attached to one OU`,
    });
  }
  return defs.map(({ statements, ...d }) => {
    const content = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    if (content.length > SCP_MAX_CHARS) {
      throw new PlatformError('check-failed', `SCP '${d.name}' is ${content.length} characters`, {
        value: d.name,
        hint: `SCPs are limited to ${SCP_MAX_CHARS} characters; split the policy or shorten its lists`,
      });
    }
    return { ...d, content };
  });
}
