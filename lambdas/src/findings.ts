/**
 * Turns the finding events the alert responder receives into one shape: GuardDuty findings
 * (detail = the finding as GetFindings returns it), Security Hub findings (detail.findings = ASFF
 * findings), AWS Config compliance changes and Amazon Inspector findings (notify only: they name no
 * instance to isolate). Sample findings (GuardDuty `service.additionalInfo.sample`, ASFF `Sample`)
 * are marked so the responder never isolates a real instance for one.
 */
import { createHash } from 'node:crypto';

export interface EventBridgeEvent<D = any> {
  version?: string;
  id: string;
  'detail-type': string;
  source: string;
  account?: string;
  time?: string;
  region?: string;
  resources?: string[];
  detail: D;
}

export interface Finding {
  source: 'guardduty' | 'securityhub' | 'config' | 'inspector';
  /** The finding's own id (stable across the events of one finding). */
  id: string;
  title: string;
  severity: string;
  /** EC2 instance to isolate; absent when the finding is about something else. */
  instanceId?: string;
  sample: boolean;
  /** Below the responder's threshold (the rule should not have sent it): reported, not acted on. */
  actionable: boolean;
}

const INSTANCE_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:instance\/(i-[0-9a-f]+)$/;

/** A tag-safe, bounded form of a finding id (ASFF ids are ARNs that can pass EC2's 256-character tag limit). */
export function findingTag(id: string): string {
  return id.length <= 128 && /^[\w+=.:/@-]+$/.test(id) ? id : `sha256:${createHash('sha256').update(id).digest('hex').slice(0, 40)}`;
}

export function parseFindings(event: EventBridgeEvent, minGuardDutySeverity = 7): Finding[] {
  const d = event.detail ?? {};
  switch (event.source) {
    case 'aws.guardduty': {
      const sev = Number(d.severity);
      const instanceId = d.resource?.resourceType === 'Instance' ? d.resource?.instanceDetails?.instanceId : undefined;
      return [
        {
          source: 'guardduty',
          id: String(d.id),
          title: String(d.title ?? d.type ?? 'GuardDuty finding'),
          severity: String(sev),
          instanceId: typeof instanceId === 'string' ? instanceId : undefined,
          sample: d.service?.additionalInfo?.sample === true || d.service?.additionalInfo?.sample === 'true',
          actionable: Number.isFinite(sev) && sev >= minGuardDutySeverity,
        },
      ];
    }
    case 'aws.securityhub':
      return (Array.isArray(d.findings) ? d.findings : []).map((f: any) => {
        const label = String(f.Severity?.Label ?? '');
        const inst = (f.Resources ?? []).find((r: any) => r.Type === 'AwsEc2Instance');
        const m = typeof inst?.Id === 'string' ? INSTANCE_ARN.exec(inst.Id) : null;
        return {
          source: 'securityhub' as const,
          id: String(f.Id),
          title: String(f.Title ?? 'Security Hub finding'),
          severity: label,
          instanceId: m ? m[1] : undefined,
          sample: f.Sample === true,
          actionable: (label === 'HIGH' || label === 'CRITICAL') && (f.Workflow?.Status ?? 'NEW') === 'NEW' && (f.RecordState ?? 'ACTIVE') === 'ACTIVE',
        };
      });
    case 'aws.config':
      return [
        {
          source: 'config',
          id: `${d.configRuleName}/${d.resourceType}/${d.resourceId}/${d.newEvaluationResult?.resultRecordedTime ?? event.time}`,
          title: `${d.configRuleName}: ${d.resourceType} ${d.resourceId} is ${d.newEvaluationResult?.complianceType}`,
          severity: String(d.newEvaluationResult?.complianceType ?? ''),
          sample: false,
          actionable: true,
        },
      ];
    case 'aws.inspector2':
      return [{ source: 'inspector', id: String(d.findingArn), title: String(d.title ?? 'Inspector finding'), severity: String(d.severity ?? ''), sample: false, actionable: true }];
    default:
      throw new Error(`alert responder: unexpected event source '${event.source}' (detail-type '${event['detail-type']}')`);
  }
}
