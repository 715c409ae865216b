/**
 * The env's KMS keys (eksSecrets, ebs, s3, backup, logs), each rotating with an alias, and key
 * policies for the services that use them: CloudWatch Logs and CloudTrail on `logs` (plus EventBridge
 * and CloudWatch for the SNS alerts topic), and use of `ebs` through EC2 by the account's principals,
 * service-linked roles included (without it, encrypted node volumes fail to launch).
 */
import * as pulumi from '@pulumi/pulumi';
import type { PolicyStatement } from '../shared/iam-docs.js';
import { KmsKey } from '../shared/kms-key.js';

export type KeyName = 'eksSecrets' | 'ebs' | 's3' | 'backup' | 'logs';

export interface KeyContext {
  envName: string;
  accountId: string;
  region: string;
  /** CloudTrail trail name (its ARN is fixed by name, so the key can name it before it exists). */
  trailName: string;
  tags: Record<string, string>;
}

const USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/** Statements letting CloudWatch Logs (in `region`) encrypt this account's log groups. */
export function logsServiceStatement(accountId: string, region: string): PolicyStatement {
  return {
    Sid: 'CloudWatchLogs',
    Effect: 'Allow',
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: USE,
    Resource: '*',
    Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${accountId}:log-group:*` } },
  };
}

function logsStatements(k: KeyContext): PolicyStatement[] {
  const trailArn = `arn:aws:cloudtrail:${k.region}:${k.accountId}:trail/${k.trailName}`;
  return [
    logsServiceStatement(k.accountId, k.region),
    {
      Sid: 'CloudTrailEncryptLogs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceArn': trailArn },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${k.accountId}:trail/*` },
      },
    },
    {
      Sid: 'CloudTrailDescribeKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
    },
    {
      Sid: 'AlertPublishers',
      Effect: 'Allow',
      Principal: { Service: ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': k.accountId } },
    },
  ];
}

/**
 * The EBS key: any principal of this account may use it and create grants, but only through EC2 in
 * this region (the shape of the AWS-managed aws/ebs key's policy). That covers the Auto Scaling and
 * Spot service-linked roles, Karpenter's CreateFleet and the EBS CSI driver, without naming a
 * service-linked role: a key policy naming AWSServiceRoleForAutoScaling fails CreateKey with
 * MalformedPolicyDocumentException in a fresh account, where the role does not exist yet (infra
 * review B4; the check `policy-principal-slr-created` rejects that shape).
 */
export function ebsViaEc2Statement(accountId: string, region: string): PolicyStatement {
  return {
    Sid: 'Ec2UseForAccountPrincipals',
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: [...USE, 'kms:CreateGrant'],
    Resource: '*',
    Condition: { StringEquals: { 'kms:ViaService': `ec2.${region}.amazonaws.com`, 'kms:CallerAccount': accountId } },
  };
}

function ebsStatements(k: KeyContext): PolicyStatement[] {
  return [ebsViaEc2Statement(k.accountId, k.region)];
}

/** Creates the five keys of the primary region. */
export function createKeys(k: KeyContext, opts: pulumi.ComponentResourceOptions): Record<KeyName, KmsKey> {
  const make = (name: KeyName, alias: string, description: string, statements: PolicyStatement[] = []) =>
    new KmsKey(
      `kms-${alias}`,
      { description, alias: `platform/${k.envName}/${alias}`, accountId: k.accountId, statements, tags: k.tags },
      opts,
    );
  return {
    eksSecrets: make('eksSecrets', 'eks-secrets', 'Envelope encryption of Kubernetes Secrets'),
    ebs: make('ebs', 'ebs', 'EBS volumes: default key and the gp3 StorageClass', ebsStatements(k)),
    s3: make('s3', 's3', 'S3 buckets of the platform (Loki, artifacts)'),
    backup: make('backup', 'backup', 'AWS Backup vault in the primary region'),
    logs: make('logs', 'logs', 'CloudWatch Logs, CloudTrail, audit bucket and alert topic', logsStatements(k)),
  };
}
