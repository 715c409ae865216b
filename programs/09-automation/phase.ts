/**
 * Phase 9, automation: EventBridge rules for security findings (GuardDuty, Security Hub, Config,
 * Inspector), AWS Health and failed backup or copy jobs, each with a Lambda responder, a DLQ and
 * retries; scheduled clean-up functions; alarms on the responders themselves.
 */
import { z } from 'zod';
import { arn, byName, readUpstream } from '../../src/core/outputs-contract.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase1Outputs } from '../01-foundation/phase.js';
import { phase8Outputs } from '../08-resilience/phase.js';

/** The event sources phase 9 reacts to; one rule each. */
export const RULES = ['guardduty', 'securityhub', 'backupFailed', 'copyFailed', 'health', 'config', 'inspector'] as const;

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
});
export type Phase9Outputs = z.infer<typeof phase9Outputs>;

/** What phase 9 reads from phase 1 (foundation): the finding sources and where to notify. */
const fromFoundation = phase1Outputs.pick({ alertsTopicArn: true, guardDutyDetectorId: true, configRecorderName: true, kmsKeyArns: true });
/** What phase 9 reads from phase 8 (resilience): the vaults whose job events it watches. */
const fromResilience = phase8Outputs.pick({ backupVaultArns: true, backupPlanId: true });

/** Inputs of the phase 9 program. */
export interface Phase9Inputs {
  envName: string;
  accountId: string;
  region: string;
  tags: Record<string, string>;
  rules: readonly string[];
  alertsTopicArn: string;
  guardDutyDetectorId: string;
  configRecorderName: string;
  /** Encrypts the DLQs and the responders' logs. */
  logsKmsKeyArn: string;
  backupVaultArns: { primary: string; dr: string };
  backupPlanId: string;
}

/** Builds the program inputs from the env file and the outputs of phases 1 and 8 (pure). */
export function phase9Inputs(ctx: PhaseContext): Phase9Inputs {
  const foundation = readUpstream(ctx, 9, 1, fromFoundation);
  const resilience = readUpstream(ctx, 9, 8, fromResilience);
  return {
    envName: ctx.env.name,
    accountId: ctx.env.accountId,
    region: ctx.env.regions.primary,
    tags: { ...ctx.env.tags },
    rules: RULES,
    alertsTopicArn: foundation.alertsTopicArn,
    guardDutyDetectorId: foundation.guardDutyDetectorId,
    configRecorderName: foundation.configRecorderName,
    logsKmsKeyArn: foundation.kmsKeyArns.logs,
    backupVaultArns: resilience.backupVaultArns,
    backupPlanId: resilience.backupPlanId,
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
  gates: [],
};
