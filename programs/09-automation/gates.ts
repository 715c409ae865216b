/**
 * Phase 9 gates (reference/phases.md, phase 9 "Gate"):
 * - `rules-wired`: every rule ENABLED on the default bus with its source and detail-type, targeting
 *   exactly its responder with the responder's DLQ and a retry policy; every function Active, its
 *   last update Successful, X-Ray on, its DLQ set, and its resource policy letting
 *   events.amazonaws.com invoke it for exactly that rule's ARN; the cleanup schedule ENABLED on the
 *   cleanup function with retries and a DLQ.
 * - `patterns-behave`: EventBridge's own TestEventPattern, for every deployed pattern, says true for
 *   AWS's documented sample event and false for a near miss (sample-events.ts).
 * - `responders-answer` (after rules-wired): a scratch end-to-end call of each function with an event
 *   it is built to leave alone (a GuardDuty *sample* finding, a failed job of a vault that is not the
 *   platform's, a Health notice naming no instance, cleanup `{"dryRun": true}`): each answers without
 *   a function error, reports that it touched nothing, and every DLQ is empty. EventBridge itself
 *   is not in this path: PutEvents refuses `aws.*` sources, so routing is proven by the patterns
 *   gate and the wiring, and the function by the invoke; nothing is created, so nothing is left.
 * Drift (a disabled rule, a lost target or permission) is terminal: `platform up --phase 9` repairs it.
 */
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionCommand, GetPolicyCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Gate } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import { awsErrorText, type AwsProbe } from '../../src/gates/probes/aws.js';
import type { Probes } from '../../src/gates/probes/index.js';
import type { LambdaName } from '../../lambdas/bundle.js';
import type { EventBridgeEvent } from '../../lambdas/src/findings.js';
import { RULE_TARGETS, RULES, type RuleName } from './patterns.js';
import type { Phase9Outputs } from './phase.js';
import * as samples from './sample-events.js';

type G = Gate<Phase9Outputs, Probes>;
const MIN = 60_000;

/** The two calls moto cannot answer (TestEventPattern, Invoke), behind a port the tests replace. */
export interface AutomationCalls {
  testEventPattern(aws: AwsProbe, pattern: string, event: EventBridgeEvent): Promise<boolean>;
  invoke(aws: AwsProbe, functionArn: string, payload: unknown): Promise<{ functionError?: string; payload: any }>;
}

