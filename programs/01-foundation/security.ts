/**
 * Account security services: an audit bucket (CloudTrail + Config, SSE-KMS with the logs key, access
 * logged to the phase's access-log bucket), a multi-region CloudTrail with log file validation and KMS
 * that also delivers to a KMS-encrypted CloudWatch log group (through a role that may only create
 * streams and put events in that group), AWS Config (recorder, delivery channel,
 * recorder status, EKS managed rules), GuardDuty with its features, Security Hub with FSBP and CIS,
 * EBS encryption by default with the env's EBS key, the account-level S3 public access block, IAM
 * Access Analyzer (account zone of trust) and Inspector2 for EC2 and ECR.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { doc, policyJson, serviceTrust, type PolicyStatement } from '../shared/iam-docs.js';
import { bucketName } from '../shared/naming.js';
import { configRoleName, trailLogsRoleName } from './iam-names.js';
import { SecureBucket, type AccessLogDestination } from '../shared/secure-bucket.js';

export interface SecurityArgs {
  envName: string;
  accountId: string;
  region: string;
  trailName: string;
  clusterVersion: string;
  logsKeyArn: pulumi.Input<string>;
  ebsKeyArn: pulumi.Input<string>;
  /** Where the audit bucket's server access logs go. */
  accessLogs: AccessLogDestination;
  tags: Record<string, string>;
}

/** Days the CloudWatch copy of the trail is kept (the S3 copy in the audit bucket is retained). */
export const TRAIL_LOG_RETENTION_DAYS = 365;

/** The audit bucket's name (CloudTrail and Config deliver there). */
export function auditBucketName(envName: string, accountId: string): string {
  return bucketName(['platform-audit', envName], accountId);
}

/**
 * Least privilege for CloudTrail's CloudWatch Logs role: create and write its own streams
 * (`<account>_CloudTrail_<region>`, one per region of a multi-region trail) in one log group.
 */
export function trailLogsPolicy(logGroupArn: pulumi.Input<string>, accountId: string): PolicyStatement[] {
  return [
    {
      Sid: 'CloudTrailWriteLogStreams',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: pulumi.interpolate`${logGroupArn}:log-stream:${accountId}_CloudTrail_*`,
    },
  ];
}

/**
 * GuardDuty features; RUNTIME_MONITORING covers EKS (never together with EKS_RUNTIME_MONITORING).
 * Its EKS_ADDON_MANAGEMENT is DISABLED (infra review R4): with it on, GuardDuty installs the
 * `aws-guardduty-agent` add-on and creates a VPC endpoint and a `GuardDutyManagedSecurityGroup-*`
 * in the VPC outside Pulumi's state, so destroying the VPC fails with DependencyViolation and the
 * phase 2 add-on gate covers an add-on no program owns. Instead phase 1 creates the agent's
 * `guardduty-data` endpoint (`guardDutyDataEndpoint`) and phase 2 installs the add-on itself.
 */
export const GUARDDUTY_FEATURES = ['EKS_AUDIT_LOGS', 'RUNTIME_MONITORING', 'EBS_MALWARE_PROTECTION', 'S3_DATA_EVENTS'] as const;

/** What Inspector2 scans in the env account. */
export const INSPECTOR_RESOURCE_TYPES = ['EC2', 'ECR'] as const;

/** The security services of one env account. */
export class SecurityServices extends pulumi.ComponentResource {
  readonly trailArn: pulumi.Output<string>;
  readonly configRecorderName: pulumi.Output<string>;
  readonly guardDutyDetectorId: pulumi.Output<string>;
  readonly auditBucketName: pulumi.Output<string>;
  /** AWS Config's role (IAM is global: the DR region's recorder uses it too). */
  readonly configRoleArn: pulumi.Output<string>;

