/**
 * Security Hub, GuardDuty and AWS Backup summaries for the posture report, over AWS SDK v3
 * clients the caller makes (the env's region and credentials, or an emulator in tests). Each
 * summary reads only counts, titles and states; an error becomes `Unavailable` with the AWS error
 * code and message, never a guess.
 *
 * - Security Hub: GetFindings with RecordState ACTIVE and WorkflowStatus NEW or NOTIFIED (the
 *   phase-10 gate's filter, reference/phases.md), counted by Severity.Label client-side too (so a
 *   server that ignores a filter cannot inflate the counts), at most MAX_PAGES pages of 100.
 * - GuardDuty: the region's detector (ListDetectors, GetDetector), then GetFindingsStatistics
 *   grouped by SEVERITY over current findings (service.archived = false).
 * - Backup: ListBackupVaults (recovery points per vault) and ListBackupJobs created in the last
 *   24 hours, by state; failed, aborted or expired jobs are listed with their message.
 * - DR backups (phase 8 copies every recovery point to a vault in the env's DR region): the DR
 *   region's vaults and their recovery points (ListBackupVaults with a client of that region), and
 *   the copy jobs of the last 24 hours whose destination vault is in the DR region (ListCopyJobs in
 *   the primary region, where copies are started), by state, the newest completed copy, and failed
 *   or partial copies with their message. No completed copy in the window is said as such.
 */
import { GetFindingsCommand, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetDetectorCommand, GetFindingsStatisticsCommand, ListDetectorsCommand, type GuardDutyClient } from '@aws-sdk/client-guardduty';
import { ListBackupJobsCommand, ListBackupVaultsCommand, ListCopyJobsCommand, type BackupClient } from '@aws-sdk/client-backup';
import { awsErrorText } from '../gates/probes/aws.js';
import type { BackupSummary, DrBackupSummary, GuardDutySummary, SecurityHubSummary, Unavailable } from './types.js';

const MAX_PAGES = 10;
const TOP = 10;

export function unavailable(reason: string): Unavailable {
  return { available: false, reason };
}

export async function securityHubSummary(client: SecurityHubClient, region: string): Promise<SecurityHubSummary | Unavailable> {
  try {
    const activeBySeverity: Record<string, number> = {};
    const top: SecurityHubSummary['top'] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await client.send(
        new GetFindingsCommand({
          Filters: {
            RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
            WorkflowStatus: [
              { Value: 'NEW', Comparison: 'EQUALS' },
              { Value: 'NOTIFIED', Comparison: 'EQUALS' },
            ],
          },
          MaxResults: 100,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const f of r.Findings ?? []) {
        if (f.RecordState && f.RecordState !== 'ACTIVE') continue;
        const wf = f.Workflow?.Status;
        if (wf && wf !== 'NEW' && wf !== 'NOTIFIED') continue;
        const sev = f.Severity?.Label ?? 'UNKNOWN';
        activeBySeverity[sev] = (activeBySeverity[sev] ?? 0) + 1;
        if ((sev === 'CRITICAL' || sev === 'HIGH') && top.length < TOP) top.push({ severity: sev, title: f.Title ?? '(no title)', resource: f.Resources?.[0]?.Id ?? '(no resource)' });
      }
      token = r.NextToken || undefined;
      pages++;
    } while (token && pages < MAX_PAGES);
    top.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'CRITICAL' ? -1 : 1));
    return { available: true, region, activeBySeverity, truncated: Boolean(token), top };
  } catch (e) {
    return unavailable(`Security Hub (${region}): ${awsErrorText(e)}`);
  }
}

