/**
 * Phase 9 gates against moto (EventBridge rules and targets, Lambda functions and their resource
 * policies, SQS DLQs, EventBridge Scheduler), built with the program's own names, patterns and
 * wiring. Two calls moto cannot answer go through the gates' `AutomationCalls` port, said plainly:
 * TestEventPattern (moto raises NotImplemented) is answered by the EventBridge matcher of
 * programs/09-automation/event-pattern.ts (documented semantics, cross-checked against moto's rule
 * matching in test/lambdas/patterns.test.ts), and Invoke (moto needs Docker to run a function) runs
 * the real handler module in process against the same moto. moto's Lambda does not model
 * DeadLetterConfig (it drops it on CreateFunction), so a middleware on the probe's Lambda client puts
 * back, in GetFunction answers, the TargetArn the function was created with, as AWS returns it
 * (GetFunction, FunctionConfiguration.DeadLetterConfig). A healthy build passes all three
 * gates; a disabled rule, a lost permission, a target without its DLQ, a drifted pattern, a
 * function that fails its scratch event and a DLQ with a message each fail, named.
 */
import { strict as assert } from 'node:assert';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DisableRuleCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient, RemovePermissionCommand } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { automationGates, type AutomationCalls } from '../../programs/09-automation/gates.js';
import { matchesPattern } from '../../programs/09-automation/event-pattern.js';
import { eventPatterns, RULE_TARGETS, RULES, type RuleName } from '../../programs/09-automation/patterns.js';
import { ruleName, TARGET_RETRY } from '../../programs/09-automation/program.js';
import type { Phase9Outputs } from '../../programs/09-automation/phase.js';
import { functionName } from '../../programs/09-automation/responders.js';
import { LAMBDA_NAMES, type LambdaName } from '../../lambdas/bundle.js';
import { createAlertResponder } from '../../lambdas/src/alert-responder.js';
import { createBackupWatcher } from '../../lambdas/src/backup-watcher.js';
import { createCleanup } from '../../lambdas/src/cleanup.js';
import { createInterruptionResponder } from '../../lambdas/src/interruption-responder.js';
import { dynamoIdempotency } from '../../lambdas/src/shared/idempotency.js';
import { snsNotifier } from '../../lambdas/src/shared/notify.js';
import { createProbes } from '../../src/gates/probes/index.js';
import { runGates, type GatedPhase } from '../../src/gates/run-gates.js';
import type { GateResult } from '../../src/core/gate.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testEnv } from '../helpers/env-fixtures.js';
import { motoConfig, startMoto, TEST_CREDENTIALS, type Moto } from './moto.js';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const VAULTS = { primary: `arn:aws:backup:${REGION}:${ACCOUNT}:backup-vault:platform-stg`, dr: `arn:aws:backup:eu-central-1:${ACCOUNT}:backup-vault:platform-stg-dr` };
/** The smallest valid zip (an empty archive): moto stores the code, it never runs it. */
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]);
const ALL = ['rules-wired', 'patterns-behave', 'responders-answer'];

interface Built {
  outputs: Phase9Outputs;
  calls: AutomationCalls;
  /** What each function was created with as its DLQ (moto forgets it). */
  dlqByFunction: Map<string, string | undefined>;
}

interface Faults {
  /** The function was created without its DLQ. */
  noFunctionDlq?: LambdaName;
  disabledRule?: RuleName;
  noPermissionFor?: RuleName;
  targetWithoutDlq?: RuleName;
  /** Deploys this rule with GuardDuty's medium severities too. */
  widenedGuardDuty?: boolean;
  dlqMessageFor?: LambdaName;
}

