/**
 * Backup watcher: AWS Backup job events of a failed backup (FAILED, ABORTED, EXPIRED) or a failed
 * copy to the DR vault go to the alerts topic, once per job and state (idempotency record
 * `backup#<job id>#<state>`): AWS Backup emits its events best-effort every 5 minutes and an event
 * can come twice. Events of vaults other than the platform's (the rule already filters on them) are
 * logged and ignored.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { EventBridgeEvent } from './findings.js';
import { listEnv, numberEnv, requireEnv } from './shared/env.js';
import { dynamoIdempotency, type IdempotencyStore } from './shared/idempotency.js';
import { createLogger, type Logger } from './shared/log.js';
import { snsNotifier, type Notifier } from './shared/notify.js';

export interface BackupDeps {
  notifier: Notifier;
  idempotency: IdempotencyStore;
  log: Logger;
  vaultArns: string[];
  envName: string;
}

export interface BackupOutcome {
  kind: 'backup' | 'copy';
  jobId: string;
  state: string;
  action: 'notified' | 'ignored-other-vault' | 'ignored-state';
  duplicate: boolean;
}

const FAILED = { backup: ['FAILED', 'ABORTED', 'EXPIRED'], copy: ['FAILED'] };

export function createBackupWatcher(d: BackupDeps) {
  return async function handler(event: EventBridgeEvent): Promise<BackupOutcome> {
    const kind = event['detail-type'] === 'Copy Job State Change' ? 'copy' : event['detail-type'] === 'Backup Job State Change' ? 'backup' : undefined;
    if (event.source !== 'aws.backup' || !kind) throw new Error(`backup watcher: unexpected event '${event.source}' / '${event['detail-type']}'`);
    const det = event.detail ?? {};
    const jobId = String(kind === 'copy' ? det.copyJobId : det.backupJobId);
    const state = String(det.state);
    const vaults = kind === 'copy' ? [det.sourceBackupVaultArn, det.destinationBackupVaultArn] : [det.backupVaultArn];
    if (!FAILED[kind].includes(state)) return { kind, jobId, state, action: 'ignored-state', duplicate: false };
    if (!vaults.some((v) => d.vaultArns.includes(v))) {
      d.log.warn('job of a vault the platform does not own: ignored', { jobId, vaults });
      return { kind, jobId, state, action: 'ignored-other-vault', duplicate: false };
    }
    const { duplicate } = await d.idempotency.once(`backup#${jobId}#${state}`, async () => {
      await d.notifier.publish(`[${d.envName}] AWS Backup ${kind} job ${state}: ${det.resourceType ?? ''} ${det.resourceArn ?? ''}`, {
        kind,
        jobId,
        state,
        statusMessage: det.statusMessage,
        resourceArn: det.resourceArn,
        vaults,
        eventId: event.id,
        time: event.time,
      });
      return null;
    });
    d.log.info(duplicate ? 'duplicate job event: already notified' : 'failed job notified', { kind, jobId, state, eventId: event.id });
    return { kind, jobId, state, action: 'notified', duplicate };
  };
}

export async function handler(event: EventBridgeEvent) {
  const env = process.env;
  return createBackupWatcher({
    notifier: snsNotifier(new SNSClient({}), requireEnv(env, 'ALERTS_TOPIC_ARN')),
    idempotency: dynamoIdempotency(new DynamoDBClient({}), { table: requireEnv(env, 'IDEMPOTENCY_TABLE'), fn: 'backup-watcher', lockSeconds: numberEnv(env, 'LOCK_SECONDS', 120), ttlSeconds: 30 * 86400 }),
    log: createLogger('backup-watcher', { env: env.PLATFORM_ENV }),
    vaultArns: listEnv(env, 'BACKUP_VAULT_ARNS'),
    envName: requireEnv(env, 'PLATFORM_ENV'),
  })(event);
}
