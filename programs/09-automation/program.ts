/**
 * Phase 9 program: the quarantine security group (no rules: no traffic in or out), the idempotency
 * table, the four responders (responders.ts), one EventBridge rule per event source with its exact
 * pattern (patterns.ts) targeting its responder with a DLQ and a retry policy, the invoke
 * permission for that rule only, the DLQs' resource policies for those rules, and the daily cleanup
 * schedule (EventBridge Scheduler, with its own role, retries and DLQ). Nothing runs at import.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { bundleFolder, LAMBDA_NAMES, type LambdaName } from '../../lambdas/bundle.js';
import { pinnedProvider } from '../shared/aws-provider.js';
import { policyJson } from '../shared/iam-docs.js';
import { iamName } from '../shared/naming.js';
import { eventPatterns, RULE_TARGETS, RULES, type RuleName } from './patterns.js';
import type { Phase9Inputs } from './phase.js';
import { dlqPolicy, schedulerPolicy, schedulerTrust } from './policies.js';
import { functionName, Responder, type ResponderSpec } from './responders.js';

/** EventBridge delivery: retried for up to an hour (8 attempts), then to the responder's DLQ. */
export const TARGET_RETRY = { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 3600 };
export const CLEANUP_SCHEDULE = 'cron(30 4 * * ? *)';
export const GATE_PROBE_PREFIX = 'platform-gate-probes/';
export const ruleName = (env: string, rule: RuleName): string => `platform-${env}-${rule}`;
export const tableName = (env: string): string => `platform-${env}-lambda-idempotency`;

