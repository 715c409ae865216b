/**
 * The backup watcher and the interruption responder on moto (EC2, DynamoDB, SNS→SQS) with AWS's
 * documented sample events: failed backup and copy jobs of the platform's vaults are notified once
 * (a replayed event notifies nothing), other states and other vaults are ignored; a spot
 * interruption tags the instance and notifies only when Karpenter does not manage it, once; an EC2
 * scheduled change notifies for each affected instance, once.
 */
import { strict as assert } from 'node:assert';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { startMoto, type Moto } from '../gates/moto.js';
import { createBackupWatcher } from '../../lambdas/src/backup-watcher.js';
import { createInterruptionResponder, KARPENTER_TAG, NOTICE_TAG } from '../../lambdas/src/interruption-responder.js';
import { backupJobCompleted, backupJobFailed, copyJobFailed, healthScheduledChange, spotInterruption } from '../../programs/09-automation/sample-events.js';
import { buildWorld, memoryLog, type World } from './world.js';

const PRIMARY = 'arn:aws:backup:us-east-1:123456789012:backup-vault:platform-dev';
const DR = 'arn:aws:backup:us-west-2:123456789012:backup-vault:platform-dev-dr';

describe('lambda backup-watcher and interruption-responder (moto)', function () {
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

  const watcher = () => createBackupWatcher({ notifier: w.notifier(), idempotency: w.idempotency('backup-watcher'), log: memoryLog(), vaultArns: [PRIMARY, DR], envName: 'dev' });

  it('a failed backup job of the platform vault: one notification; the replayed event notifies nothing', async () => {
    const h = watcher();
    const ev = backupJobFailed(PRIMARY);
    assert.deepEqual(await h(ev), { kind: 'backup', jobId: ev.detail.backupJobId, state: 'FAILED', action: 'notified', duplicate: false });
    const notes = await w.notifications();
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.Subject!, /^\[dev\] AWS Backup backup job FAILED/);
    assert.match(JSON.parse(notes[0]!.Message).statusMessage, /does not exist/);
    assert.equal((await h(ev)).duplicate, true);
    assert.equal((await w.notifications()).length, 0);
  });

  it('ABORTED and EXPIRED are failures too, each notified once per job and state', async () => {
    const h = watcher();
    await h(backupJobFailed(PRIMARY, 'ABORTED'));
    await h(backupJobFailed(PRIMARY, 'EXPIRED'));
    await h(backupJobFailed(PRIMARY, 'EXPIRED'));
    assert.deepEqual((await w.notifications()).map((n) => n.Subject!.split(' ')[5]), ['ABORTED:', 'EXPIRED:']);
  });

  it('a failed copy to the DR vault is notified; a completed job and a job of a vault the platform does not own are not', async () => {
    const h = watcher();
    assert.equal((await h(copyJobFailed(PRIMARY, DR))).action, 'notified');
    assert.equal((await h(backupJobCompleted(PRIMARY))).action, 'ignored-state');
    assert.equal((await h(backupJobFailed('arn:aws:backup:us-east-1:123456789012:backup-vault:someone-else'))).action, 'ignored-other-vault');
    const notes = await w.notifications();
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.Subject!, /copy job FAILED/);
  });

  it('an event of another kind is refused by name (it means the rule pattern is wrong)', async () => {
    await assert.rejects(watcher()(spotInterruption('i-0123456789abcdef0')), /unexpected event 'aws.ec2' \/ 'EC2 Spot Instance Interruption Warning'/);
  });

  const responder = () => createInterruptionResponder({ ec2: w.ec2, notifier: w.notifier(), idempotency: w.idempotency('interruption-responder'), log: memoryLog(), envName: 'dev' });
  const tags = async (id: string) =>
    Object.fromEntries(((await w.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!.Tags ?? []).map((t) => [t.Key, t.Value]));

  it('spot interruption of an instance Karpenter does not manage: tagged and notified once; the replay changes nothing', async () => {
    const { instanceId } = await w.instance();
    const h = responder();
    const ev = spotInterruption(instanceId);
    const r = await h(ev);
    assert.deepEqual(r.instances.map((i) => [i.action, i.karpenterManaged, i.duplicate]), [['tagged-and-notified', false, false]]);
    assert.equal((await tags(instanceId))[NOTICE_TAG], `spot:terminate@${ev.time}`);
    assert.equal((await w.notifications()).length, 1);
    const before = await tags(instanceId);
    assert.equal((await h(ev)).instances[0]!.duplicate, true);
    assert.deepEqual(await tags(instanceId), before);
    assert.equal((await w.notifications()).length, 0);
  });

  it('spot interruption of a Karpenter node: tagged only (Karpenter drains it from its own queue), nothing notified', async () => {
    const { instanceId } = await w.instance({ [KARPENTER_TAG]: 'spot' });
    const r = await responder()(spotInterruption(instanceId));
    assert.deepEqual(r.instances.map((i) => [i.action, i.karpenterManaged]), [['tagged', true]]);
    assert.equal((await w.notifications()).length, 0);
  });

  it('an EC2 scheduled change: every affected instance tagged and notified once, Karpenter-managed or not', async () => {
    const a = await w.instance({ [KARPENTER_TAG]: 'on-demand' });
    const b = await w.instance();
    const ev = healthScheduledChange([a.instanceId, b.instanceId]);
    const r = await responder()(ev);
    assert.deepEqual(r.instances.map((i) => i.action), ['tagged-and-notified', 'tagged-and-notified']);
    assert.equal((await tags(b.instanceId))[NOTICE_TAG], `scheduled:AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED@${ev.time}`);
    assert.equal((await w.notifications()).length, 2);
    await responder()(ev);
    assert.equal((await w.notifications()).length, 0);
  });
});