export const sdkCalls: AutomationCalls = {
  async testEventPattern(aws, pattern, event) {
    const r = await aws.client(EventBridgeClient).send(new TestEventPatternCommand({ EventPattern: pattern, Event: JSON.stringify(event) }));
    if (typeof r.Result !== 'boolean') throw new Error('TestEventPattern returned no Result');
    return r.Result;
  },
  async invoke(aws, functionArn, payload) {
    const r = await aws.client(LambdaClient).send(new InvokeCommand({ FunctionName: functionArn, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
    const text = r.Payload ? new TextDecoder().decode(r.Payload) : 'null';
    return { functionError: r.FunctionError, payload: JSON.parse(text) };
  },
};

/** The rule name of `rule`, from its ARN (`arn:aws:events:<region>:<account>:rule/<name>`). */
export const ruleNameOf = (ruleArn: string): string => ruleArn.split('/').pop()!;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const sampleInstance = 'i-0123456789abcdef0';

/** A documented sample the rule must match and a near miss it must not, built for the deployed pattern. */
export function probeEvents(rule: RuleName, pattern: Record<string, any>): { match: EventBridgeEvent; miss: EventBridgeEvent } {
  const vaults = asList(pattern.detail?.backupVaultArn ?? pattern.detail?.sourceBackupVaultArn).map(String);
  const vault = vaults[0] ?? 'arn:aws:backup:us-east-1:123456789012:backup-vault:none';
  switch (rule) {
    case 'guardduty':
      return { match: samples.guardDutyFinding({ instanceId: sampleInstance }), miss: samples.guardDutyFinding({ instanceId: sampleInstance, severity: 6.9 }) };
    case 'securityhub':
      return { match: samples.securityHubFinding({ instanceId: sampleInstance }), miss: samples.securityHubFinding({ instanceId: sampleInstance, label: 'MEDIUM' }) };
    case 'backupFailed':
      return { match: samples.backupJobFailed(vault), miss: samples.backupJobCompleted(vault) };
    case 'copyFailed':
      return { match: samples.copyJobFailed(vault, vaults[1] ?? vault), miss: samples.copyJobFailed(vault, vaults[1] ?? vault, 'RUNNING') };
    case 'health':
      return { match: samples.healthScheduledChange([sampleInstance]), miss: samples.healthScheduledChange([sampleInstance], { category: 'issue' }) };
    case 'spotInterruption': {
      const miss = samples.spotInterruption(sampleInstance);
      miss['detail-type'] = 'EC2 Instance Rebalance Recommendation';
      return { match: samples.spotInterruption(sampleInstance), miss };
    }
    case 'config':
      return { match: samples.configNonCompliant(), miss: samples.configNonCompliant('COMPLIANT') };
    case 'inspector':
      return { match: samples.inspectorFinding(), miss: samples.inspectorFinding('HIGH') };
  }
}

async function describeRule(aws: AwsProbe, ev: Evidence, rule: RuleName, arn: string): Promise<Record<string, any> | undefined> {
  try {
    const r = await aws.client(EventBridgeClient).send(new DescribeRuleCommand({ Name: ruleNameOf(arn) }));
    if (r.Arn !== arn) ev.problem(`rule ${rule}: ARN ${r.Arn}, phase 9 recorded ${arn}`, true);
    if (r.State !== 'ENABLED') ev.problem(`rule ${rule} (${ruleNameOf(arn)}) is ${r.State}`, true);
    return JSON.parse(r.EventPattern ?? '{}') as Record<string, any>;
  } catch (e) {
    ev.problem(`rule ${rule} (${ruleNameOf(arn)}): ${awsErrorText(e)}`, true);
    return undefined;
  }
}

/** True when the function policy lets events.amazonaws.com invoke for exactly `ruleArn`. */
export function allowsRule(policy: string | undefined, ruleArn: string): boolean {
  if (!policy) return false;
  const statements = asList((JSON.parse(policy) as { Statement?: unknown }).Statement) as Array<Record<string, any>>;
  return statements.some((s) => {
    if (s.Effect !== 'Allow' || !asList(s.Principal?.Service).includes('events.amazonaws.com')) return false;
    const src = s.Condition?.ArnLike?.['AWS:SourceArn'] ?? s.Condition?.ArnEquals?.['AWS:SourceArn'] ?? s.Condition?.ArnLike?.['aws:SourceArn'];
    return src === ruleArn;
  });
}

const rulesWired: G = {
  name: 'rules-wired',
  description: 'Every rule ENABLED and targeting its responder with a DLQ and retries; functions Active with tracing and a DLQ; invoke permission per rule; cleanup schedule ENABLED',
  live: true,
  timeoutMs: 5 * MIN,
  intervalMs: 15_000,
  async check({ outputs, probes }) {
    const ev = new Evidence();
    const aws = probes.aws;
    const lambda = aws.client(LambdaClient);
    const policies = new Map<string, string | undefined>();
    for (const rule of RULES) {
      const arn = outputs.ruleArns[rule];
      const fn = RULE_TARGETS[rule];
      const fnArn = outputs.functionArns[fn];
      const dlq = outputs.dlqArns[fn];
      const pattern = await describeRule(aws, ev, rule, arn);
      if (!pattern) continue;
      const targets = (await aws.client(EventBridgeClient).send(new ListTargetsByRuleCommand({ Rule: ruleNameOf(arn) }))).Targets ?? [];
      if (targets.length !== 1 || targets[0]!.Arn !== fnArn) {
        ev.problem(`rule ${rule} targets ${targets.map((t) => t.Arn).join(', ') || 'nothing'}, not only ${fnArn}`, true);
        continue;
      }
      const t = targets[0]!;
      if (t.DeadLetterConfig?.Arn !== dlq) ev.problem(`rule ${rule}: target DLQ is ${t.DeadLetterConfig?.Arn ?? 'none'}, not ${dlq}`, true);
      if (!t.RetryPolicy?.MaximumRetryAttempts) ev.problem(`rule ${rule}: target has no retry policy`, true);
      if (!policies.has(fn)) {
        policies.set(
          fn,
          await lambda.send(new GetPolicyCommand({ FunctionName: fnArn })).then(
            (p) => p.Policy,
            () => undefined,
          ),
        );
      }
      if (!allowsRule(policies.get(fn), arn)) ev.problem(`function ${fn} does not let events.amazonaws.com invoke it for rule ${ruleNameOf(arn)}`, true);
      else ev.saw(`rule ${ruleNameOf(arn)}: ENABLED, ${asList(pattern['detail-type']).join('|')} -> ${fn} (DLQ, ${t.RetryPolicy?.MaximumRetryAttempts} retries)`);
    }
    for (const [fn, fnArn] of Object.entries(outputs.functionArns)) {
      try {
        const c = (await lambda.send(new GetFunctionCommand({ FunctionName: fnArn }))).Configuration ?? {};
        if (c.State && c.State !== 'Active') ev.problem(`function ${fn} is ${c.State}${c.StateReason ? `: ${c.StateReason}` : ''}`);
        if (c.LastUpdateStatus && c.LastUpdateStatus !== 'Successful') ev.problem(`function ${fn}: last update ${c.LastUpdateStatus}${c.LastUpdateStatusReason ? `: ${c.LastUpdateStatusReason}` : ''}`);
        if (c.DeadLetterConfig?.TargetArn !== outputs.dlqArns[fn]) ev.problem(`function ${fn}: DLQ is ${c.DeadLetterConfig?.TargetArn ?? 'none'}, not ${outputs.dlqArns[fn]}`, true);
        if (c.TracingConfig?.Mode !== 'Active') ev.problem(`function ${fn}: X-Ray tracing is ${c.TracingConfig?.Mode ?? 'off'}`, true);
        ev.saw(`function ${fn}: ${c.State ?? '?'} / ${c.LastUpdateStatus ?? '?'}, ${c.Runtime} ${asList(c.Architectures).join(',')}, ${c.CodeSize} bytes`);
      } catch (e) {
        ev.problem(`function ${fn}: ${awsErrorText(e)}`, true);
      }
    }
    const scheduleArn = outputs.scheduleArns.cleanup;
    if (!scheduleArn) ev.problem('no cleanup schedule recorded', true);
    else {
      const name = scheduleArn.split('/').pop()!;
      const group = scheduleArn.split('/').slice(-2, -1)[0] ?? 'default';
      try {
        const s = await aws.client(SchedulerClient).send(new GetScheduleCommand({ Name: name, GroupName: group }));
        if (s.State !== 'ENABLED') ev.problem(`schedule ${name} is ${s.State}`, true);
        if (s.Target?.Arn !== outputs.functionArns.cleanup) ev.problem(`schedule ${name} targets ${s.Target?.Arn}, not the cleanup function`, true);
        if (s.Target?.DeadLetterConfig?.Arn !== outputs.dlqArns.cleanup) ev.problem(`schedule ${name}: DLQ is ${s.Target?.DeadLetterConfig?.Arn ?? 'none'}`, true);
        ev.saw(`schedule ${name}: ${s.State}, ${s.ScheduleExpression} -> cleanup`);
      } catch (e) {
        ev.problem(`schedule ${name}: ${awsErrorText(e)}`, true);
      }
    }
    return ev.outcome('the rules, targets or functions drifted from phase 9: run `platform up --phase 9` and look for manual changes');
  },
};

export function patternsBehave(calls: AutomationCalls): G {
  return {
    name: 'patterns-behave',
    description: "EventBridge's TestEventPattern: each deployed pattern matches AWS's documented sample and rejects a near miss",
    live: true,
    timeoutMs: 3 * MIN,
    intervalMs: 15_000,
    async check({ outputs, probes }) {
      const ev = new Evidence();
      for (const rule of RULES) {
        const pattern = await describeRule(probes.aws, ev, rule, outputs.ruleArns[rule]);
        if (!pattern) continue;
        const { match, miss } = probeEvents(rule, pattern);
        const text = JSON.stringify(pattern);
        const [m, n] = [await calls.testEventPattern(probes.aws, text, match), await calls.testEventPattern(probes.aws, text, miss)];
        if (!m) ev.problem(`rule ${rule}: its pattern does not match the documented sample ${match['detail-type']} event`, true);
        if (n) ev.problem(`rule ${rule}: its pattern matches a near miss (${miss['detail-type']}) it must reject`, true);
        if (m && !n) ev.saw(`rule ${rule}: sample matched, near miss rejected`);
      }
      return ev.outcome('a deployed pattern differs from programs/09-automation/patterns.ts: run `platform up --phase 9`');
    },
  };
}

/** The scratch event each function is built to leave alone, and what it must answer. */
export const SCRATCH: Record<LambdaName, { event: unknown; answers: (p: any) => boolean; expect: string }> = {
  'alert-responder': {
    event: samples.guardDutyFinding({ instanceId: sampleInstance, sample: true, findingId: 'platform-gate-sample-finding' }),
    answers: (p) => p?.findings?.[0]?.action === 'sample-ignored',
    expect: "action 'sample-ignored'",
  },
  'backup-watcher': {
    event: samples.backupJobFailed('arn:aws:backup:us-east-1:000000000000:backup-vault:platform-gate-not-a-platform-vault'),
    answers: (p) => p?.action === 'ignored-other-vault',
    expect: "action 'ignored-other-vault'",
  },
  'interruption-responder': {
    event: samples.healthScheduledChange([]),
    answers: (p) => Array.isArray(p?.instances) && p.instances.length === 0,
    expect: 'no instance handled',
  },
  cleanup: { event: { dryRun: true }, answers: (p) => p?.dryRun === true && Array.isArray(p?.volumes), expect: 'a dry-run report' },
};

export function respondersAnswer(calls: AutomationCalls): G {
  return {
    name: 'responders-answer',
    description: 'Each function, invoked with an event it must leave alone, answers without error and touches nothing; every DLQ is empty',
    live: true,
    after: ['rules-wired'],
    timeoutMs: 5 * MIN,
    intervalMs: 20_000,
    async check({ outputs, probes }) {
      const ev = new Evidence();
      for (const [fn, arn] of Object.entries(outputs.functionArns) as [LambdaName, string][]) {
        const s = SCRATCH[fn];
        if (!s) continue;
        try {
          const r = await calls.invoke(probes.aws, arn, s.event);
          if (r.functionError) ev.problem(`function ${fn} failed on its scratch event: ${r.functionError} ${JSON.stringify(r.payload).slice(0, 300)}`);
          else if (!s.answers(r.payload)) ev.problem(`function ${fn} answered ${JSON.stringify(r.payload).slice(0, 300)}, expected ${s.expect}`);
          else ev.saw(`function ${fn}: ${s.expect}`);
        } catch (e) {
          ev.problem(`function ${fn}: invoke failed: ${awsErrorText(e)}`);
        }
      }
      const sqs = probes.aws.client(SQSClient);
      for (const [fn, dlq] of Object.entries(outputs.dlqArns)) {
        try {
          const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: dlq.split(':').pop()! }))).QueueUrl;
          const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes ?? {};
          const n = Number(a.ApproximateNumberOfMessages ?? 0);
          if (n > 0) ev.problem(`DLQ of ${fn} holds ${n} message(s): failed deliveries to read before they expire`, true);
          else ev.saw(`DLQ of ${fn}: empty`);
        } catch (e) {
          ev.problem(`DLQ of ${fn}: ${awsErrorText(e)}`, true);
        }
      }
      return ev.outcome('read the function logs (/aws/lambda/<function>) and the DLQ messages; fix, then `platform verify --phase 9`');
    },
  };
}

export function automationGates(calls: AutomationCalls = sdkCalls): G[] {
  return [rulesWired, patternsBehave(calls), respondersAnswer(calls)];
}

export const gates: G[] = automationGates();
