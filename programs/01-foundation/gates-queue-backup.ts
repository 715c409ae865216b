/**
 * Phase 1 gates on Karpenter's interruption queue, the backup vaults and VPC flow logs
 * (reference/phases.md, phase 1 "Gate" 1 and 3):
 * - `karpenter-interruption-queue`: the queue's ARN is the one phase 1 recorded, SSE is on (SQS-managed
 *   or KMS), its policy lets events.amazonaws.com send; each of the five EventBridge rules exists,
 *   is ENABLED, matches its source and detail-type, and targets the queue (ListTargetsByRule).
 * - `backup-vaults`: the primary vault (DescribeBackupVault in the primary region) is encrypted with
 *   phase 1's backup key; the DR vault exists in the DR region with a key of that region.
 * - `flow-logs-active`: the primary and DR VPCs each have a flow log of ALL traffic that is ACTIVE and
 *   delivering (DeliverLogsStatus SUCCESS).
 * Drift (a missing rule, target, vault or flow log, SSE off, a wrong policy) is terminal: waiting
 * cannot repair it, `platform up --phase 1` can.
 */
import { SQSClient, GetQueueUrlCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { EventBridgeClient, DescribeRuleCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { BackupClient, DescribeBackupVaultCommand } from '@aws-sdk/client-backup';
import { EC2Client, DescribeFlowLogsCommand } from '@aws-sdk/client-ec2';
import type { Gate } from '../../src/core/gate.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { awsErrorText } from '../../src/gates/probes/aws.js';
import { Evidence } from '../../src/gates/evidence.js';
import type { Phase1Outputs } from './phase.js';
import { INTERRUPTION_RULES, ruleName } from './interruption-rules.js';

type G = Gate<Phase1Outputs, Probes>;
const MIN = 60_000;


const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** True when some Allow statement of `policy` (JSON text) lets events.amazonaws.com call sqs:SendMessage. */
export function allowsEventBridge(policy: string | undefined): boolean {
  if (!policy) return false;
  const doc = JSON.parse(policy) as { Statement?: unknown };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  return (statements as Array<Record<string, any>>).some(
    (s) =>
      s.Effect === 'Allow' &&
      asList(s.Principal?.Service).includes('events.amazonaws.com') &&
      asList(s.Action).some((a) => ['sqs:SendMessage', 'sqs:*', '*'].includes(a)),
  );
}

const interruptionQueue: G = {
  name: 'karpenter-interruption-queue',
  description: "Karpenter's interruption queue is encrypted and open to EventBridge; its five rules are enabled and target it",
  live: true,
  timeoutMs: 3 * MIN,
  intervalMs: 15_000,
  async check({ env, outputs, probes }) {
    const ev = new Evidence();
    const sqs = probes.aws.client(SQSClient);
    let url: string | undefined;
    try {
      url = (await sqs.send(new GetQueueUrlCommand({ QueueName: outputs.interruptionQueueName }))).QueueUrl;
    } catch (e) {
      return ev.problem(`queue ${outputs.interruptionQueueName} not found: ${awsErrorText(e)}`, true).outcome('re-create it: platform up --phase 1');
    }
    const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'Policy', 'SqsManagedSseEnabled', 'KmsMasterKeyId'] }))).Attributes ?? {};
    const sse = a.KmsMasterKeyId ? `SSE-KMS (${a.KmsMasterKeyId})` : a.SqsManagedSseEnabled === 'true' ? 'SSE-SQS' : 'off';
    ev.saw(`queue ${a.QueueArn}: SSE ${sse}`);
    if (a.QueueArn !== outputs.interruptionQueueArn) ev.problem(`queue ARN is ${a.QueueArn}, phase 1 recorded ${outputs.interruptionQueueArn}`, true);
    if (sse === 'off') ev.problem(`queue ${outputs.interruptionQueueName} has server-side encryption off`, true);
    if (!allowsEventBridge(a.Policy)) ev.problem(`queue policy does not allow events.amazonaws.com to sqs:SendMessage${a.Policy ? '' : ' (no policy)'}`, true);
    else ev.saw('queue policy allows events.amazonaws.com to send');
    const events = probes.aws.client(EventBridgeClient);
    for (const r of INTERRUPTION_RULES) {
      const Name = ruleName(env.cluster.name, r.key);
      let rule;
      try {
        rule = await events.send(new DescribeRuleCommand({ Name }));
      } catch (e) {
        ev.problem(`rule ${Name} not found: ${awsErrorText(e)}`, true);
        continue;
      }
      const pattern = JSON.parse(rule.EventPattern ?? '{}') as Record<string, unknown>;
      if (rule.State !== 'ENABLED') ev.problem(`rule ${Name} is ${rule.State}`, true);
      if (!asList(pattern.source).includes(r.source) || !asList(pattern['detail-type']).includes(r.detailType)) {
        ev.problem(`rule ${Name} matches ${rule.EventPattern}, not ${r.source} / ${r.detailType}`, true);
      }
      const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: Name }))).Targets ?? [];
      if (!targets.some((t) => t.Arn === outputs.interruptionQueueArn)) {
        ev.problem(`rule ${Name} does not target the queue; targets: ${targets.map((t) => t.Arn).join(', ') || 'none'}`, true);
      } else {
        ev.saw(`rule ${Name}: ${rule.State}, ${r.detailType} -> queue`);
      }
    }
    return ev.outcome('the queue or its rules drifted from phase 1: run `platform up --phase 1` and look for manual changes');
  },
};

