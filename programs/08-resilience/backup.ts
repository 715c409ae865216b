/**
 * AWS Backup for the env's data: one plan whose daily rule writes to phase 1's primary vault and
 * copies every recovery point to the DR vault in the DR region (the copy action names the DR vault's
 * ARN), both kept backupRetentionDays (plus optional cold storage, which AWS Backup keeps at least 90
 * days: the env schema's cross-field rule holds deleteAfter >= coldStorageAfter + 90). Two
 * selections, both with phase 1's backup role:
 * - `volumes`: every EBS volume tagged backup=true. Phase 2's gp3 StorageClasses and
 *   VolumeSnapshotClass tag each CSI volume so (tagSpecification_1), which covers PostgreSQL's and
 *   Kafka's volumes (phase 4).
 * - `database-backups`: phase 4's logical PostgreSQL backups in the data-backup bucket (versioned,
 *   as S3 backups require; phase 1 gives the role AWS's S3 backup and restore policies).
 * And ECR replication of the platform's repositories to the DR region, so the DR cluster pulls the
 * same images after a failover.
 */
import * as aws from '@pulumi/aws';
import { vaultName } from './names.js';
import type { Phase8Inputs } from './phase.js';

/** The repository prefix phase 5 creates (`platform/<service>`), replicated to the DR region. */
export const ECR_REPLICATED_PREFIX = 'platform/';
/** Minutes AWS Backup may wait to start a job, and to finish it. */
export const START_WINDOW_MINUTES = 60;
export const COMPLETION_WINDOW_MINUTES = 360;

/** The lifecycle of every recovery point, in both regions. */
export function lifecycleOf(inputs: Phase8Inputs): Record<string, unknown> {
  const cold = inputs.backup.coldStorageAfterDays;
  return {
    deleteAfter: inputs.backupRetentionDays,
    ...(cold !== undefined ? { coldStorageAfter: cold, optInToArchiveForSupportedResources: true } : {}),
  };
}

export interface BackupResult {
  plan: aws.backup.Plan;
  selections: aws.backup.Selection[];
  ecrReplicationRules: string[];
}

export function createBackups(inputs: Phase8Inputs, primary: aws.Provider): BackupResult {
  const opts = { provider: primary };
  const lifecycle = lifecycleOf(inputs);
  const plan = new aws.backup.Plan(
    'backup-plan',
    {
      name: `platform-${inputs.envName}`,
      rules: [
        {
          ruleName: 'daily',
          targetVaultName: vaultName(inputs.backup.vaultArn),
          schedule: inputs.backup.schedule,
          scheduleExpressionTimezone: 'Etc/UTC',
          startWindow: START_WINDOW_MINUTES,
          completionWindow: COMPLETION_WINDOW_MINUTES,
          lifecycle,
          copyActions: [{ destinationVaultArn: inputs.backup.drVaultArn, lifecycle }],
          recoveryPointTags: { ...inputs.tags, 'platform:backup-rule': 'daily' },
        },
      ],
      tags: inputs.tags,
    },
    opts,
  );
  const selection = (name: string, args: Partial<aws.backup.SelectionArgs>) =>
    new aws.backup.Selection(`backup-${name}`, { name: `platform-${inputs.envName}-${name}`, planId: plan.id, iamRoleArn: inputs.backup.roleArn, ...args }, opts);
  const selections = [
    selection('volumes', {
      resources: ['arn:aws:ec2:*:*:volume/*'],
      conditions: [{ stringEquals: [{ key: 'aws:ResourceTag/backup', value: 'true' }] }],
    }),
    selection('database-backups', { resources: [`arn:aws:s3:::${inputs.backup.dataBackupBucket}`] }),
  ];

  new aws.ecr.ReplicationConfiguration(
    'ecr-replication',
    {
      replicationConfiguration: {
        rules: [
          {
            destinations: [{ region: inputs.dr.region, registryId: inputs.accountId }],
            repositoryFilters: [{ filter: ECR_REPLICATED_PREFIX, filterType: 'PREFIX_MATCH' }],
          },
        ],
      },
    },
    opts,
  );
  return { plan, selections, ecrReplicationRules: [`${inputs.dr.region}:${ECR_REPLICATED_PREFIX}`] };
}