describe('phase 9 gates (against the moto AWS emulator)', function () {
  this.timeout(120_000);
  let moto: Moto;
  before(async () => (moto = await startMoto()));
  after(() => moto?.stop());
  beforeEach(() => moto.reset());

  async function build(f: Faults = {}): Promise<Built> {
    const c = motoConfig(moto, REGION);
    const sqs = new SQSClient(c);
    const lambda = new LambdaClient(c);
    const events = new EventBridgeClient(c);
    const roleArn = (await new IAMClient(c).send(new CreateRoleCommand({ RoleName: 'platform-stg-responder', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }))).Role!.Arn!;
    const functionArns = {} as Record<LambdaName, string>;
    const dlqArns = {} as Record<LambdaName, string>;
    for (const fn of LAMBDA_NAMES) {
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: `${functionName('stg', fn)}-dlq` }))).QueueUrl!;
      dlqArns[fn] = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      if (f.dlqMessageFor === fn) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"failed":"delivery"}' }));
      const created = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: functionName('stg', fn),
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          Role: roleArn,
          Code: { ZipFile: EMPTY_ZIP },
          TracingConfig: { Mode: 'Active' },
          ...(f.noFunctionDlq === fn ? {} : { DeadLetterConfig: { TargetArn: dlqArns[fn] } }),
        }),
      );
      functionArns[fn] = created.FunctionArn!;
    }
    const patterns = eventPatterns({ backupVaultArns: VAULTS });
    if (f.widenedGuardDuty) patterns.guardduty = { ...patterns.guardduty, detail: { severity: [{ numeric: ['>=', 4] }] } };
    const ruleArns = {} as Record<RuleName, string>;
    for (const r of RULES) {
      const Name = ruleName('stg', r);
      ruleArns[r] = (await events.send(new PutRuleCommand({ Name, EventPattern: JSON.stringify(patterns[r]), State: 'ENABLED' }))).RuleArn!;
      const fn = RULE_TARGETS[r];
      await events.send(
        new PutTargetsCommand({
          Rule: Name,
          Targets: [{ Id: fn, Arn: functionArns[fn], RetryPolicy: { MaximumRetryAttempts: TARGET_RETRY.maximumRetryAttempts, MaximumEventAgeInSeconds: TARGET_RETRY.maximumEventAgeInSeconds }, ...(f.targetWithoutDlq === r ? {} : { DeadLetterConfig: { Arn: dlqArns[fn] } }) }],
        }),
      );
      await lambda.send(new AddPermissionCommand({ FunctionName: functionName('stg', fn), StatementId: `${r}-invoke`, Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: ruleArns[r], SourceAccount: ACCOUNT }));
      if (f.noPermissionFor === r) await lambda.send(new RemovePermissionCommand({ FunctionName: functionName('stg', fn), StatementId: `${r}-invoke` }));
      if (f.disabledRule === r) await events.send(new DisableRuleCommand({ Name }));
    }
    const schedule = await new SchedulerClient(c).send(
      new CreateScheduleCommand({
        Name: 'platform-stg-cleanup-daily',
        ScheduleExpression: 'cron(30 4 * * ? *)',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 30 },
        State: 'ENABLED',
        Target: { Arn: functionArns.cleanup, RoleArn: roleArn, Input: '{"dryRun":false}', DeadLetterConfig: { Arn: dlqArns.cleanup }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } },
      }),
    );

    // What the functions need to answer their scratch events, and the in-process invoke.
    const ddb = new DynamoDBClient(c);
    await ddb.send(new CreateTableCommand({ TableName: 'platform-stg-lambda-idempotency', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
    const topic = (await new SNSClient(c).send(new CreateTopicCommand({ Name: 'platform-stg-alerts' }))).TopicArn!;
    const log = { info() {}, warn() {}, error() {} };
    const notifier = snsNotifier(new SNSClient(c), topic);
    const idem = (fn: string) => dynamoIdempotency(ddb, { table: 'platform-stg-lambda-idempotency', fn, lockSeconds: 60, ttlSeconds: 3600 });
    const handlers: Record<LambdaName, (e: any) => Promise<unknown>> = {
      'alert-responder': createAlertResponder({ ec2: new EC2Client(c), notifier, idempotency: idem('alert-responder'), log, quarantineGroupId: 'sg-0quarantine', quarantineVpcId: 'vpc-0primary', envName: 'stg' }),
      'backup-watcher': createBackupWatcher({ notifier, idempotency: idem('backup-watcher'), log, vaultArns: [VAULTS.primary, VAULTS.dr], envName: 'stg' }),
      'interruption-responder': createInterruptionResponder({ ec2: new EC2Client(c), notifier, idempotency: idem('interruption-responder'), log, envName: 'stg' }),
      cleanup: createCleanup({ ec2: new EC2Client(c), ecr: new ECRClient(c), s3: new S3Client(c), log, config: { envName: 'stg', volumeMinAgeDays: 7, snapshotRetentionDays: 30, ecrUntaggedMinAgeDays: 14, gateProbeBuckets: [], gateProbePrefix: 'platform-gate-probes/', gateProbeMaxAgeHours: 24 } }),
    };
    const byArn = new Map(LAMBDA_NAMES.map((fn) => [functionArns[fn], fn]));
    const calls: AutomationCalls = {
      testEventPattern: async (_aws, pattern, event) => matchesPattern(JSON.parse(pattern), event),
      async invoke(_aws, arn, payload) {
        const fn = byArn.get(arn)!;
        try {
          return { payload: JSON.parse(JSON.stringify((await handlers[fn](JSON.parse(JSON.stringify(payload)))) ?? null)) };
        } catch (e) {
          return { functionError: 'Unhandled', payload: { errorMessage: (e as Error).message } };
        }
      },
    };
    const outputs = phaseOutputs(ruleArns, functionArns, dlqArns, schedule.ScheduleArn!);
    return { outputs, calls, dlqByFunction: new Map(LAMBDA_NAMES.map((fn) => [functionArns[fn], f.noFunctionDlq === fn ? undefined : dlqArns[fn]])) };
  }

  function phaseOutputs(ruleArns: Record<RuleName, string>, functionArns: Record<LambdaName, string>, dlqArns: Record<LambdaName, string>, scheduleArn: string): Phase9Outputs {
    return { ruleArns, functionArns, functionRoleArns: {}, dlqArns, scheduleArns: { cleanup: scheduleArn }, alarmArns: [] } as Phase9Outputs;
  }

  async function run({ outputs, calls, dlqByFunction }: Built, only = ALL) {
    const env = testEnv();
    const phase9: GatedPhase = { id: 9, gates: automationGates(calls) };
    const probes = createProbes(env, outputs, { awsEndpoint: moto.endpoint, awsCredentials: TEST_CREDENTIALS });
    probes.aws.client(LambdaClient).middlewareStack.add(
      (next, context) => async (args) => {
        const res = await next(args);
        const out = res.output as { Configuration?: { FunctionArn?: string; DeadLetterConfig?: { TargetArn?: string } } };
        const dlq = dlqByFunction.get(out.Configuration?.FunctionArn ?? '');
        if (context.commandName === 'GetFunctionCommand' && out.Configuration && dlq) out.Configuration.DeadLetterConfig = { TargetArn: dlq };
        return res;
      },
      { step: 'initialize', name: 'motoKeepsNoDeadLetterConfig' },
    );
    const clock = new FakeClock();
    const results = await runGates(phase9, { env, outputs, probes, clock, signal: new AbortController().signal, simulated: false, emit: () => {}, only });
    return { r: Object.fromEntries(results.map((x) => [x.gate, x])) as Record<string, GateResult>, clock };
  }

  it('passes on the wiring the program builds: rules, targets, permissions, functions, schedule, patterns, scratch answers, empty DLQs', async () => {
    const built = await build();
    const { r, clock } = await run(built);
    for (const n of ALL) assert.equal(r[n]!.status, 'pass', `${n}: ${r[n]!.evidence.join(' | ')}`);
    assert.equal(clock.sleeps.length, 0);
    assert.ok(r['rules-wired']!.evidence.includes('rule platform-stg-guardduty: ENABLED, GuardDuty Finding -> alert-responder (DLQ, 8 retries)'));
    assert.ok(r['rules-wired']!.evidence.some((e) => /^schedule platform-stg-cleanup-daily: ENABLED, cron\(30 4 \* \* \? \*\) -> cleanup$/.test(e)));
    assert.equal(r['patterns-behave']!.evidence.length, RULES.length);
    assert.deepEqual(r['responders-answer']!.evidence.filter((e) => e.startsWith('function ')).sort(), [
      "function alert-responder: action 'sample-ignored'",
      "function backup-watcher: action 'ignored-other-vault'",
      'function cleanup: a dry-run report',
      'function interruption-responder: no instance handled',
    ]);
  });

  it('wiring drift fails at once, each named: a disabled rule, a lost invoke permission, a target without its DLQ', async () => {
    const built = await build({ disabledRule: 'health', noPermissionFor: 'copyFailed', targetWithoutDlq: 'inspector', noFunctionDlq: 'cleanup' });
    const { outputs } = built;
    const { r, clock } = await run(built, ['rules-wired']);
    const w = r['rules-wired']!;
    assert.equal(w.status, 'fail');
    assert.equal(clock.sleeps.length, 0, 'drift is terminal');
    assert.ok(w.evidence.includes('function backup-watcher does not let events.amazonaws.com invoke it for rule platform-stg-copyFailed'), w.evidence.join(' | '));
    assert.ok(w.evidence.includes('rule health (platform-stg-health) is DISABLED'));
    assert.ok(w.evidence.includes(`rule inspector: target DLQ is none, not ${outputs.dlqArns['alert-responder']}`));
    assert.ok(w.evidence.includes(`function cleanup: DLQ is none, not ${outputs.dlqArns.cleanup}`));
    assert.match(w.hint!, /platform up --phase 9/);
  });

  it('a deployed pattern wider than the program says (GuardDuty medium severities) fails the patterns gate', async () => {
    const built = await build({ widenedGuardDuty: true });
    const { r } = await run(built, ['patterns-behave']);
    assert.equal(r['patterns-behave']!.status, 'fail');
    assert.equal(r['patterns-behave']!.evidence[0], 'rule guardduty: its pattern matches a near miss (GuardDuty Finding) it must reject');
  });

  it('a DLQ holding a failed delivery, and a function that fails its scratch event, fail the end-to-end gate', async () => {
    const built = await build({ dlqMessageFor: 'backup-watcher' });
    const { outputs, calls } = built;
    const broken: AutomationCalls = {
      ...calls,
      invoke: async (aws, arn, payload) => (arn === outputs.functionArns['interruption-responder'] ? { functionError: 'Unhandled', payload: { errorMessage: 'boom' } } : calls.invoke(aws, arn, payload)),
    };
    const { r } = await run({ ...built, calls: broken }, ['rules-wired', 'responders-answer']);
    const e = r['responders-answer']!;
    assert.equal(e.status, 'fail');
    assert.ok(e.evidence.some((x) => x.startsWith('function interruption-responder failed on its scratch event: Unhandled')), e.evidence.join(' | '));
    assert.ok(e.evidence.includes('DLQ of backup-watcher holds 1 message(s): failed deliveries to read before they expire'));
  });
});
