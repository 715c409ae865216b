/**
 * Phase 9's event patterns against AWS's documented sample events and near misses, judged by the
 * EventBridge matcher of programs/09-automation/event-pattern.ts (documented semantics; moto has no
 * TestEventPattern). The matcher itself is checked two ways: against EventBridge's documented
 * operator examples, and against moto's own rule matching (PutEvents on the default bus routed to an
 * SQS target) for every pattern moto evaluates like EventBridge (moto does not descend arrays of
 * objects, so the Security Hub pattern is judged by the documented semantics only).
 */
import { strict as assert } from 'node:assert';
import { DeleteRuleCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { matchesPattern } from '../../programs/09-automation/event-pattern.js';
import { eventPatterns, RULES, type RuleName } from '../../programs/09-automation/patterns.js';
import { motoConfig, startMoto, type Moto } from '../gates/moto.js';
import * as ev from '../../programs/09-automation/sample-events.js';
import type { EventBridgeEvent } from '../../lambdas/src/findings.js';

const PRIMARY = 'arn:aws:backup:us-east-1:123456789012:backup-vault:platform-dev';
const DR = 'arn:aws:backup:us-west-2:123456789012:backup-vault:platform-dev-dr';
const patterns = eventPatterns({ backupVaultArns: { primary: PRIMARY, dr: DR } });
const I = 'i-0123456789abcdef0';

function mutate(e: EventBridgeEvent, f: (e: EventBridgeEvent) => void): EventBridgeEvent {
  const c = JSON.parse(JSON.stringify(e)) as EventBridgeEvent;
  f(c);
  return c;
}

/** Per rule: documented samples that must match, and near misses that must not. */
const CASES: Record<RuleName, { match: [string, EventBridgeEvent][]; miss: [string, EventBridgeEvent][] }> = {
  guardduty: {
    match: [
      ['severity 8 finding', ev.guardDutyFinding({ instanceId: I })],
      ['severity exactly 7', ev.guardDutyFinding({ instanceId: I, severity: 7 })],
      ['critical 9.5', ev.guardDutyFinding({ instanceId: I, severity: 9.5 })],
    ],
    miss: [
      ['severity 6.9 (medium)', ev.guardDutyFinding({ instanceId: I, severity: 6.9 })],
      ['severity as a string', mutate(ev.guardDutyFinding({ instanceId: I }), (e) => (e.detail.severity = '8'))],
      ['another detail-type from GuardDuty', mutate(ev.guardDutyFinding({ instanceId: I }), (e) => (e['detail-type'] = 'GuardDuty Runtime Protection Unhealthy'))],
      ['the same detail from another source', mutate(ev.guardDutyFinding({ instanceId: I }), (e) => (e.source = 'custom.guardduty'))],
    ],
  },
  securityhub: {
    match: [
      ['HIGH, NEW, ACTIVE', ev.securityHubFinding({ instanceId: I })],
      ['CRITICAL', ev.securityHubFinding({ instanceId: I, label: 'CRITICAL' })],
    ],
    miss: [
      ['MEDIUM', ev.securityHubFinding({ instanceId: I, label: 'MEDIUM' })],
      ['workflow NOTIFIED', ev.securityHubFinding({ instanceId: I, workflow: 'NOTIFIED' })],
      ['record ARCHIVED', mutate(ev.securityHubFinding({ instanceId: I }), (e) => (e.detail.findings[0].RecordState = 'ARCHIVED'))],
      ['custom action event', mutate(ev.securityHubFinding({ instanceId: I }), (e) => (e['detail-type'] = 'Security Hub Findings - Custom Action'))],
    ],
  },
  backupFailed: {
    match: [
      ['FAILED in the primary vault (AWS sample)', ev.backupJobFailed(PRIMARY)],
      ['ABORTED in the DR vault', ev.backupJobFailed(DR, 'ABORTED')],
      ['EXPIRED', ev.backupJobFailed(PRIMARY, 'EXPIRED')],
    ],
    miss: [
      ['COMPLETED (AWS sample)', ev.backupJobCompleted(PRIMARY)],
      ['FAILED in a vault the platform does not own', ev.backupJobFailed('arn:aws:backup:us-east-1:123456789012:backup-vault:other')],
      ['a copy job failure', ev.copyJobFailed(PRIMARY, DR)],
    ],
  },
  copyFailed: {
    match: [['FAILED copy from the primary vault (AWS sample)', ev.copyJobFailed(PRIMARY, DR)]],
    miss: [
      ['RUNNING copy', ev.copyJobFailed(PRIMARY, DR, 'RUNNING')],
      ['FAILED copy from another vault', ev.copyJobFailed('arn:aws:backup:us-east-1:123456789012:backup-vault:other', DR)],
      ['a backup job failure', ev.backupJobFailed(PRIMARY)],
    ],
  },
  health: {
    match: [['EC2 scheduled change', ev.healthScheduledChange([I])]],
    miss: [
      ['EC2 issue (not a scheduled change)', ev.healthScheduledChange([I], { category: 'issue' })],
      ['RDS scheduled change', ev.healthScheduledChange([I], { service: 'RDS' })],
    ],
  },
  spotInterruption: {
    match: [
      ['terminate (AWS sample)', ev.spotInterruption(I)],
      ['stop', ev.spotInterruption(I, 'stop')],
    ],
    miss: [['rebalance recommendation', mutate(ev.spotInterruption(I), (e) => (e['detail-type'] = 'EC2 Instance Rebalance Recommendation'))]],
  },
  config: {
    match: [['NON_COMPLIANT', ev.configNonCompliant()]],
    miss: [
      ['COMPLIANT', ev.configNonCompliant('COMPLIANT')],
      ['another message type', mutate(ev.configNonCompliant(), (e) => (e.detail.messageType = 'ConfigRulesEvaluationStarted'))],
    ],
  },
  inspector: {
    match: [['CRITICAL ACTIVE', ev.inspectorFinding()]],
    miss: [
      ['HIGH', ev.inspectorFinding('HIGH')],
      ['CLOSED', ev.inspectorFinding('CRITICAL', 'CLOSED')],
    ],
  },
};

describe('phase 9 event patterns (documented samples and near misses)', () => {
  it('every rule has cases', () => assert.deepEqual(Object.keys(CASES).sort(), [...RULES].sort()));
  for (const rule of RULES) {
    for (const [name, e] of CASES[rule].match) it(`${rule} matches: ${name}`, () => assert.equal(matchesPattern(patterns[rule], e), true));
    for (const [name, e] of CASES[rule].miss) it(`${rule} rejects: ${name}`, () => assert.equal(matchesPattern(patterns[rule], e), false));
  }
  it('no sample event is matched by a rule meant for another responder kind', () => {
    const all = RULES.flatMap((r) => CASES[r].match.map(([, e]) => [r, e] as const));
    for (const [owner, e] of all) {
      const hits = RULES.filter((r) => matchesPattern(patterns[r], e));
      assert.deepEqual(hits, [owner], `${e['detail-type']} matched ${hits.join(', ')}`);
    }
  });
});

describe('the event-pattern matcher against EventBridge documented operator examples', () => {
  const e = { source: 'aws.ec2', detail: { state: 'running', 'c-count': 5, d: null, list: ['a', 'b'], objs: [{ x: 1 }, { x: 2, y: 'z' }], ip: '10.0.0.1' } };
  const cases: [Record<string, unknown>, boolean][] = [
    [{ detail: { state: ['running', 'stopped'] } }, true],
    [{ detail: { state: ['pending'] } }, false],
    [{ detail: { state: [{ prefix: 'run' }] } }, true],
    [{ detail: { state: [{ suffix: 'ing' }] } }, true],
    [{ detail: { state: [{ 'anything-but': 'running' }] } }, false],
    [{ detail: { state: [{ 'anything-but': ['stopped'] }] } }, true],
    [{ detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, false],
    [{ detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } }, true],
    [{ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
    [{ detail: { 'c-count': [{ numeric: ['>', 5] }] } }, false],
    [{ detail: { d: [null] } }, true],
    [{ detail: { missing: [{ exists: false }] } }, true],
    [{ detail: { missing: [{ exists: true }] } }, false],
    [{ detail: { state: [{ exists: true }] } }, true],
    [{ detail: { missing: ['x'] } }, false],
    [{ detail: { list: ['b'] } }, true],
    [{ detail: { objs: { y: ['z'] } } }, true],
    [{ detail: { objs: { x: [1], y: ['z'] } } }, true], // fields through an array are matched independently
    [{ $or: [{ detail: { state: ['x'] } }, { source: ['aws.ec2'] }] }, true],
    [{ $or: [{ detail: { state: ['x'] } }, { source: ['aws.s3'] }] }, false],
    [{ source: ['aws.ec2'], detail: { state: ['stopped'] } }, false],
  ];
  cases.forEach(([p, want], i) => it(`case ${i}: ${JSON.stringify(p)} → ${want}`, () => assert.equal(matchesPattern(p, e), want)));
  it('refuses an operator it does not implement instead of guessing', () => assert.throws(() => matchesPattern({ detail: { ip: [{ cidr: '10.0.0.0/8' }] } }, e), /unsupported pattern operator 'cidr'/));
});

describe('the matcher agrees with moto rule matching (PutEvents → rule → SQS)', function () {
  this.timeout(120_000);
  let moto: Moto;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let queueUrl: string;
  let queueArn: string;
  before(async () => {
    moto = await startMoto();
    await moto.reset();
    events = new EventBridgeClient(motoConfig(moto, 'us-east-1'));
    sqs = new SQSClient(motoConfig(moto, 'us-east-1'));
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'pattern-probe' }))).QueueUrl!;
    queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  });
  after(() => moto?.stop());

  const delivered = async (rule: RuleName, e: EventBridgeEvent): Promise<boolean> => {
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    await events.send(new PutRuleCommand({ Name: `probe-${rule}`, EventPattern: JSON.stringify(patterns[rule]), State: 'ENABLED' }));
    await events.send(new PutTargetsCommand({ Rule: `probe-${rule}`, Targets: [{ Id: 'q', Arn: queueArn }] }));
    try {
      const put = await events.send(new PutEventsCommand({ Entries: [{ Source: e.source, DetailType: e['detail-type'], Detail: JSON.stringify(e.detail), Resources: e.resources, Time: new Date() }] }));
      assert.equal(put.FailedEntryCount, 0);
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      return (got.Messages ?? []).length > 0;
    } finally {
      await events.send(new RemoveTargetsCommand({ Rule: `probe-${rule}`, Ids: ['q'] }));
      await events.send(new DeleteRuleCommand({ Name: `probe-${rule}` }));
    }
  };

  for (const rule of RULES.filter((r) => r !== 'securityhub')) {
    it(`${rule}: moto delivers exactly the samples the matcher accepts`, async () => {
      for (const [name, e] of [...CASES[rule].match, ...CASES[rule].miss]) {
        assert.equal(await delivered(rule, e), matchesPattern(patterns[rule], e), `${rule} / ${name}`);
      }
    });
  }
});
