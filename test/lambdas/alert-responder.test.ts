/**
 * The alert responder on moto (EC2, DynamoDB, SNS→SQS) with GuardDuty and Security Hub findings in
 * their documented event shapes: isolation (every interface in the quarantine group, the original
 * groups kept in a tag), forensic snapshots of each volume, one notification; a replayed event and
 * a later occurrence of the same finding change nothing; a crash between isolating and notifying is
 * completed by the retry without a second snapshot or a lost original-groups tag; sample findings
 * touch nothing; an instance outside the quarantine group's VPC is reported, not isolated.
 */
import { strict as assert } from 'node:assert';
import { DescribeInstancesCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startMoto, type Moto } from '../gates/moto.js';
import { createAlertResponder, FORENSIC_TAG, ORIGINAL_GROUPS_TAG, QUARANTINE_TAG, type AlertDeps } from '../../lambdas/src/alert-responder.js';
import { InProgressError } from '../../lambdas/src/shared/idempotency.js';
import type { Notifier } from '../../lambdas/src/shared/notify.js';
import { guardDutyFinding, securityHubFinding, configNonCompliant } from '../../programs/09-automation/sample-events.js';
import { buildWorld, memoryLog, type World } from './world.js';

describe('lambda alert-responder (moto)', function () {
  this.timeout(120_000);
  let moto: Moto;
  let w: World;
  before(async () => {
    moto = await startMoto();
  });
  after(() => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    w = await buildWorld(moto);
  });

  const deps = (over: Partial<AlertDeps> = {}): AlertDeps => ({
    ec2: w.ec2,
    notifier: w.notifier(),
    idempotency: w.idempotency('alert-responder'),
    log: memoryLog(),
    quarantineGroupId: w.quarantineGroupId,
    quarantineVpcId: w.vpcId,
    envName: 'dev',
    ...over,
  });
  const describe1 = async (id: string) => (await w.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!;
  const tagsOf = (i: { Tags?: { Key?: string; Value?: string }[] }) => Object.fromEntries((i.Tags ?? []).map((t) => [t.Key, t.Value]));
  const forensic = async (finding: string) =>
    (await w.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: `tag:${FORENSIC_TAG}`, Values: [finding] }] }))).Snapshots ?? [];

  it('GuardDuty high finding: quarantines every interface, snapshots each volume, notifies once; the replayed event changes nothing', async () => {
    const { instanceId, volumeIds } = await w.instance();
    const handler = createAlertResponder(deps());
    const event = guardDutyFinding({ instanceId });

    const first = await handler(event);
    assert.equal(first.findings[0]!.action, 'isolated');
    assert.equal(first.findings[0]!.duplicate, false);
    const inst = await describe1(instanceId);
    for (const n of inst.NetworkInterfaces!) assert.deepEqual(n.Groups!.map((g) => g.GroupId), [w.quarantineGroupId]);
    const tags = tagsOf(inst);
    assert.equal(tags[QUARANTINE_TAG], event.detail.id);
    assert.match(tags[ORIGINAL_GROUPS_TAG]!, new RegExp(`^eni-[0-9a-f]+=${w.appGroupId}$`));
    const snaps = await forensic(event.detail.id);
    assert.deepEqual(snaps.map((s) => s.VolumeId).sort(), [...volumeIds].sort());
    const notes = await w.notifications();
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.Subject!, /^\[dev\] guardduty 8: Command and Control/);
    assert.equal(JSON.parse(notes[0]!.Message).action, 'isolated');

    const replay = await handler(event);
    assert.equal(replay.findings[0]!.duplicate, true);
    assert.equal(replay.findings[0]!.action, 'isolated', 'the duplicate reports the first outcome');
    assert.equal((await forensic(event.detail.id)).length, volumeIds.length, 'no second snapshot');
    assert.equal((await w.notifications()).length, 0, 'no second notification');
    assert.deepEqual(tagsOf(await describe1(instanceId)), tags, 'tags unchanged');

    // GuardDuty aggregates a recurring finding: a new event (new event id, count 2) for the same finding id.
    const again = guardDutyFinding({ instanceId });
    again.id = 'f1f2f3f4-0000-4000-8000-000000000002';
    again.detail.service.count = 2;
    assert.equal((await handler(again)).findings[0]!.duplicate, true);
    assert.equal((await w.notifications()).length, 0);
  });

  it('a crash after isolating and before notifying: the retry notifies once, takes no second snapshot and keeps the original groups', async () => {
    const { instanceId, volumeIds } = await w.instance();
    const real = w.notifier();
    let calls = 0;
    const flaky: Notifier = {
      publish: async (s, b) => {
        calls++;
        if (calls === 1) throw new Error('SNS throttled (injected)');
        return real.publish(s, b);
      },
    };
    const handler = createAlertResponder(deps({ notifier: flaky }));
    const event = guardDutyFinding({ instanceId });
    await assert.rejects(handler(event), /injected/);
    const mid = tagsOf(await describe1(instanceId));
    assert.equal(mid[QUARANTINE_TAG], event.detail.id, 'isolation happened before the fault');

    const retry = await handler(event);
    assert.equal(retry.findings[0]!.action, 'isolated');
    assert.equal(retry.findings[0]!.duplicate, false, 'the failed attempt left no COMPLETED record');
    assert.equal((await forensic(event.detail.id)).length, volumeIds.length, 'one snapshot per volume across both attempts');
    assert.match(tagsOf(await describe1(instanceId))[ORIGINAL_GROUPS_TAG]!, new RegExp(`=${w.appGroupId}$`), 'the retry did not record the quarantine group as the original');
    assert.equal((await w.notifications()).length, 1);
  });

  it('an invocation that finds the finding in progress elsewhere throws (Lambda retries later) and acts on nothing', async () => {
    const { instanceId } = await w.instance();
    const event = guardDutyFinding({ instanceId });
    const future = Math.floor(Date.now() / 1000) + 300;
    await w.ddb.send(new PutItemCommand({ TableName: w.table, Item: { pk: { S: `alert-responder#alert#${event.detail.id}` }, status: { S: 'IN_PROGRESS' }, lockUntil: { N: String(future) } } }));
    await assert.rejects(createAlertResponder(deps())(event), InProgressError);
    assert.equal(tagsOf(await describe1(instanceId))[QUARANTINE_TAG], undefined);
    assert.equal((await w.notifications()).length, 0);
  });

  it('a stale IN_PROGRESS record (crashed invocation past its lock) is taken over', async () => {
    const { instanceId } = await w.instance();
    const event = guardDutyFinding({ instanceId });
    const past = Math.floor(Date.now() / 1000) - 10;
    await w.ddb.send(new PutItemCommand({ TableName: w.table, Item: { pk: { S: `alert-responder#alert#${event.detail.id}` }, status: { S: 'IN_PROGRESS' }, lockUntil: { N: String(past) } } }));
    const r = await createAlertResponder(deps())(event);
    assert.equal(r.findings[0]!.action, 'isolated');
    assert.equal((await w.notifications()).length, 1);
  });

  it('a sample finding (CreateSampleFindings, the gate) touches nothing and notifies nothing', async () => {
    const { instanceId } = await w.instance();
    const r = await createAlertResponder(deps())(guardDutyFinding({ instanceId, sample: true }));
    assert.equal(r.findings[0]!.action, 'sample-ignored');
    const inst = await describe1(instanceId);
    assert.deepEqual(inst.NetworkInterfaces![0]!.Groups!.map((g) => g.GroupId), [w.appGroupId]);
    assert.equal(tagsOf(inst)[QUARANTINE_TAG], undefined);
    assert.equal((await w.notifications()).length, 0);
  });

  it('Security Hub HIGH finding on an instance (ASFF ARN id): isolated, tagged with a bounded finding tag', async () => {
    const { instanceId } = await w.instance();
    const ev = securityHubFinding({ instanceId });
    const r = await createAlertResponder(deps())(ev);
    assert.equal(r.findings[0]!.action, 'isolated');
    assert.equal(r.findings[0]!.instanceId, instanceId);
    assert.equal(tagsOf(await describe1(instanceId))[QUARANTINE_TAG], ev.detail.findings[0].Id);
    assert.equal((await createAlertResponder(deps())(ev)).findings[0]!.duplicate, true);
  });

  it('Security Hub finding already NOTIFIED (not NEW): below threshold, nothing touched', async () => {
    const { instanceId } = await w.instance();
    const r = await createAlertResponder(deps())(securityHubFinding({ instanceId, workflow: 'NOTIFIED' }));
    assert.equal(r.findings[0]!.action, 'below-threshold');
    assert.equal(tagsOf(await describe1(instanceId))[QUARANTINE_TAG], undefined);
  });

  it('an instance outside the quarantine group VPC is reported, not isolated; a Config change is notified only', async () => {
    const { instanceId } = await w.instance();
    const r = await createAlertResponder(deps({ quarantineVpcId: 'vpc-0000000000other' }))(guardDutyFinding({ instanceId }));
    assert.equal(r.findings[0]!.action, 'not-isolated-other-vpc');
    assert.deepEqual((await describe1(instanceId)).NetworkInterfaces![0]!.Groups!.map((g) => g.GroupId), [w.appGroupId]);
    const c = await createAlertResponder(deps())(configNonCompliant());
    assert.equal(c.findings[0]!.action, 'notified');
    const notes = await w.notifications();
    assert.equal(notes.length, 2);
    assert.equal(JSON.parse(notes[0]!.Message).action, 'not-isolated-other-vpc');
  });

  it('an instance that no longer exists is reported, not an error', async () => {
    const r = await createAlertResponder(deps())(guardDutyFinding({ instanceId: 'i-0123456789abcdef0' }));
    assert.equal(r.findings[0]!.action, 'instance-not-found');
  });
});
