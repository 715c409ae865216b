/**
 * The IAM documents of phase 9, as pure data (checked by the tests and by the static checks before
 * anything exists). Each responder has its own role and inline policy with only what its handler
 * calls (lambdas/src/*), scoped to ARNs, tags and conditions wherever the service authorization
 * reference gives resource-level permissions; Resource "*" only for actions that have none
 * (ec2:Describe*, X-Ray's PutTraceSegments/PutTelemetryRecords). The execution roles trust
 * lambda.amazonaws.com of this account only (aws:SourceAccount).
 */
import * as pulumi from '@pulumi/pulumi';
import { FORENSIC_TAG, ORIGINAL_GROUPS_TAG, QUARANTINE_TAG } from '../../lambdas/src/alert-responder.js';
import { PVC_TAG, FINAL_SNAPSHOT_TAG } from '../../lambdas/src/cleanup.js';
import { NOTICE_TAG } from '../../lambdas/src/interruption-responder.js';
import type { LambdaName } from '../../lambdas/bundle.js';
import { assertLeastPrivilege, doc, type PolicyDocument, type PolicyStatement } from '../shared/iam-docs.js';

/** Actions the service authorization reference lists without resource types: Resource must be "*". */
export const NO_RESOURCE_LEVEL_ACTIONS = ['ec2:DescribeInstances', 'ec2:DescribeSnapshots', 'ec2:DescribeVolumes', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

export interface PolicyContext {
  region: string;
  accountId: string;
  envName: string;
  functionName: string;
  /** `arn:aws:logs:<region>:<account>:log-group:/aws/lambda/<function>` (known before it exists). */
  logGroupArn: string;
  dlqArn: pulumi.Input<string>;
  tableArn: pulumi.Input<string>;
  alertsTopicArn: string;
  /** Encrypts the DLQs, the log groups, the table, the alerts topic and the functions' environment. */
  keyArn: string;
  quarantineGroupId: pulumi.Input<string>;
  gateProbeBuckets: string[];
  gateProbePrefix: string;
}

const ec2Arn = (c: PolicyContext, type: string, id = '*') => `arn:aws:ec2:${c.region}:${c.accountId}:${type}/${id}`;

function common(c: PolicyContext): PolicyStatement[] {
  return [
    { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [c.logGroupArn, `${c.logGroupArn}:*`] },
    { Sid: 'SendToOwnDlq', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: c.dlqArn },
    { Sid: 'Tracing', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
    { Sid: 'UseThePlatformKey', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: c.keyArn },
  ];
}

function notify(c: PolicyContext): PolicyStatement[] {
  return [
    { Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: c.alertsTopicArn },
    { Sid: 'IdempotencyRecords', Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: c.tableArn },
  ];
}

/** Tags a role may put on an instance: only these keys (aws:TagKeys), never others. */
function tagInstances(c: PolicyContext, keys: string[]): PolicyStatement {
  return { Sid: 'TagInstancesWithOwnKeys', Effect: 'Allow', Action: 'ec2:CreateTags', Resource: ec2Arn(c, 'instance'), Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': keys } } };
}

/** Snapshots of volumes in this account, tagged on creation (CreateTags only as part of CreateSnapshot). */
function snapshotVolumes(c: PolicyContext): PolicyStatement[] {
  return [
    { Sid: 'SnapshotVolumes', Effect: 'Allow', Action: 'ec2:CreateSnapshot', Resource: [ec2Arn(c, 'volume'), `arn:aws:ec2:${c.region}::snapshot/*`] },
    { Sid: 'TagNewSnapshots', Effect: 'Allow', Action: 'ec2:CreateTags', Resource: `arn:aws:ec2:${c.region}::snapshot/*`, Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshot' } } },
  ];
}

export function responderPolicy(fn: LambdaName, c: PolicyContext): PolicyDocument {
  let own: PolicyStatement[];
  switch (fn) {
    case 'alert-responder':
      own = [
        { Sid: 'Describe', Effect: 'Allow', Action: ['ec2:DescribeInstances', 'ec2:DescribeSnapshots'], Resource: '*' },
        {
          Sid: 'QuarantineInterfaces',
          Effect: 'Allow',
          Action: 'ec2:ModifyNetworkInterfaceAttribute',
          // The interfaces of this account and region, and as new group only the quarantine group.
          Resource: [ec2Arn(c, 'network-interface'), pulumi.interpolate`arn:aws:ec2:${c.region}:${c.accountId}:security-group/${c.quarantineGroupId}`],
        },
        tagInstances(c, [QUARANTINE_TAG, ORIGINAL_GROUPS_TAG]),
        ...snapshotVolumes(c),
        ...notify(c),
      ];
      break;
    case 'backup-watcher':
      own = notify(c);
      break;
    case 'interruption-responder':
      own = [{ Sid: 'Describe', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }, tagInstances(c, [NOTICE_TAG]), ...notify(c)];
      break;
    case 'cleanup':
      own = [
        { Sid: 'Describe', Effect: 'Allow', Action: ['ec2:DescribeVolumes', 'ec2:DescribeSnapshots'], Resource: '*' },
        // Only volumes the EBS CSI driver created for a PVC.
        { Sid: 'DeleteCsiVolumes', Effect: 'Allow', Action: 'ec2:DeleteVolume', Resource: ec2Arn(c, 'volume'), Condition: { Null: { [`aws:ResourceTag/${PVC_TAG}`]: 'false' } } },
        ...snapshotVolumes(c),
        // Only this env's snapshots (the forensic and final snapshots phase 9 tags).
        { Sid: 'DeleteOwnSnapshots', Effect: 'Allow', Action: 'ec2:DeleteSnapshot', Resource: `arn:aws:ec2:${c.region}::snapshot/*`, Condition: { StringEquals: { 'aws:ResourceTag/platform:env': c.envName } } },
        {
          Sid: 'ExpireUntaggedImages',
          Effect: 'Allow',
          Action: ['ecr:DescribeRepositories', 'ecr:GetLifecyclePolicy', 'ecr:DescribeImages', 'ecr:BatchDeleteImage'],
          Resource: `arn:aws:ecr:${c.region}:${c.accountId}:repository/*`,
        },
        ...(c.gateProbeBuckets.length
          ? [
              { Sid: 'ListGateProbes', Effect: 'Allow' as const, Action: 's3:ListBucketVersions', Resource: c.gateProbeBuckets.map((b) => `arn:aws:s3:::${b}`), Condition: { StringLike: { 's3:prefix': `${c.gateProbePrefix}*` } } },
              { Sid: 'DeleteGateProbes', Effect: 'Allow' as const, Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'], Resource: c.gateProbeBuckets.map((b) => `arn:aws:s3:::${b}/${c.gateProbePrefix}*`) },
            ]
          : []),
      ];
      break;
  }
  return assertLeastPrivilege(`${c.functionName}`, doc(...common(c), ...own));
}

/** Lambda's execution-role trust, limited to this account's functions (the confused-deputy condition). */
export function lambdaTrust(accountId: string): PolicyDocument {
  return doc({ Sid: 'LambdaOfThisAccount', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': accountId } } });
}

/** EventBridge Scheduler's role: invoke the cleanup function, send to its DLQ (encrypted). */
export function schedulerTrust(accountId: string): PolicyDocument {
  return doc({ Sid: 'SchedulerOfThisAccount', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': accountId } } });
}

export function schedulerPolicy(functionArn: pulumi.Input<string>, dlqArn: pulumi.Input<string>, keyArn: string): PolicyDocument {
  return assertLeastPrivilege(
    'scheduler',
    doc(
      { Sid: 'InvokeCleanup', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: functionArn },
      { Sid: 'DeadLetters', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: dlqArn },
      { Sid: 'EncryptDeadLetters', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn },
    ),
  );
}

/** The DLQ's resource policy: EventBridge may send for the rules that target this function only. */
export function dlqPolicy(dlqArn: pulumi.Input<string>, ruleArns: pulumi.Input<string>[]): PolicyDocument {
  return doc({ Sid: 'EventBridgeDeadLetters', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: dlqArn, Condition: { ArnEquals: { 'aws:SourceArn': ruleArns } } });
}

export { FINAL_SNAPSHOT_TAG, FORENSIC_TAG };