  constructor(name: string, a: SecurityArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:security:SecurityServices', name, {}, opts);
    const child = { parent: this };
    const trailArn = `arn:aws:cloudtrail:${a.region}:${a.accountId}:trail/${a.trailName}`;
    const audit = new SecureBucket(
      'audit-logs',
      {
        bucketName: auditBucketName(a.envName, a.accountId),
        kmsKeyArn: a.logsKeyArn,
        tags: a.tags,
        retainOnDelete: true,
        accessLogs: a.accessLogs,
        policyStatements: (arn): PolicyStatement[] => [
          { Sid: 'CloudTrailAclCheck', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: arn, Condition: { StringEquals: { 'aws:SourceArn': trailArn } } },
          {
            Sid: 'CloudTrailWrite',
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: pulumi.interpolate`${arn}/cloudtrail/AWSLogs/${a.accountId}/*`,
            Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
          },
          {
            Sid: 'ConfigAclCheck',
            Effect: 'Allow',
            Principal: { Service: 'config.amazonaws.com' },
            Action: ['s3:GetBucketAcl', 's3:ListBucket'],
            Resource: arn,
            Condition: { StringEquals: { 'aws:SourceAccount': a.accountId } },
          },
          {
            Sid: 'ConfigWrite',
            Effect: 'Allow',
            Principal: { Service: 'config.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: pulumi.interpolate`${arn}/config/AWSLogs/${a.accountId}/Config/*`,
            Condition: { StringEquals: { 'aws:SourceAccount': a.accountId } },
          },
        ],
      },
      child,
    );
    this.auditBucketName = audit.name;

    const trailLogs = new aws.cloudwatch.LogGroup(
      'trail-logs',
      { name: `/platform/${a.envName}/cloudtrail`, retentionInDays: TRAIL_LOG_RETENTION_DAYS, kmsKeyId: a.logsKeyArn, tags: a.tags },
      child,
    );
    const trailLogsRole = new aws.iam.Role(
      'trail-logs-role',
      {
        name: trailLogsRoleName(a.envName),
        assumeRolePolicy: policyJson(serviceTrust('cloudtrail.amazonaws.com', { StringEquals: { 'aws:SourceArn': trailArn, 'aws:SourceAccount': a.accountId } })),
        tags: a.tags,
      },
      child,
    );
    const trailLogsGrant = new aws.iam.RolePolicy(
      'trail-logs-role-policy',
      { role: trailLogsRole.name, policy: policyJson(doc(...trailLogsPolicy(trailLogs.arn, a.accountId))) },
      child,
    );

    const trail = new aws.cloudtrail.Trail(
      'trail',
      {
        name: a.trailName,
        s3BucketName: audit.name,
        s3KeyPrefix: 'cloudtrail',
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
        kmsKeyId: a.logsKeyArn,
        // CloudTrail needs the log-stream wildcard on the group ARN.
        cloudWatchLogsGroupArn: pulumi.interpolate`${trailLogs.arn}:*`,
        cloudWatchLogsRoleArn: trailLogsRole.arn,
        tags: a.tags,
      },
      { ...child, dependsOn: [audit.policy, trailLogsGrant] },
    );
    this.trailArn = trail.arn;

    const configRole = new aws.iam.Role('config-role', { name: configRoleName(a.envName), assumeRolePolicy: policyJson(serviceTrust('config.amazonaws.com')), tags: a.tags }, child);
    new aws.iam.RolePolicyAttachment('config-role-managed', { role: configRole.name, policyArn: 'arn:aws:iam::aws:policy/service-role/AWS_ConfigRole' }, child);
    new aws.iam.RolePolicy(
      'config-role-delivery',
      {
        role: configRole.name,
        policy: policyJson(
          doc(
            { Sid: 'DeliverSnapshots', Effect: 'Allow', Action: 's3:PutObject', Resource: pulumi.interpolate`${audit.arn}/config/*` },
            { Sid: 'CheckBucket', Effect: 'Allow', Action: 's3:GetBucketAcl', Resource: audit.arn },
            { Sid: 'EncryptSnapshots', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: a.logsKeyArn },
          ),
        ),
      },
      child,
    );
    this.configRoleArn = configRole.arn;
    const recorder = new aws.cfg.Recorder(
      'config-recorder',
      { name: 'platform', roleArn: configRole.arn, recordingGroup: { allSupported: true, includeGlobalResourceTypes: true } },
      child,
    );
    const channel = new aws.cfg.DeliveryChannel(
      'config-delivery',
      { name: 'platform', s3BucketName: audit.name, s3KeyPrefix: 'config', s3KmsKeyArn: a.logsKeyArn },
      { ...child, dependsOn: [recorder, audit.policy] },
    );
    const status = new aws.cfg.RecorderStatus('config-recorder-status', { name: recorder.name, isEnabled: true }, { ...child, dependsOn: [channel] });
    const rules: Array<[string, string, Record<string, string>?]> = [
      ['eks-endpoint-no-public-access', 'EKS_ENDPOINT_NO_PUBLIC_ACCESS'],
      ['eks-secrets-encrypted', 'EKS_SECRETS_ENCRYPTED'],
      ['eks-cluster-logging-enabled', 'EKS_CLUSTER_LOGGING_ENABLED'],
      ['eks-cluster-supported-version', 'EKS_CLUSTER_SUPPORTED_VERSION', { oldestVersionSupported: a.clusterVersion }],
    ];
    for (const [ruleName, identifier, params] of rules) {
      new aws.cfg.Rule(
        `config-rule-${ruleName}`,
        { name: ruleName, source: { owner: 'AWS', sourceIdentifier: identifier }, ...(params ? { inputParameters: JSON.stringify(params) } : {}), tags: a.tags },
        { ...child, dependsOn: [status] },
      );
    }
    this.configRecorderName = recorder.name;

    const detector = new aws.guardduty.Detector('guardduty', { enable: true, findingPublishingFrequency: 'FIFTEEN_MINUTES', tags: a.tags }, child);
    for (const feature of GUARDDUTY_FEATURES) {
      new aws.guardduty.DetectorFeature(
        `guardduty-${feature.toLowerCase()}`,
        {
          detectorId: detector.id,
          name: feature,
          status: 'ENABLED',
          ...(feature === 'RUNTIME_MONITORING' ? { additionalConfigurations: [{ name: 'EKS_ADDON_MANAGEMENT', status: 'DISABLED' }] } : {}),
        },
        child,
      );
    }
    this.guardDutyDetectorId = detector.id;

    const hub = new aws.securityhub.Account('security-hub', { enableDefaultStandards: false, autoEnableControls: true }, child);
    for (const [key, arn] of [
      ['fsbp', `arn:aws:securityhub:${a.region}::standards/aws-foundational-security-best-practices/v/1.0.0`],
      ['cis', `arn:aws:securityhub:${a.region}::standards/cis-aws-foundations-benchmark/v/3.0.0`],
    ] as const) {
      new aws.securityhub.StandardsSubscription(`security-hub-${key}`, { standardsArn: arn }, { ...child, dependsOn: [hub] });
    }

    new aws.ebs.EncryptionByDefault('ebs-encryption-by-default', { enabled: true }, child);
    new aws.ebs.DefaultKmsKey('ebs-default-key', { keyArn: a.ebsKeyArn }, child);
    new aws.s3.AccountPublicAccessBlock(
      'account-public-access-block',
      { accountId: a.accountId, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    // IAM Access Analyzer for the account (CIS 1.20; the guardrail SCP already protects DeleteAnalyzer).
    new aws.accessanalyzer.Analyzer('access-analyzer', { analyzerName: `platform-${a.envName}`, type: 'ACCOUNT', tags: a.tags }, child);
    // Inspector2 scans EC2 instances (nodes, the runner) and ECR images; phase 9's inspector rule reads its findings.
    new aws.inspector2.Enabler('inspector', { accountIds: [a.accountId], resourceTypes: [...INSPECTOR_RESOURCE_TYPES] }, child);
    this.registerOutputs({ trailArn: this.trailArn, guardDutyDetectorId: this.guardDutyDetectorId });
  }
}

export interface GuardDutyEndpointArgs {
  accountId: string;
  region: string;
  vpcId: pulumi.Input<string>;
  subnetIds: pulumi.Input<string[]>;
  /** A group admitting HTTPS from the VPC CIDR (the interface endpoints' group). */
  securityGroupId: pulumi.Input<string>;
  tags: Record<string, string>;
}

/**
 * The interface endpoint the GuardDuty security agent sends runtime events to, which GuardDuty
 * requires before a manually managed agent is installed: `com.amazonaws.<region>.guardduty-data`,
 * private DNS, in the cluster's VPC, with the endpoint policy of the GuardDuty guide (usable by
 * principals of this account only). Source: GuardDuty user guide, "Prerequisite - Creating an
 * Amazon VPC endpoint" (eksrunmon-prereq-deploy-security-agent).
 */
export function guardDutyDataEndpoint(name: string, a: GuardDutyEndpointArgs, opts: pulumi.CustomResourceOptions): aws.ec2.VpcEndpoint {
  return new aws.ec2.VpcEndpoint(
    name,
    {
      vpcId: a.vpcId,
      serviceName: `com.amazonaws.${a.region}.guardduty-data`,
      vpcEndpointType: 'Interface',
      privateDnsEnabled: true,
      subnetIds: a.subnetIds,
      securityGroupIds: [a.securityGroupId],
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Action: '*', Resource: '*', Effect: 'Allow', Principal: '*' },
          { Condition: { StringNotEquals: { 'aws:PrincipalAccount': a.accountId } }, Action: '*', Resource: '*', Effect: 'Deny', Principal: '*' },
        ],
      }),
      tags: { ...a.tags, Name: 'guardduty-data' },
    },
    opts,
  );
}
