/**
 * Phase 10, hardening: validates the finished platform rather than building more of it: TLS and
 * mTLS across every public host and service, load and chaos experiments against SLO alarms, a restore
 * drill from backup within RTO/RPO, and cost and security posture reports. Its outputs are reports.
 */
import { z } from 'zod';
import { arn, readUpstream, text } from '../../src/core/outputs-contract.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase6Outputs } from '../06-edge/phase.js';
import { phase7Outputs } from '../07-observability/phase.js';
import { phase8Outputs } from '../08-resilience/phase.js';
import { phase9Outputs } from '../09-automation/phase.js';

const count = z.number().int().min(0);

/** The outputs contract of phase 10 (reference/phases.md section D). */
export const phase10Outputs = z.object({
  tlsReport: z.object({ hostsChecked: count, failures: z.array(text) }),
  mtlsReport: z.object({ strict: z.boolean(), exceptions: z.array(text), plaintextProbesBlocked: count }),
  loadTestSummary: z.object({ p95: z.number().min(0), p99: z.number().min(0), errorRate: z.number().min(0).max(1), maxRps: z.number().min(0) }),
  chaosExperimentIds: z.array(text),
  restoreDrill: z.object({
    recoveryPointArn: arn,
    restoreJobId: text,
    rtoMinutes: z.number().min(0),
    rpoMinutes: z.number().min(0),
    validated: z.boolean(),
  }),
  costReport: z.object({ monthlyEstimateUsd: z.number().min(0), budgetNames: z.array(text) }),
  securityPostureReport: z.object({ securityHubScore: z.number().min(0).max(100), criticalFindings: count, kubeBenchFails: count }),
});
export type Phase10Outputs = z.infer<typeof phase10Outputs>;

const fromEdge = phase6Outputs.pick({ publicUrls: true, hostnames: true, peerAuthenticationMode: true, authorizationPolicies: true });
const fromObservability = phase7Outputs.pick({ prometheusUrl: true, alertmanagerUrl: true });
const fromResilience = phase8Outputs.pick({ backupVaultArns: true, backupPlanId: true, drClusterName: true, drRegion: true });
const fromAutomation = phase9Outputs.pick({ alarmArns: true });

/** Inputs of the phase 10 program. */
export interface Phase10Inputs {
  envName: string;
  domain: string;
  tags: Record<string, string>;
  publicUrls: { frontend: string; api: string };
  hostnames: { frontend: string[]; api: string };
  peerAuthenticationMode: 'STRICT' | 'PERMISSIVE';
  authorizationPolicies: string[];
  prometheusUrl: string;
  alertmanagerUrl: string;
  backupVaultArns: { primary: string; dr: string };
  backupPlanId: string;
  /** Absent when the env has no pilot-light cluster (resilience.drCluster.enabled: false). */
  drClusterName?: string;
  drRegion: string;
  /** SLO alarms that stop a chaos experiment. */
  alarmArns: string[];
}

/** Builds the program inputs from the env file and the outputs of phases 6, 7, 8 and 9 (pure). */
export function phase10Inputs(ctx: PhaseContext): Phase10Inputs {
  const edge = readUpstream(ctx, 10, 6, fromEdge);
  const observability = readUpstream(ctx, 10, 7, fromObservability);
  const resilience = readUpstream(ctx, 10, 8, fromResilience);
  const automation = readUpstream(ctx, 10, 9, fromAutomation);
  return {
    envName: ctx.env.name,
    domain: ctx.env.domain,
    tags: { ...ctx.env.tags },
    ...edge,
    ...observability,
    ...resilience,
    alarmArns: automation.alarmArns,
  };
}

export const phase: PhaseDefinition<Phase10Inputs, Phase10Outputs> = {
  id: 10,
  slug: 'hardening',
  title: 'Hardening: TLS/mTLS validation, load and chaos, restore drill, cost and security reports',
  module: import.meta.url,
  dependsOn: [6, 7, 8, 9],
  inputs: phase10Inputs,
  outputs: phase10Outputs,
  secretOutputs: [],
  gates: [],
};
