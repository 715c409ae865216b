/**
 * One responder: its log group (retention, KMS), its DLQ (SQS, KMS), its role (trust: Lambda of
 * this account; inline policy from policies.ts), the function (Node.js 22 on arm64, the esbuild
 * bundle as a FileArchive with its sha256 as code hash, reserved concurrency, X-Ray, environment
 * encrypted with the platform key, JSON logs into its own group, async failures to the DLQ), its
 * async retry settings, and alarms on Errors, Throttles and DLQ depth to the alerts topic.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { LambdaName } from '../../lambdas/bundle.js';
import { policyJson } from '../shared/iam-docs.js';
import { iamName } from '../shared/naming.js';
import { lambdaTrust, responderPolicy, type PolicyContext } from './policies.js';

export interface ResponderSpec {
  name: LambdaName;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Reserved concurrency: caps what a flood of events can do (and cost). */
  concurrency: number;
  environment: Record<string, pulumi.Input<string>>;
}

export interface ResponderArgs {
  envName: string;
  region: string;
  accountId: string;
  keyArn: string;
  alertsTopicArn: string;
  tableArn: pulumi.Input<string>;
  quarantineGroupId: pulumi.Input<string>;
  gateProbeBuckets: string[];
  gateProbePrefix: string;
  logRetentionDays: number;
  code: { dir: string; sha256: string };
  tags: Record<string, string>;
}

export const functionName = (env: string, fn: LambdaName): string => `platform-${env}-${fn}`;
/** DLQ messages are kept 14 days, SQS's maximum, so an operator back from a weekend still has them. */
export const DLQ_RETENTION_SECONDS = 1_209_600;
/** Async invocations: 2 retries (Lambda's maximum), events older than an hour are dropped to the DLQ. */
export const ASYNC_RETRIES = 2;
export const MAX_EVENT_AGE_SECONDS = 3600;

export class Responder extends pulumi.ComponentResource {
  readonly fn: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly dlq: aws.sqs.Queue;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(spec: ResponderSpec, a: ResponderArgs, opts: pulumi.ComponentResourceOptions) {
    super('platform:automation:Responder', spec.name, {}, opts);
    const o = { parent: this };
    const name = functionName(a.envName, spec.name);
    const tags = { ...a.tags, 'platform:function': spec.name };
    const logGroup = new aws.cloudwatch.LogGroup(`${spec.name}-logs`, { name: `/aws/lambda/${name}`, retentionInDays: a.logRetentionDays, kmsKeyId: a.keyArn, tags }, o);
    this.dlq = new aws.sqs.Queue(
      `${spec.name}-dlq`,
      { name: `${name}-dlq`, kmsMasterKeyId: a.keyArn, kmsDataKeyReusePeriodSeconds: 300, messageRetentionSeconds: DLQ_RETENTION_SECONDS, tags },
      o,
    );
    const ctx: PolicyContext = {
      region: a.region,
      accountId: a.accountId,
      envName: a.envName,
      functionName: name,
      logGroupArn: `arn:aws:logs:${a.region}:${a.accountId}:log-group:/aws/lambda/${name}`,
      dlqArn: this.dlq.arn,
      tableArn: a.tableArn,
      alertsTopicArn: a.alertsTopicArn,
      keyArn: a.keyArn,
      quarantineGroupId: a.quarantineGroupId,
      gateProbeBuckets: a.gateProbeBuckets,
      gateProbePrefix: a.gateProbePrefix,
    };
    this.role = new aws.iam.Role(
      `${spec.name}-role`,
      { name: iamName(`${name}`), description: spec.description, assumeRolePolicy: policyJson(lambdaTrust(a.accountId)), maxSessionDuration: 3600, tags },
      o,
    );
    const policy = new aws.iam.RolePolicy(`${spec.name}-policy`, { role: this.role.name, policy: policyJson(responderPolicy(spec.name, ctx)) }, o);
    this.fn = new aws.lambda.Function(
      spec.name,
      {
        name,
        description: spec.description,
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        handler: 'index.handler',
        code: new pulumi.asset.FileArchive(a.code.dir),
        sourceCodeHash: a.code.sha256,
        role: this.role.arn,
        timeout: spec.timeoutSeconds,
        memorySize: spec.memoryMb,
        reservedConcurrentExecutions: spec.concurrency,
        kmsKeyArn: a.keyArn,
        environment: { variables: { PLATFORM_ENV: a.envName, NODE_OPTIONS: '--enable-source-maps', ...spec.environment } },
        tracingConfig: { mode: 'Active' },
        deadLetterConfig: { targetArn: this.dlq.arn },
        loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
        tags,
      },
      { ...o, dependsOn: [logGroup, policy] },
    );
    new aws.lambda.FunctionEventInvokeConfig(`${spec.name}-async`, { functionName: this.fn.name, maximumRetryAttempts: ASYNC_RETRIES, maximumEventAgeInSeconds: MAX_EVENT_AGE_SECONDS }, o);
    const alarm = (suffix: string, ns: string, metric: string, dims: Record<string, pulumi.Input<string>>, stat: string, what: string) =>
      new aws.cloudwatch.MetricAlarm(
        `${spec.name}-${suffix}`,
        {
          name: `${name}-${suffix}`,
          alarmDescription: `${name}: ${what}`,
          namespace: ns,
          metricName: metric,
          dimensions: dims,
          statistic: stat,
          period: 300,
          evaluationPeriods: 1,
          threshold: 0,
          comparisonOperator: 'GreaterThanThreshold',
          treatMissingData: 'notBreaching',
          alarmActions: [a.alertsTopicArn],
          okActions: [a.alertsTopicArn],
          tags,
        },
        o,
      );
    this.alarms = [
      alarm('errors', 'AWS/Lambda', 'Errors', { FunctionName: this.fn.name }, 'Sum', 'the function failed'),
      alarm('throttles', 'AWS/Lambda', 'Throttles', { FunctionName: this.fn.name }, 'Sum', 'invocations were throttled (reserved concurrency reached)'),
      alarm('dlq', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: this.dlq.name }, 'Maximum', 'events in the dead-letter queue'),
    ];
    this.registerOutputs({ arn: this.fn.arn });
  }
}
