/**
 * Alert responder: GuardDuty, Security Hub, Config and Inspector findings of high severity.
 * For a finding that names an EC2 instance (and is not a sample):
 *   1. records the instance's security groups per network interface in a tag (once: a retry never
 *      overwrites the originals with the quarantine group), then puts every interface in the
 *      quarantine security group (no rules: no traffic in or out), an idempotent set;
 *   2. snapshots each attached EBS volume, tagged with the finding, skipping volumes that already
 *      have a snapshot for this finding;
 *   3. notifies the alerts topic.
 * Other findings are notified only. The whole finding is guarded by the idempotency record
 * (`alert#<finding id>`): GuardDuty sends a new event for every aggregated occurrence of a finding,
 * and the responder acts on the first only. The instance's VPC must be the quarantine group's VPC;
 * otherwise it notifies that it could not isolate (it never creates groups: least privilege).
 */
import { CreateSnapshotCommand, CreateTagsCommand, DescribeInstancesCommand, DescribeSnapshotsCommand, EC2Client, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { parseFindings, findingTag, type EventBridgeEvent, type Finding } from './findings.js';
import { requireEnv, numberEnv } from './shared/env.js';
import { dynamoIdempotency, type IdempotencyStore } from './shared/idempotency.js';
import { createLogger, type Logger } from './shared/log.js';
import { snsNotifier, type Notifier } from './shared/notify.js';

export const QUARANTINE_TAG = 'platform:quarantined-by-finding';
export const ORIGINAL_GROUPS_TAG = 'platform:pre-quarantine-groups';
export const FORENSIC_TAG = 'platform:forensic-finding';

export interface AlertDeps {
  ec2: EC2Client;
  notifier: Notifier;
  idempotency: IdempotencyStore;
  log: Logger;
  quarantineGroupId: string;
  quarantineVpcId: string;
  envName: string;
}

export interface FindingOutcome {
  findingId: string;
  source: Finding['source'];
  action: 'isolated' | 'notified' | 'sample-ignored' | 'below-threshold' | 'not-isolated-other-vpc' | 'instance-not-found';
  instanceId?: string;
  snapshotIds?: string[];
  duplicate: boolean;
}

async function isolate(d: AlertDeps, f: Finding): Promise<{ action: FindingOutcome['action']; snapshotIds: string[] }> {
  const tagValue = findingTag(f.id);
  const out = await d.ec2.send(new DescribeInstancesCommand({ InstanceIds: [f.instanceId!] })).catch((e) => {
    if (String(e?.name).includes('InvalidInstanceID')) return undefined;
    throw e;
  });
  const instance = out?.Reservations?.[0]?.Instances?.[0];
  if (!instance) return { action: 'instance-not-found', snapshotIds: [] };
  if (instance.VpcId !== d.quarantineVpcId) return { action: 'not-isolated-other-vpc', snapshotIds: [] };
  const tags = Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key, t.Value]));
  const enis = instance.NetworkInterfaces ?? [];
  if (tags[ORIGINAL_GROUPS_TAG] === undefined) {
    const original = enis.map((n) => `${n.NetworkInterfaceId}=${(n.Groups ?? []).map((g) => g.GroupId).join('+')}`).join(' ');
    await d.ec2.send(new CreateTagsCommand({ Resources: [instance.InstanceId!], Tags: [{ Key: ORIGINAL_GROUPS_TAG, Value: original.slice(0, 256) }] }));
  }
  for (const n of enis) {
    const groups = (n.Groups ?? []).map((g) => g.GroupId);
    if (groups.length === 1 && groups[0] === d.quarantineGroupId) continue;
    await d.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: n.NetworkInterfaceId!, Groups: [d.quarantineGroupId] }));
    d.log.info('interface quarantined', { instanceId: instance.InstanceId, networkInterfaceId: n.NetworkInterfaceId, from: groups });
  }
  await d.ec2.send(new CreateTagsCommand({ Resources: [instance.InstanceId!], Tags: [{ Key: QUARANTINE_TAG, Value: tagValue }] }));

  const volumes = (instance.BlockDeviceMappings ?? []).map((b) => b.Ebs?.VolumeId).filter((v): v is string => Boolean(v));
  const existing = await d.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: `tag:${FORENSIC_TAG}`, Values: [tagValue] }] }));
  const done = new Map((existing.Snapshots ?? []).map((s) => [s.VolumeId, s.SnapshotId!]));
  const snapshotIds: string[] = [];
  for (const v of volumes) {
    if (done.has(v)) {
      snapshotIds.push(done.get(v)!);
      continue;
    }
    const s = await d.ec2.send(
      new CreateSnapshotCommand({
        VolumeId: v,
        Description: `forensic snapshot of ${v} on ${instance.InstanceId} for ${f.source} finding ${tagValue}`.slice(0, 255),
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: FORENSIC_TAG, Value: tagValue }, { Key: 'platform:env', Value: d.envName }, { Key: 'platform:source-instance', Value: instance.InstanceId! }] }],
      }),
    );
    snapshotIds.push(s.SnapshotId!);
    d.log.info('forensic snapshot started', { volumeId: v, snapshotId: s.SnapshotId });
  }
  return { action: 'isolated', snapshotIds };
}

