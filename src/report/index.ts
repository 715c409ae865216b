/**
 * The posture report (`platform report`): gate results with evidence, static-check findings and
 * suppressions with expiry, Security Hub, GuardDuty and AWS Backup summaries, and the cost
 * estimate, as one Markdown and one HTML document under `.platform/reports/`. See docs/report.md.
 */
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { BackupClient } from '@aws-sdk/client-backup';
import type { EnvConfig } from '../core/env.js';
import { createAwsProbe } from '../gates/probes/aws.js';
import { backupSummary, drBackupSummary, guardDutySummary, securityHubSummary } from './aws-posture.js';
import type { AwsPostureSources } from './collect.js';

export { collectReport, type CollectInput, type AwsPostureSources } from './collect.js';
export { renderHtml, renderMarkdown, escapeHtml, escapeMarkdown } from './render.js';
export { writeReport } from './write.js';
export type * from './types.js';

/** The AWS sources of a real env: its primary region (and its DR region for the DR vaults), the default credential chain (or an emulator). */
export function awsSources(env: EnvConfig, opts: { endpoint?: string; now: Date }): AwsPostureSources {
  const probe = createAwsProbe({ region: env.regions.primary, maxAttempts: 2, requestTimeoutMs: 10_000, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
  const region = env.regions.primary;
  return {
    securityHub: () => securityHubSummary(probe.client(SecurityHubClient), region),
    guardDuty: () => guardDutySummary(probe.client(GuardDutyClient), region),
    backup: () => backupSummary(probe.client(BackupClient), region, opts.now),
    drBackup: () => drBackupSummary({ primary: probe.client(BackupClient), dr: probe.client(BackupClient, { region: env.regions.dr }) }, env.regions, opts.now),
  };
}