export async function guardDutySummary(client: GuardDutyClient, region: string): Promise<GuardDutySummary | Unavailable> {
  try {
    const ids = (await client.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
    if (ids.length === 0) return unavailable(`GuardDuty (${region}): no detector in this region (GuardDuty is not enabled)`);
    const detectorId = ids[0]!;
    const d = await client.send(new GetDetectorCommand({ DetectorId: detectorId }));
    const stats = await client.send(
      new GetFindingsStatisticsCommand({
        DetectorId: detectorId,
        GroupBy: 'SEVERITY',
        FindingCriteria: { Criterion: { 'service.archived': { Equals: ['false'] } } },
      }),
    );
    const bySeverity = { high: 0, medium: 0, low: 0 };
    for (const g of stats.FindingStatistics?.GroupedBySeverity ?? []) {
      const s = g.Severity ?? 0;
      const n = g.TotalFindings ?? 0;
      if (s >= 7) bySeverity.high += n;
      else if (s >= 4) bySeverity.medium += n;
      else bySeverity.low += n;
    }
    return { available: true, region, detectorId, status: d.Status ?? 'UNKNOWN', bySeverity };
  } catch (e) {
    return unavailable(`GuardDuty (${region}): ${awsErrorText(e)}`);
  }
}

export async function backupSummary(client: BackupClient, region: string, now: Date, windowHours = 24): Promise<BackupSummary | Unavailable> {
  try {
    const vaults = await vaultsOf(client);
    let token: string | undefined;
    const jobsByState: Record<string, number> = {};
    const failed: BackupSummary['failed'] = [];
    let last: Date | undefined;
    let pages = 0;
    do {
      const r = await client.send(new ListBackupJobsCommand({ ByCreatedAfter: new Date(now.getTime() - windowHours * 3_600_000), ...(token ? { NextToken: token } : {}) }));
      for (const j of r.BackupJobs ?? []) {
        const state = j.State ?? 'UNKNOWN';
        jobsByState[state] = (jobsByState[state] ?? 0) + 1;
        if (state === 'COMPLETED' && j.CompletionDate && (!last || j.CompletionDate > last)) last = j.CompletionDate;
        if (state === 'FAILED' || state === 'ABORTED' || state === 'EXPIRED') failed.push({ resource: j.ResourceArn ?? '?', state, message: j.StatusMessage ?? '' });
      }
      token = r.NextToken || undefined;
      pages++;
    } while (token && pages < MAX_PAGES);
    return { available: true, region, vaults, jobsByState, windowHours, ...(last ? { lastCompletedAt: last.toISOString() } : {}), failed };
  } catch (e) {
    return unavailable(`AWS Backup (${region}): ${awsErrorText(e)}`);
  }
}

async function vaultsOf(client: BackupClient): Promise<BackupSummary['vaults']> {
  const vaults: BackupSummary['vaults'] = [];
  let token: string | undefined;
  do {
    const r = await client.send(new ListBackupVaultsCommand({ ...(token ? { NextToken: token } : {}) }));
    for (const v of r.BackupVaultList ?? []) vaults.push({ name: v.BackupVaultName ?? '?', recoveryPoints: v.NumberOfRecoveryPoints ?? 0 });
    token = r.NextToken || undefined;
  } while (token);
  return vaults;
}

/** The DR region's vaults (`dr`: a client of that region) and the copies into them (`primary`: a client of the primary region). */
export async function drBackupSummary(clients: { primary: BackupClient; dr: BackupClient }, regions: { primary: string; dr: string }, now: Date, windowHours = 24): Promise<DrBackupSummary | Unavailable> {
  let step = `AWS Backup (${regions.dr})`;
  try {
    const vaults = await vaultsOf(clients.dr);
    step = `AWS Backup copy jobs (${regions.primary})`;
    const copyJobsByState: Record<string, number> = {};
    const failed: DrBackupSummary['failed'] = [];
    let last: Date | undefined;
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await clients.primary.send(new ListCopyJobsCommand({ ByCreatedAfter: new Date(now.getTime() - windowHours * 3_600_000), ...(token ? { NextToken: token } : {}) }));
      for (const j of r.CopyJobs ?? []) {
        if (!(j.DestinationBackupVaultArn ?? '').includes(`:backup:${regions.dr}:`)) continue;
        const state = j.State ?? 'UNKNOWN';
        copyJobsByState[state] = (copyJobsByState[state] ?? 0) + 1;
        if (state === 'COMPLETED' && j.CompletionDate && (!last || j.CompletionDate > last)) last = j.CompletionDate;
        if (state === 'FAILED' || state === 'PARTIAL') failed.push({ resource: j.ResourceArn ?? '?', state, message: j.StatusMessage ?? '' });
      }
      token = r.NextToken || undefined;
      pages++;
    } while (token && pages < MAX_PAGES);
    return { available: true, region: regions.dr, vaults, copyJobsByState, windowHours, ...(last ? { lastCopiedAt: last.toISOString() } : {}), failed };
  } catch (e) {
    return unavailable(`${step}: ${awsErrorText(e)}`);
  }
}