export function createAlertResponder(d: AlertDeps) {
  return async function handler(event: EventBridgeEvent): Promise<{ findings: FindingOutcome[] }> {
    const findings = parseFindings(event);
    const outcomes: FindingOutcome[] = [];
    for (const f of findings) {
      const base = { findingId: f.id, source: f.source, instanceId: f.instanceId };
      if (f.sample) {
        // Sample findings (GuardDuty CreateSampleFindings, the phase 9 gate) prove delivery; nothing is touched.
        d.log.info('sample finding: not acted on', { findingId: f.id, source: f.source, eventId: event.id });
        outcomes.push({ ...base, action: 'sample-ignored', duplicate: false });
        continue;
      }
      if (!f.actionable) {
        d.log.warn('finding below the responder threshold', { findingId: f.id, severity: f.severity });
        outcomes.push({ ...base, action: 'below-threshold', duplicate: false });
        continue;
      }
      const { duplicate, result } = await d.idempotency.once(`alert#${findingTag(f.id)}`, async () => {
        const r = f.instanceId ? await isolate(d, f) : { action: 'notified' as const, snapshotIds: [] as string[] };
        await d.notifier.publish(`[${d.envName}] ${f.source} ${f.severity}: ${f.title}`, { finding: f, action: r.action, snapshotIds: r.snapshotIds, eventId: event.id });
        return r;
      });
      d.log.info(duplicate ? 'duplicate finding event: already handled' : 'finding handled', { findingId: f.id, action: result.action, eventId: event.id });
      outcomes.push({ ...base, action: result.action, snapshotIds: result.snapshotIds, duplicate });
    }
    return { findings: outcomes };
  };
}

/** The Lambda entry point (configuration from the environment the program sets). */
export async function handler(event: EventBridgeEvent) {
  const env = process.env;
  const log = createLogger('alert-responder', { env: env.PLATFORM_ENV });
  const h = createAlertResponder({
    ec2: new EC2Client({}),
    notifier: snsNotifier(new SNSClient({}), requireEnv(env, 'ALERTS_TOPIC_ARN')),
    idempotency: dynamoIdempotency(new DynamoDBClient({}), { table: requireEnv(env, 'IDEMPOTENCY_TABLE'), fn: 'alert-responder', lockSeconds: numberEnv(env, 'LOCK_SECONDS', 360), ttlSeconds: 30 * 86400 }),
    log,
    quarantineGroupId: requireEnv(env, 'QUARANTINE_SECURITY_GROUP_ID'),
    quarantineVpcId: requireEnv(env, 'QUARANTINE_VPC_ID'),
    envName: requireEnv(env, 'PLATFORM_ENV'),
  });
  return h(event);
}
