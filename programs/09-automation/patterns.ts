/**
 * The EventBridge event patterns of phase 9, one per rule, and which responder each rule targets.
 * Event names are those of the EventBridge event reference and each service's documented events
 * (GuardDuty, Security Hub CSPM, AWS Backup, AWS Health, EC2 Spot, AWS Config, Amazon Inspector);
 * the tests match each against AWS's documented sample events and near misses.
 */
import type { LambdaName } from '../../lambdas/bundle.js';

/** The rules of phase 9 (the keys of `ruleArns`). */
export const RULES = ['guardduty', 'securityhub', 'backupFailed', 'copyFailed', 'health', 'spotInterruption', 'config', 'inspector'] as const;
export type RuleName = (typeof RULES)[number];

/** The responder each rule invokes. */
export const RULE_TARGETS: Record<RuleName, LambdaName> = {
  guardduty: 'alert-responder',
  securityhub: 'alert-responder',
  config: 'alert-responder',
  inspector: 'alert-responder',
  backupFailed: 'backup-watcher',
  copyFailed: 'backup-watcher',
  health: 'interruption-responder',
  spotInterruption: 'interruption-responder',
};

/** GuardDuty "high" severity is 7.0-8.9, "critical" 9.0-10.0 (GuardDuty severity levels). */
export const GUARDDUTY_MIN_SEVERITY = 7;

export interface PatternInputs {
  /** The platform's backup vaults (phase 8): only their jobs are watched. */
  backupVaultArns: { primary: string; dr: string };
}

export function eventPatterns(i: PatternInputs): Record<RuleName, Record<string, unknown>> {
  const vaults = [i.backupVaultArns.primary, i.backupVaultArns.dr];
  return {
    guardduty: { source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'], detail: { severity: [{ numeric: ['>=', GUARDDUTY_MIN_SEVERITY] }] } },
    securityhub: {
      source: ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Imported'],
      detail: { findings: { Severity: { Label: ['HIGH', 'CRITICAL'] }, Workflow: { Status: ['NEW'] }, RecordState: ['ACTIVE'] } },
    },
    backupFailed: { source: ['aws.backup'], 'detail-type': ['Backup Job State Change'], detail: { state: ['FAILED', 'ABORTED', 'EXPIRED'], backupVaultArn: vaults } },
    copyFailed: { source: ['aws.backup'], 'detail-type': ['Copy Job State Change'], detail: { state: ['FAILED'], sourceBackupVaultArn: vaults } },
    health: { source: ['aws.health'], 'detail-type': ['AWS Health Event'], detail: { service: ['EC2'], eventTypeCategory: ['scheduledChange'] } },
    spotInterruption: { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
    config: {
      source: ['aws.config'],
      'detail-type': ['Config Rules Compliance Change'],
      detail: { messageType: ['ComplianceChangeNotification'], newEvaluationResult: { complianceType: ['NON_COMPLIANT'] } },
    },
    inspector: { source: ['aws.inspector2'], 'detail-type': ['Inspector2 Finding'], detail: { severity: ['CRITICAL'], status: ['ACTIVE'] } },
  };
}