export async function program(i: Phase9Inputs): Promise<Record<string, unknown>> {
  const provider = pinnedProvider('aws-env', { region: i.region, accountId: i.accountId, roleArn: i.deployRoleArn, sessionName: `platform-${i.envName}-09-automation` });
  const opts = { provider };
  const tags = i.tags;

  const quarantine = new aws.ec2.SecurityGroup(
    'quarantine',
    {
      name: `platform-${i.envName}-quarantine`,
      description: 'Quarantine: no inbound or outbound traffic (phase 9 alert responder)',
      vpcId: i.vpcId,
      ingress: [],
      egress: [],
      revokeRulesOnDelete: true,
      tags: { ...tags, Name: `platform-${i.envName}-quarantine` },
    },
    opts,
  );
  const table = new aws.dynamodb.Table(
    'idempotency',
    {
      name: tableName(i.envName),
      billingMode: 'PAY_PER_REQUEST',
      hashKey: 'pk',
      attributes: [{ name: 'pk', type: 'S' }],
      ttl: { attributeName: 'expiresAt', enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: i.logsKmsKeyArn },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: i.envName === 'prod',
      tags,
    },
    opts,
  );

  const common = {
    IDEMPOTENCY_TABLE: table.name,
    ALERTS_TOPIC_ARN: i.alertsTopicArn,
  };
  const specs: Record<LambdaName, ResponderSpec> = {
    'alert-responder': {
      name: 'alert-responder',
      description: 'Isolates instances named by high-severity GuardDuty/Security Hub findings, snapshots their volumes, notifies',
      timeoutSeconds: 120,
      memoryMb: 256,
      concurrency: 5,
      environment: { ...common, QUARANTINE_SECURITY_GROUP_ID: quarantine.id, QUARANTINE_VPC_ID: i.vpcId, LOCK_SECONDS: '240' },
    },
    'backup-watcher': { name: 'backup-watcher', description: 'Notifies failed AWS Backup and copy jobs of the platform vaults', timeoutSeconds: 30, memoryMb: 128, concurrency: 2, environment: { ...common, BACKUP_VAULT_ARNS: `${i.backupVaultArns.primary},${i.backupVaultArns.dr}`, LOCK_SECONDS: '60' } },
    'interruption-responder': { name: 'interruption-responder', description: 'Tags instances with spot interruption and scheduled-change notices, notifies', timeoutSeconds: 30, memoryMb: 128, concurrency: 5, environment: { ...common, LOCK_SECONDS: '60' } },
    cleanup: {
      name: 'cleanup',
      description: 'Deletes unattached CSI volumes, snapshots past retention, untagged ECR images, expired gate probe objects',
      timeoutSeconds: 600,
      memoryMb: 256,
      concurrency: 1,
      environment: {
        SNAPSHOT_RETENTION_DAYS: String(i.snapshotRetentionDays),
        VOLUME_MIN_AGE_DAYS: '7',
        ECR_UNTAGGED_MIN_AGE_DAYS: '14',
        GATE_PROBE_BUCKETS: i.gateProbeBuckets.join(','),
        GATE_PROBE_PREFIX: GATE_PROBE_PREFIX,
        GATE_PROBE_MAX_AGE_HOURS: '24',
      },
    },
  };

  const responders = {} as Record<LambdaName, Responder>;
  for (const fn of LAMBDA_NAMES) {
    const { dir, bundle } = await bundleFolder(fn);
    responders[fn] = new Responder(
      specs[fn],
      {
        envName: i.envName,
        region: i.region,
        accountId: i.accountId,
        keyArn: i.logsKmsKeyArn,
        alertsTopicArn: i.alertsTopicArn,
        tableArn: table.arn,
        quarantineGroupId: quarantine.id,
        gateProbeBuckets: i.gateProbeBuckets,
        gateProbePrefix: GATE_PROBE_PREFIX,
        logRetentionDays: i.logRetentionDays,
        code: { dir, sha256: bundle.sha256 },
        tags,
      },
      opts,
    );
  }

  const patterns = eventPatterns({ backupVaultArns: i.backupVaultArns });
  const rules = {} as Record<RuleName, aws.cloudwatch.EventRule>;
  for (const r of RULES) {
    const target = responders[RULE_TARGETS[r]];
    const rule = new aws.cloudwatch.EventRule(r, { name: ruleName(i.envName, r), description: `phase 9: ${r} -> ${functionName(i.envName, RULE_TARGETS[r])}`, eventPattern: JSON.stringify(patterns[r]), state: 'ENABLED', tags }, opts);
    new aws.lambda.Permission(`${r}-invoke`, { action: 'lambda:InvokeFunction', function: target.fn.name, principal: 'events.amazonaws.com', sourceArn: rule.arn, sourceAccount: i.accountId }, opts);
    new aws.cloudwatch.EventTarget(`${r}-target`, { rule: rule.name, targetId: RULE_TARGETS[r], arn: target.fn.arn, deadLetterConfig: { arn: target.dlq.arn }, retryPolicy: TARGET_RETRY }, opts);
    rules[r] = rule;
  }
  for (const fn of LAMBDA_NAMES) {
    const mine = RULES.filter((r) => RULE_TARGETS[r] === fn).map((r) => rules[r].arn);
    if (mine.length === 0) continue;
    new aws.sqs.QueuePolicy(`${fn}-dlq-policy`, { queueUrl: responders[fn].dlq.url, policy: policyJson(dlqPolicy(responders[fn].dlq.arn, mine)) }, opts);
  }

  const cleanup = responders.cleanup;
  const schedulerRole = new aws.iam.Role(
    'cleanup-scheduler',
    { name: iamName(`platform-${i.envName}-cleanup-scheduler`), description: 'EventBridge Scheduler: invokes the cleanup function', assumeRolePolicy: policyJson(schedulerTrust(i.accountId)), tags },
    opts,
  );
  const schedulerRolePolicy = new aws.iam.RolePolicy('cleanup-scheduler', { role: schedulerRole.name, policy: policyJson(schedulerPolicy(cleanup.fn.arn, cleanup.dlq.arn, i.logsKmsKeyArn)) }, opts);
  const schedule = new aws.scheduler.Schedule(
    'cleanup-daily',
    {
      name: `platform-${i.envName}-cleanup-daily`,
      description: 'Daily cleanup (tag-scoped; minimum ages in the function environment)',
      scheduleExpression: CLEANUP_SCHEDULE,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 30 },
      state: 'ENABLED',
      target: {
        arn: cleanup.fn.arn,
        roleArn: schedulerRole.arn,
        input: JSON.stringify({ dryRun: false }),
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: cleanup.dlq.arn },
      },
    },
    { ...opts, dependsOn: [schedulerRolePolicy] },
  );

  const by = <T>(f: (fn: LambdaName) => T) => Object.fromEntries(LAMBDA_NAMES.map((fn) => [fn, f(fn)]));
  return {
    ruleArns: Object.fromEntries(RULES.map((r) => [r, rules[r].arn])),
    functionArns: by((fn) => responders[fn].fn.arn),
    functionRoleArns: by((fn) => responders[fn].role.arn),
    dlqArns: by((fn) => responders[fn].dlq.arn),
    scheduleArns: { cleanup: schedule.arn },
    alarmArns: pulumi.all(LAMBDA_NAMES.flatMap((fn) => responders[fn].alarms.map((a) => a.arn))),
    quarantineSecurityGroupId: quarantine.id,
    idempotencyTableName: table.name,
  };
}
