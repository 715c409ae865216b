/**
 * Spot interruption and scheduled-event responder. Karpenter already drains its nodes from the
 * phase 1 interruption queue (EC2 Spot Instance Interruption Warning, AWS Health scheduled changes),
 * so this function never drains or terminates anything (no competing remediation, as the phase
 * reference warns). It makes the notice visible:
 * - tags each affected instance `platform:interruption-notice = <kind>:<action or event code>@<time>`
 *   (a set: repeating it changes nothing);
 * - notifies the alerts topic for instances Karpenter does not manage (no `karpenter.sh/nodepool`
 *   tag: nobody drains those) and for every scheduled change (planned maintenance people must know
 *   about), once per event key (idempotency record `interrupt#<instance>#<kind>#<code>`).
 */
import { CreateTagsCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { EventBridgeEvent } from './findings.js';
import { numberEnv, requireEnv } from './shared/env.js';
import { dynamoIdempotency, type IdempotencyStore } from './shared/idempotency.js';
import { createLogger, type Logger } from './shared/log.js';
import { snsNotifier, type Notifier } from './shared/notify.js';

export const NOTICE_TAG = 'platform:interruption-notice';
export const KARPENTER_TAG = 'karpenter.sh/nodepool';

export interface InterruptionDeps {
  ec2: EC2Client;
  notifier: Notifier;
  idempotency: IdempotencyStore;
  log: Logger;
  envName: string;
}

export interface InterruptionOutcome {
  instanceId: string;
  kind: 'spot' | 'scheduled';
  code: string;
  karpenterManaged: boolean;
  action: 'tagged' | 'tagged-and-notified' | 'instance-not-found';
  duplicate: boolean;
}

function notices(event: EventBridgeEvent): { kind: 'spot' | 'scheduled'; code: string; instances: string[] } {
  if (event.source === 'aws.ec2' && event['detail-type'] === 'EC2 Spot Instance Interruption Warning') {
    return { kind: 'spot', code: String(event.detail?.['instance-action'] ?? 'terminate'), instances: [String(event.detail?.['instance-id'])] };
  }
  if (event.source === 'aws.health' && event['detail-type'] === 'AWS Health Event') {
    const ids = (event.detail?.affectedEntities ?? []).map((e: any) => String(e.entityValue)).filter((v: string) => /^i-[0-9a-f]+$/.test(v));
    return { kind: 'scheduled', code: String(event.detail?.eventTypeCode), instances: ids };
  }
  throw new Error(`interruption responder: unexpected event '${event.source}' / '${event['detail-type']}'`);
}

export function createInterruptionResponder(d: InterruptionDeps) {
  return async function handler(event: EventBridgeEvent): Promise<{ instances: InterruptionOutcome[] }> {
    const n = notices(event);
    const out: InterruptionOutcome[] = [];
    if (n.instances.length === 0) d.log.warn('event names no EC2 instance', { eventId: event.id, code: n.code });
    for (const id of n.instances) {
      const desc = await d.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })).catch((e) => {
        if (String(e?.name).includes('InvalidInstanceID')) return undefined;
        throw e;
      });
      const inst = desc?.Reservations?.[0]?.Instances?.[0];
      if (!inst) {
        out.push({ instanceId: id, kind: n.kind, code: n.code, karpenterManaged: false, action: 'instance-not-found', duplicate: false });
        continue;
      }
      const karpenterManaged = (inst.Tags ?? []).some((t) => t.Key === KARPENTER_TAG);
      const value = `${n.kind}:${n.code}@${event.time ?? ''}`.slice(0, 256);
      await d.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: NOTICE_TAG, Value: value }] }));
      const notify = n.kind === 'scheduled' || !karpenterManaged;
      let duplicate = false;
      if (notify) {
        ({ duplicate } = await d.idempotency.once(`interrupt#${id}#${n.kind}#${n.code}`, async () => {
          await d.notifier.publish(`[${d.envName}] ${n.kind === 'spot' ? 'Spot interruption' : 'Scheduled change'} ${n.code}: ${id}`, {
            instanceId: id,
            kind: n.kind,
            code: n.code,
            karpenterManaged,
            eventId: event.id,
            time: event.time,
            description: event.detail?.eventDescription?.[0]?.latestDescription,
          });
          return null;
        }));
      }
      d.log.info('interruption notice handled', { instanceId: id, kind: n.kind, code: n.code, karpenterManaged, notified: notify && !duplicate, duplicate });
      out.push({ instanceId: id, kind: n.kind, code: n.code, karpenterManaged, action: notify ? 'tagged-and-notified' : 'tagged', duplicate });
    }
    return { instances: out };
  };
}

export async function handler(event: EventBridgeEvent) {
  const env = process.env;
  return createInterruptionResponder({
    ec2: new EC2Client({}),
    notifier: snsNotifier(new SNSClient({}), requireEnv(env, 'ALERTS_TOPIC_ARN')),
    idempotency: dynamoIdempotency(new DynamoDBClient({}), { table: requireEnv(env, 'IDEMPOTENCY_TABLE'), fn: 'interruption-responder', lockSeconds: numberEnv(env, 'LOCK_SECONDS', 120), ttlSeconds: 7 * 86400 }),
    log: createLogger('interruption-responder', { env: env.PLATFORM_ENV }),
    envName: requireEnv(env, 'PLATFORM_ENV'),
  })(event);
}
