/**
 * Gathers the posture report's sources for one env, each on its own so that one failing source is
 * reported unavailable and the others still appear:
 * - phase records (gate results and their evidence) from the env's and the organization's record
 *   stores, as `status` reads them;
 * - static checks and cost over the offline plan (the simulate engine on a scratch folder);
 * - Security Hub, GuardDuty and AWS Backup through AWS SDK v3 with the default credential chain (as
 *   the phase-1 gates), or unavailable on an env that runs on the simulate engine: there is no
 *   account to ask, and nothing is invented in its place.
 */
import type { EnvConfig } from '../core/env.js';
import { phaseScope, type AnyPhase, type PhaseId } from '../core/phase.js';
import type { PhaseRecord, PlannedResource, RecordStore } from '../core/ports.js';
import type { CheckResult } from '../checks/types.js';
import type { Prices } from '../cost/price-table.js';
import { estimateCost } from '../cost/estimate.js';
import { buildReport } from './build.js';
import { unavailable } from './aws-posture.js';
import type { BackupSummary, DrBackupSummary, GuardDutySummary, PostureReport, SecurityHubSummary, Unavailable } from './types.js';

export interface AwsPostureSources {
  securityHub(): Promise<SecurityHubSummary | Unavailable>;
  guardDuty(): Promise<GuardDutySummary | Unavailable>;
  backup(): Promise<BackupSummary | Unavailable>;
  /** The DR region's vaults and the copies into them. */
  drBackup(): Promise<DrBackupSummary | Unavailable>;
}

export interface CollectInput {
  env: EnvConfig;
  engine: 'simulate' | 'pulumi';
  registry: readonly AnyPhase[];
  records: { env: RecordStore; organization: { store: RecordStore; name: string } };
  plan: () => Promise<{ resources: PlannedResource[]; notPlanned: { phase: PhaseId; reason: string }[] }>;
  checks: (resources: readonly PlannedResource[]) => Promise<CheckResult>;
  prices: Prices;
  /** undefined on a simulated env. */
  aws?: AwsPostureSources;
  now: Date;
}

const why = (what: string, e: unknown) => unavailable(`${what}: ${(e as Error).message.split('\n')[0]}`);

export async function collectReport(input: CollectInput): Promise<PostureReport> {
  const { env, registry } = input;
  const records = new Map<PhaseId, PhaseRecord>();
  let recordsProblem: string | undefined;
  for (const p of registry) {
    const org = phaseScope(p) === 'organization';
    try {
      const r = org ? await input.records.organization.store.read(input.records.organization.name, p.id) : await input.records.env.read(env.name, p.id);
      if (r) records.set(p.id, r);
    } catch (e) {
      recordsProblem ??= `phase records could not be read: ${(e as Error).message.split('\n')[0]}`;
    }
  }
  let plan: Awaited<ReturnType<CollectInput['plan']>> | undefined;
  let planProblem: Unavailable | undefined;
  try {
    plan = await input.plan();
  } catch (e) {
    planProblem = why('the offline plan failed', e);
  }
  let checks: CheckResult | Unavailable = planProblem ?? unavailable('not planned');
  if (plan) {
    try {
      checks = await input.checks(plan.resources);
    } catch (e) {
      checks = why('the static checks failed', e);
    }
  }
  const cost = plan ? estimateCost(plan.resources, env, input.prices) : (planProblem ?? unavailable('not planned'));
  const simulated = unavailable(`env ${env.name} runs on the simulate engine: there is no AWS account to ask; run the report against a real env (with credentials for its account)`);
  const [securityHub, guardDuty, backup, drBackup] = input.aws
    ? await Promise.all([input.aws.securityHub(), input.aws.guardDuty(), input.aws.backup(), input.aws.drBackup()])
    : [simulated, simulated, simulated, simulated];
  const report = buildReport({
    env: env.name,
    engine: input.engine,
    registry,
    records,
    checks,
    securityHub,
    guardDuty,
    backup,
    drBackup,
    cost,
    notPlanned: plan?.notPlanned ?? [],
    now: input.now,
  });
  return recordsProblem ? { ...report, recordsUnavailable: recordsProblem } : report;
}
