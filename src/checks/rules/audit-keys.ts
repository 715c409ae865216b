/**
 * Audit, key and data-store rules (reference/reliability.md §3 rows 18-21, 26-27, 31-32, plus SQS,
 * SNS, GuardDuty and Backup vault encryption): CloudTrail, CloudWatch log groups, KMS keys, ECR.
 */
import type { ResourceRule } from '../types.js';
import { list, policyStatements, principals } from '../util.js';

const TRAIL = 'aws:cloudtrail/trail:Trail';
const LOG_GROUP = 'aws:cloudwatch/logGroup:LogGroup';
const KEY = 'aws:kms/key:Key';
const ECR = 'aws:ecr/repository:Repository';

/** Log retention the rules require (CKV_AWS_338): one year. 0 means "never expire", which passes. */
export const MIN_LOG_RETENTION_DAYS = 365;

function flag(name: string, description: string, mirrors: string[], fix: string, type: string, property: string, want: unknown, message: string): ResourceRule {
  return {
    kind: 'resource',
    name,
    description,
    severity: 'medium',
    mirrors,
    fix,
    resourceTypes: [type],
    validateResource(r, report) {
      if (r.props[property] !== want) report({ property, message });
    },
  };
}

export const auditKeyRules: ResourceRule[] = [
  {
    kind: 'resource',
    name: 'cloudtrail-multi-region',
    description: 'CloudTrail is multi-region and includes global service events',
    severity: 'high',
    mirrors: ['CKV_AWS_67', 'AVD-AWS-0014', 'CIS AWS 3.1'],
    fix: 'set isMultiRegionTrail: true and includeGlobalServiceEvents: true',
    resourceTypes: [TRAIL],
    validateResource(r, report) {
      if (r.props.isMultiRegionTrail !== true) report({ property: 'isMultiRegionTrail', message: 'the trail records one region only' });
      if (r.props.includeGlobalServiceEvents === false) report({ property: 'includeGlobalServiceEvents', message: 'global service events (IAM, STS) are not recorded' });
    },
  },
  flag('cloudtrail-log-validation', 'CloudTrail log file validation is on', ['CKV_AWS_36', 'AVD-AWS-0016', 'CIS AWS 3.2'], 'set enableLogFileValidation: true', TRAIL, 'enableLogFileValidation', true, 'log file integrity validation is off'),
  {
    kind: 'resource',
    name: 'cloudtrail-kms',
    description: 'CloudTrail logs are encrypted with a KMS customer key',
    severity: 'medium',
    mirrors: ['CKV_AWS_35', 'AVD-AWS-0015', 'CIS AWS 3.5'],
    fix: 'set kmsKeyId to the logs KMS key',
    resourceTypes: [TRAIL],
    validateResource(r, report) {
      if (!r.props.kmsKeyId) report({ property: 'kmsKeyId', message: 'the trail is encrypted with S3-managed keys only' });
    },
  },
  {
    kind: 'resource',
    name: 'cloudtrail-cloudwatch-logs',
    description: 'CloudTrail is logging and delivers to CloudWatch Logs',
    severity: 'low',
    mirrors: ['CKV2_AWS_10', 'CKV_AWS_251', 'AVD-AWS-0162', 'CIS AWS 3.4 (v1.4)'],
    fix: 'set cloudWatchLogsGroupArn and cloudWatchLogsRoleArn, and leave enableLogging on',
    resourceTypes: [TRAIL],
    validateResource(r, report) {
      if (r.props.enableLogging === false) report({ property: 'enableLogging', message: 'the trail is created with logging off' });
      if (!r.props.cloudWatchLogsGroupArn) report({ property: 'cloudWatchLogsGroupArn', message: 'the trail does not deliver to CloudWatch Logs' });
    },
  },
  {
    kind: 'resource',
    name: 'log-group-kms',
    description: 'CloudWatch log groups are encrypted with a KMS customer key',
    severity: 'medium',
    mirrors: ['CKV_AWS_158', 'AVD-AWS-0017'],
    fix: 'set kmsKeyId to the logs KMS key (pre-create /aws/eks/<cluster>/cluster too)',
    resourceTypes: [LOG_GROUP],
    validateResource(r, report) {
      if (!r.props.kmsKeyId) report({ property: 'kmsKeyId', message: 'the log group is not encrypted with a customer key' });
    },
  },
  {
    kind: 'resource',
    name: 'log-group-retention',
    description: `CloudWatch log groups keep logs at least ${MIN_LOG_RETENTION_DAYS} days`,
    severity: 'low',
    mirrors: ['CKV_AWS_338', 'CKV_AWS_66'],
    fix: `set retentionInDays to ${MIN_LOG_RETENTION_DAYS} or more (network.flowLogRetentionDays in the env file for flow logs)`,
    resourceTypes: [LOG_GROUP],
    validateResource(r, report) {
      const d = r.props.retentionInDays;
      if (d === undefined) report({ property: 'retentionInDays', message: 'no retention set' });
      else if (Number(d) !== 0 && Number(d) < MIN_LOG_RETENTION_DAYS) report({ property: 'retentionInDays', message: `retention ${String(d)} days is under ${MIN_LOG_RETENTION_DAYS}` });
    },
  },
  flag('kms-key-rotation', 'KMS keys rotate yearly', ['CKV_AWS_7', 'AVD-AWS-0065', 'aws-kms-key-enable-key-rotation', 'cmk-backing-key-rotation-enabled', 'CIS AWS 3.6'], 'set enableKeyRotation: true', KEY, 'enableKeyRotation', true, 'key rotation is off'),
  {
    kind: 'resource',
    name: 'kms-key-policy-safe',
    description: 'KMS key policies grant no "*" principal without a condition and keep the lockout safety check',
    severity: 'high',
    mirrors: ['CKV_AWS_33', 'aws-kms-key-disallow-bypass-policy-lockout-safety-check'],
    fix: 'name principals (account root, roles, services) or add a condition; drop bypassPolicyLockoutSafetyCheck',
    resourceTypes: [KEY],
    validateResource(r, report) {
      if (r.props.bypassPolicyLockoutSafetyCheck === true) report({ property: 'bypassPolicyLockoutSafetyCheck', message: 'the policy lockout safety check is bypassed' });
      const parsed = policyStatements(r.props.policy);
      if (parsed?.invalid) report({ property: 'policy', message: 'the key policy is not valid JSON' });
      parsed?.statements.forEach((s, i) => {
        if ((s.Effect ?? 'Allow') === 'Allow' && principals(s.Principal).includes('*') && !s.Condition) {
          report({ property: `policy.Statement[${i}].Principal`, message: 'a statement allows any principal without a condition' });
        }
      });
    },
  },
  flag('ecr-immutable-tags', 'ECR repositories have immutable tags', ['CKV_AWS_51', 'aws-ecr-repository-disallow-mutable-image', 'AVD-AWS-0031'], 'set imageTagMutability: "IMMUTABLE"', ECR, 'imageTagMutability', 'IMMUTABLE', 'image tags can be overwritten'),
  {
    kind: 'resource',
    name: 'ecr-scan-on-push',
    description: 'ECR repositories scan images on push',
    severity: 'medium',
    mirrors: ['CKV_AWS_163', 'AVD-AWS-0030', 'aws-ecr-repository-enable-image-scan', 'CIS EKS 5.1.1'],
    fix: 'set imageScanningConfiguration: { scanOnPush: true } (or enhanced scanning on the registry)',
    resourceTypes: [ECR],
    validateResource(r, report) {
      if ((r.props.imageScanningConfiguration as { scanOnPush?: boolean } | undefined)?.scanOnPush !== true) report({ property: 'imageScanningConfiguration.scanOnPush', message: 'images are not scanned on push' });
    },
  },
  {
    kind: 'resource',
    name: 'ecr-kms',
    description: 'ECR repositories are encrypted with a KMS key',
    severity: 'low',
    mirrors: ['CKV_AWS_136', 'AVD-AWS-0033'],
    fix: 'set encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: <key> }]',
    resourceTypes: [ECR],
    validateResource(r, report) {
      const enc = list<{ encryptionType?: string }>(r.props.encryptionConfigurations);
      if (!enc.some((e) => e.encryptionType === 'KMS' || e.encryptionType === 'KMS_DSSE')) report({ property: 'encryptionConfigurations', message: 'the repository uses AES256 with an AWS-owned key' });
    },
  },
  {
    kind: 'resource',
    name: 'sqs-encrypted',
    description: 'SQS queues are encrypted at rest',
    severity: 'medium',
    mirrors: ['CKV_AWS_27', 'AVD-AWS-0096'],
    fix: 'set sqsManagedSseEnabled: true or kmsMasterKeyId',
    resourceTypes: ['aws:sqs/queue:Queue'],
    validateResource(r, report) {
      if (r.props.sqsManagedSseEnabled === false && !r.props.kmsMasterKeyId) report({ property: 'sqsManagedSseEnabled', message: 'the queue is not encrypted' });
    },
  },
  {
    kind: 'resource',
    name: 'sns-encrypted',
    description: 'SNS topics are encrypted with KMS',
    severity: 'medium',
    mirrors: ['CKV_AWS_26', 'AVD-AWS-0095'],
    fix: 'set kmsMasterKeyId',
    resourceTypes: ['aws:sns/topic:Topic'],
    validateResource(r, report) {
      if (!r.props.kmsMasterKeyId) report({ property: 'kmsMasterKeyId', message: 'the topic is not encrypted' });
    },
  },
  {
    kind: 'resource',
    name: 'guardduty-enabled',
    description: 'GuardDuty detectors are enabled',
    severity: 'medium',
    mirrors: ['CKV2_AWS_3', 'AWS FSBP GuardDuty.1'],
    fix: 'set enable: true',
    resourceTypes: ['aws:guardduty/detector:Detector'],
    validateResource(r, report) {
      if (r.props.enable === false) report({ property: 'enable', message: 'the detector is created disabled' });
    },
  },
  {
    kind: 'resource',
    name: 'backup-vault-kms',
    description: 'Backup vaults are encrypted with a KMS customer key',
    severity: 'medium',
    mirrors: ['CKV_AWS_166'],
    fix: 'set kmsKeyArn to the backup KMS key',
    resourceTypes: ['aws:backup/vault:Vault'],
    validateResource(r, report) {
      if (!r.props.kmsKeyArn) report({ property: 'kmsKeyArn', message: 'the vault uses the AWS-managed backup key' });
    },
  },
  {
    kind: 'resource',
    name: 'backup-plan-dr-copy',
    description:
      "Every backup plan rule copies its recovery points to a vault in the env's DR region, keeps the copies at least as long as the originals, and leaves 90 days in cold storage before deletion",
    severity: 'high',
    mirrors: ['AWS FSBP Backup (cross-region copy)'],
    fix: "add copyActions: [{ destinationVaultArn: <phase 1's DR vault ARN>, lifecycle: <the rule's lifecycle> }] to every rule",
    resourceTypes: ['aws:backup/plan:Plan'],
    validateResource(r, report, ctx) {
      const rules = Array.isArray(r.props.rules) ? (r.props.rules as Record<string, unknown>[]) : [];
      rules.forEach((rule, i) => {
        const at = `rules[${i}]`;
        const keep = lifecycleOf(rule.lifecycle);
        checkColdStorage(keep, `${at}.lifecycle`, report);
        const copies = Array.isArray(rule.copyActions) ? (rule.copyActions as Record<string, unknown>[]) : [];
        if (copies.length === 0) {
          report({ property: `${at}.copyActions`, message: `rule '${String(rule.ruleName ?? i)}' copies nothing out of the region: a regional outage loses every recovery point` });
          return;
        }
        const regionOf = (arn: unknown) => (typeof arn === 'string' && arn.startsWith('arn:') ? arn.split(':')[3] : undefined);
        const dr = ctx.regions?.dr;
        if (dr && !copies.some((c) => regionOf(c.destinationVaultArn) === dr)) {
          report({ property: `${at}.copyActions`, message: `no copy goes to a vault in the DR region ${dr} (destinations: ${copies.map((c) => regionOf(c.destinationVaultArn) ?? String(c.destinationVaultArn)).join(', ')})` });
        }
        copies.forEach((c, j) => {
          const copyKeep = lifecycleOf(c.lifecycle);
          checkColdStorage(copyKeep, `${at}.copyActions[${j}].lifecycle`, report);
          if (keep.deleteAfter !== undefined && (copyKeep.deleteAfter === undefined ? false : copyKeep.deleteAfter < keep.deleteAfter)) {
            report({ property: `${at}.copyActions[${j}].lifecycle.deleteAfter`, message: `the DR copy is kept ${copyKeep.deleteAfter} days, fewer than the original's ${keep.deleteAfter}` });
          }
        });
      });
    },
  },
];

function lifecycleOf(v: unknown): { deleteAfter?: number; coldStorageAfter?: number } {
  if (!v || typeof v !== 'object') return {};
  const l = v as Record<string, unknown>;
  return {
    ...(typeof l.deleteAfter === 'number' ? { deleteAfter: l.deleteAfter } : {}),
    ...(typeof l.coldStorageAfter === 'number' ? { coldStorageAfter: l.coldStorageAfter } : {}),
  };
}

/** AWS Backup keeps a recovery point at least 90 days in cold storage: deleteAfter >= coldStorageAfter + 90 or the plan is refused. */
function checkColdStorage(l: { deleteAfter?: number; coldStorageAfter?: number }, at: string, report: (v: { property: string; message: string }) => void): void {
  if (l.coldStorageAfter !== undefined && l.deleteAfter !== undefined && l.deleteAfter < l.coldStorageAfter + 90) {
    report({ property: `${at}.deleteAfter`, message: `deleted after ${l.deleteAfter} days but moved to cold storage after ${l.coldStorageAfter}: AWS Backup needs 90 days in cold storage (deleteAfter >= ${l.coldStorageAfter + 90})` });
  }
}
