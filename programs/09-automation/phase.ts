/**
 * Phase 9, automation: EventBridge rules for security findings (GuardDuty, Security Hub, Config,
 * Inspector), AWS Health and spot interruption notices, and failed backup or copy jobs, each
 * targeting a Lambda responder (lambdas/) with a DLQ and retries; the daily cleanup function on
 * EventBridge Scheduler; alarms on the responders themselves.
 *
 * Contract changes from reference/phases.md D: `ruleArns` has `spotInterruption` (the interruption
 * responder's rule); outputs add `quarantineSecurityGroupId` and `idempotencyTableName`.
 */
import { z } from 'zod';
import { LAMBDA_NAMES } from '../../lambdas/bundle.js';
import { arn, byName, readUpstream, text } from '../../src/core/outputs-contract.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { DEPLOYER_ROLE_NAME } from '../../src/core/platform-names.js';
import { phase1Outputs } from '../01-foundation/phase.js';
import { phase8Outputs } from '../08-resilience/phase.js';
import { RULES } from './patterns.js';

export { RULES } from './patterns.js';

/** The outputs contract of phase 9 (reference/phases.md section D). */
export const phase9Outputs = z.object({
  /** Rule ARN by event source. */
  ruleArns: z.object(Object.fromEntries(RULES.map((r) => [r, arn])) as Record<(typeof RULES)[number], typeof arn>),
  /** Lambda ARN by responder. */
  functionArns: byName(arn),
  functionRoleArns: byName(arn),
  dlqArns: byName(arn),
  scheduleArns: byName(arn),
  /** Only when events are aggregated on a central bus. */
  eventBusArn: arn.optional(),
  alarmArns: z.array(arn),
  /** The group the alert responder moves a compromised instance's interfaces into. */
  quarantineSecurityGroupId: z.string().startsWith('sg-').optional(),
  /** The responders' idempotency records (DynamoDB). */
  idempotencyTableName: text.optional(),
});
export type Phase9Outputs = z.infer<typeof phase9Outputs>;

/** What phase 9 reads from phase 1 (foundation): the finding sources, the VPC and where to notify. */
const fromFoundation = phase1Outputs.pick({ alertsTopicArn: true, guardDutyDetectorId: true, configRecorderName: true, kmsKeyArns: true, vpcId: true });
/** What phase 9 reads from phase 8 (resilience): the vaults whose job events it watches. */
const fromResilience = phase8Outputs.pick({ backupVaultArns: true, backupPlanId: true });

/** Log retention of the responders: the env's (network.flowLogRetentionDays), at least a year. */
export const MIN_RESPONDER_LOG_DAYS = 365;

/** Inputs of the phase 9 program. */
export interface Phase9Inputs {
  envName: string;
  accountId: string;
  region: string;
  deployRoleArn: string;
  tags: Record<string, string>;
  rules: readonly string[];
  functions: readonly string[];
  alertsTopicArn: string;
  guardDutyDetectorId: string;
  configRecorderName: string;
  /** Encrypts the DLQs, the responders' logs and environment, and the idempotency table (phase 1's logs key, which already lets EventBridge and CloudWatch use it). */
  logsKmsKeyArn: string;
  /** The primary VPC: the quarantine security group lives there. */
  vpcId: string;
  backupVaultArns: { primary: string; dr: string };
  backupPlanId: string;
  logRetentionDays: number;
  /** Retention of the snapshots phase 9 takes (forensic, final): the env's backup retention. */
  snapshotRetentionDays: number;
  /** Buckets where gates leave probe objects under the probe prefix (none yet). */
  gateProbeBuckets: string[];
}

/** Builds the program inputs from the env file and the outputs of phases 1 and 8 (pure). */
export function phase9Inputs(ctx: PhaseContext): Phase9Inputs {
  const foundation = readUpstream(ctx, 9, 1, fromFoundation);
  const resilience = readUpstream(ctx, 9, 8, fromResilience);
  const env = ctx.env;
  return {
    envName: env.name,
    accountId: env.accountId,
    region: env.regions.primary,
    deployRoleArn: `arn:aws:iam::${env.accountId}:role/${DEPLOYER_ROLE_NAME}`,
    tags: { ...env.tags, 'platform:env': env.name, 'platform:phase': '09-automation', 'platform:managed-by': 'platform-cli' },
    rules: RULES,
    functions: LAMBDA_NAMES,
    alertsTopicArn: foundation.alertsTopicArn,
    guardDutyDetectorId: foundation.guardDutyDetectorId,
    configRecorderName: foundation.configRecorderName,
    logsKmsKeyArn: foundation.kmsKeyArns.logs,
    vpcId: foundation.vpcId,
    backupVaultArns: resilience.backupVaultArns,
    backupPlanId: resilience.backupPlanId,
    logRetentionDays: Math.max(MIN_RESPONDER_LOG_DAYS, env.network.flowLogRetentionDays),
    snapshotRetentionDays: env.backupRetentionDays,
    gateProbeBuckets: [],
  };
}

export const phase: PhaseDefinition<Phase9Inputs, Phase9Outputs> = {
  id: 9,
  slug: 'automation',
  title: 'Automation: EventBridge rules, Lambda responders',
  module: import.meta.url,
  dependsOn: [1, 8],
  inputs: phase9Inputs,
  outputs: phase9Outputs,
  secretOutputs: [],
  loadGates: () => import('./gates.js').then((m) => m.gates),
  loadProgram: () => import('./program.js').then((m) => m.program),
  planChanges: [
    {
      what: 'Spot interruption and EC2 scheduled-change notices are tagged and notified, never drained',
      why: "Karpenter drains its nodes from phase 1's interruption queue; a second remediation would compete with it",
    },
    {
      what: 'Idempotency by a conditional DynamoDB record per finding, job or notice',
      why: 'backup jobs and Health events have no resource to tag; EventBridge and Lambda both deliver at least once',
    },
  ],
};