/** `arn:aws:backup:<region>:<account>:backup-vault:<name>` -> region and name. */
export function parseVaultArn(arn: string): { region: string; name: string } {
  const parts = arn.split(':');
  return { region: parts[3] ?? '', name: parts.slice(6).join(':') };
}

const backupVaults: G = {
  name: 'backup-vaults',
  description: 'Backup vaults exist in the primary and DR regions, each encrypted with a customer key of its region',
  live: true,
  timeoutMs: 3 * MIN,
  intervalMs: 15_000,
  async check({ outputs, probes }) {
    const ev = new Evidence();
    const vaults = [
      { label: 'primary', arn: outputs.backupVaultArn, key: outputs.kmsKeyArns.backup as string | undefined },
      { label: 'DR', arn: outputs.drBackupVaultArn, key: undefined },
    ];
    for (const v of vaults) {
      const { region, name } = parseVaultArn(v.arn);
      try {
        const d = await probes.aws.client(BackupClient, { region }).send(new DescribeBackupVaultCommand({ BackupVaultName: name }));
        ev.saw(`${v.label} vault ${name} in ${region}: key ${d.EncryptionKeyArn ?? 'none'}, ${d.NumberOfRecoveryPoints ?? 0} recovery points`);
        if (d.BackupVaultArn !== v.arn) ev.problem(`${v.label} vault ARN is ${d.BackupVaultArn}, phase 1 recorded ${v.arn}`, true);
        if (!d.EncryptionKeyArn) ev.problem(`${v.label} vault ${name} reports no encryption key`, true);
        else if (v.key && d.EncryptionKeyArn !== v.key) ev.problem(`${v.label} vault ${name} is encrypted with ${d.EncryptionKeyArn}, not phase 1's backup key ${v.key}`, true);
        else if (d.EncryptionKeyArn.split(':')[3] !== region) ev.problem(`${v.label} vault ${name} uses a key of region ${d.EncryptionKeyArn.split(':')[3]}, not ${region}`, true);
      } catch (e) {
        ev.problem(`${v.label} vault ${name} in ${region}: ${awsErrorText(e)}`, true);
      }
    }
    if (parseVaultArn(outputs.drBackupVaultArn).region !== outputs.drRegion) ev.problem(`the DR vault is in ${parseVaultArn(outputs.drBackupVaultArn).region}, not the DR region ${outputs.drRegion}`, true);
    return ev.outcome('the vaults drifted from phase 1: run `platform up --phase 1`');
  },
};

const flowLogs: G = {
  name: 'flow-logs-active',
  description: 'The primary and DR VPCs each have an ACTIVE flow log of ALL traffic that delivers successfully',
  live: true,
  timeoutMs: 5 * MIN,
  intervalMs: 20_000,
  async check({ env, outputs, probes }) {
    const ev = new Evidence();
    for (const v of [{ label: 'primary', vpc: outputs.vpcId, region: env.regions.primary }, { label: 'DR', vpc: outputs.drVpcId, region: outputs.drRegion }]) {
      const logs = (await probes.aws.client(EC2Client, { region: v.region }).send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [v.vpc] }] }))).FlowLogs ?? [];
      const all = logs.filter((l) => l.TrafficType === 'ALL');
      ev.saw(`${v.label} VPC ${v.vpc} (${v.region}): ${logs.map((l) => `${l.FlowLogId} ${l.TrafficType} ${l.FlowLogStatus} delivery ${l.DeliverLogsStatus}`).join(', ') || 'no flow logs'}`);
      if (all.length === 0) {
        ev.problem(`${v.label} VPC ${v.vpc} has no flow log of ALL traffic`, true);
        continue;
      }
      if (!all.some((l) => l.FlowLogStatus === 'ACTIVE')) ev.problem(`${v.label} VPC ${v.vpc}: no ACTIVE flow log (${all.map((l) => l.FlowLogStatus).join(', ')})`);
      for (const l of all.filter((x) => x.DeliverLogsStatus === 'FAILED')) {
        ev.problem(`${v.label} VPC ${v.vpc}: flow log ${l.FlowLogId} cannot deliver to ${l.LogDestination ?? l.LogGroupName}: ${l.DeliverLogsErrorMessage ?? 'no reason given'}`, true);
      }
    }
    return ev.outcome('check the flow-log role may write to its KMS-encrypted log group (and the logs key allows the logs service), then `platform up --phase 1`');
  },
};

/** Queue, backup and flow-log gates, appended to `gates` in gates.ts. */
export const queueBackupGates: G[] = [interruptionQueue, backupVaults, flowLogs];
