import { strict as assert } from 'node:assert';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand, DisableRuleCommand } from '@aws-sdk/client-eventbridge';
import { BackupClient, CreateBackupVaultCommand } from '@aws-sdk/client-backup';
import { KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import { EC2Client, CreateVpcCommand, CreateFlowLogsCommand } from '@aws-sdk/client-ec2';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { gates } from '../../programs/01-foundation/gates.js';
import { allowsEventBridge } from '../../programs/01-foundation/gates-queue-backup.js';
import { INTERRUPTION_RULES, ruleName } from '../../programs/01-foundation/interruption-rules.js';
import type { Phase1Outputs } from '../../programs/01-foundation/phase.js';
import { createProbes } from '../../src/gates/probes/index.js';
import { runGates, type GatedPhase } from '../../src/gates/run-gates.js';
import type { GateResult } from '../../src/core/gate.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testEnv } from '../helpers/env-fixtures.js';
import { startMoto, motoConfig, TEST_CREDENTIALS, type Moto } from './moto.js';

const phase1: GatedPhase = { id: 1, gates };
const PRIMARY = 'eu-west-1';
const DR = 'eu-central-1';
const CLUSTER = 'stg-platform';

interface Faults {
  sseOff?: boolean;
  policyWithoutEvents?: boolean;
  untargetedRule?: string;
  disabledRule?: string;
  wrongPrimaryVaultKey?: boolean;
  noDrVault?: boolean;
  noDrFlowLog?: boolean;
  failingPrimaryFlowLog?: boolean;
}

describe('phase 1 queue, backup and flow-log gates (against the moto AWS emulator)', function () {
  this.timeout(120_000);
  let moto: Moto;
  before(async () => (moto = await startMoto()));
  after(() => moto?.stop());
  beforeEach(() => moto.reset());

  /** Builds what phase 1 builds for these gates, with optional faults, and returns the outputs. */
  async function build(f: Faults = {}): Promise<Phase1Outputs> {
    const c = motoConfig(moto, PRIMARY);
    const sqs = new SQSClient(c);
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: CLUSTER, Attributes: { MessageRetentionPeriod: '300', SqsManagedSseEnabled: f.sseOff ? 'false' : 'true' } }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const service = f.policyWithoutEvents ? ['sqs.amazonaws.com'] : ['events.amazonaws.com', 'sqs.amazonaws.com'];
    const policy = { Version: '2012-10-17', Statement: [
      { Sid: 'EventBridgeAndSqsSend', Effect: 'Allow', Principal: { Service: service }, Action: 'sqs:SendMessage', Resource: queueArn },
      { Sid: 'DenyHTTP', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: queueArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ] };
    const { SetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify(policy) } }));
    const events = new EventBridgeClient(c);
    for (const r of INTERRUPTION_RULES) {
      const Name = ruleName(CLUSTER, r.key);
      await events.send(new PutRuleCommand({ Name, EventPattern: JSON.stringify({ source: [r.source], 'detail-type': [r.detailType] }) }));
      if (f.untargetedRule !== r.key) await events.send(new PutTargetsCommand({ Rule: Name, Targets: [{ Id: 'KarpenterInterruptionQueue', Arn: queueArn }] }));
      if (f.disabledRule === r.key) await events.send(new DisableRuleCommand({ Name }));
    }
    const backupKey = (await new KMSClient(c).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const otherKey = (await new KMSClient(c).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const drKey = (await new KMSClient(motoConfig(moto, DR)).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const backupVaultArn = (await new BackupClient(c).send(new CreateBackupVaultCommand({ BackupVaultName: 'platform-stg', EncryptionKeyArn: f.wrongPrimaryVaultKey ? otherKey : backupKey }))).BackupVaultArn!;
    const drBackupVaultArn = f.noDrVault
      ? `arn:aws:backup:${DR}:123456789012:backup-vault:platform-stg-dr`
      : (await new BackupClient(motoConfig(moto, DR)).send(new CreateBackupVaultCommand({ BackupVaultName: 'platform-stg-dr', EncryptionKeyArn: drKey }))).BackupVaultArn!;
    const vpc = async (region: string, cidr: string) => (await new EC2Client(motoConfig(moto, region)).send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
    const vpcId = await vpc(PRIMARY, '10.20.0.0/16');
    const drVpcId = await vpc(DR, '10.21.0.0/16');
    await new S3Client(c).send(new CreateBucketCommand({ Bucket: 'flow-logs-stg', CreateBucketConfiguration: { LocationConstraint: PRIMARY } }));
    const flowLog = (region: string, id: string, failing: boolean) =>
      new EC2Client(motoConfig(moto, region)).send(new CreateFlowLogsCommand(failing
        // A CloudWatch log group that does not exist: AWS accepts it and reports the delivery failure.
        ? { ResourceType: 'VPC', ResourceIds: [id], TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs', LogGroupName: '/platform/stg/vpc-flow-logs', DeliverLogsPermissionArn: 'arn:aws:iam::123456789012:role/flow-logs' }
        : { ResourceType: 'VPC', ResourceIds: [id], TrafficType: 'ALL', LogDestinationType: 's3', LogDestination: 'arn:aws:s3:::flow-logs-stg' }));
    await flowLog(PRIMARY, vpcId, Boolean(f.failingPrimaryFlowLog));
    if (!f.noDrFlowLog) {
      await new S3Client(motoConfig(moto, DR)).send(new CreateBucketCommand({ Bucket: 'flow-logs-stg-dr', CreateBucketConfiguration: { LocationConstraint: DR } }));
      await new EC2Client(motoConfig(moto, DR)).send(new CreateFlowLogsCommand({ ResourceType: 'VPC', ResourceIds: [drVpcId], TrafficType: 'ALL', LogDestinationType: 's3', LogDestination: 'arn:aws:s3:::flow-logs-stg-dr' }));
    }
    // Only the outputs these gates read exist in moto; the rest of the contract is irrelevant here.
    return {
      interruptionQueueName: CLUSTER, interruptionQueueArn: queueArn, kmsKeyArns: { backup: backupKey },
      backupVaultArn, drBackupVaultArn, drRegion: DR, vpcId, drVpcId,
    } as unknown as Phase1Outputs;
  }

  async function run(outputs: Phase1Outputs, only: string[]) {
    const env = testEnv();
    const probes = createProbes(env, outputs, { awsEndpoint: moto.endpoint, awsCredentials: TEST_CREDENTIALS });
    const clock = new FakeClock();
    const results = await runGates(phase1, { env, outputs, probes, clock, signal: new AbortController().signal, simulated: false, emit: () => {}, only });
    return { r: Object.fromEntries(results.map((x) => [x.gate, x])) as Record<string, GateResult>, clock };
  }

  const ALL = ['karpenter-interruption-queue', 'backup-vaults', 'flow-logs-active'];

  it('passes on a healthy baseline: encrypted queue open to EventBridge, five rules targeting it, vaults in both regions, flow logs delivering', async () => {
    const outputs = await build();
    const { r, clock } = await run(outputs, ALL);
    for (const n of ALL) assert.equal(r[n]!.status, 'pass', `${n}: ${r[n]!.evidence.join(' | ')}`);
    assert.equal(clock.sleeps.length, 0);
    const q = r['karpenter-interruption-queue']!.evidence;
    assert.equal(q[0], `queue ${outputs.interruptionQueueArn}: SSE SSE-SQS`);
    assert.equal(q.filter((e) => / -> queue$/.test(e)).length, 5);
    assert.ok(q.includes('rule stg-platform-spot-interruption: ENABLED, EC2 Spot Instance Interruption Warning -> queue'));
    assert.match(r['backup-vaults']!.evidence[1]!, /^DR vault platform-stg-dr in eu-central-1: key arn:aws:kms:eu-central-1:/);
    assert.match(r['flow-logs-active']!.evidence[1]!, new RegExp(`^DR VPC ${outputs.drVpcId} \\(eu-central-1\\): fl-[0-9a-f]+ ALL ACTIVE delivery SUCCESS$`));
  });

  it('queue: SSE off, a policy without EventBridge, a disabled rule and an untargeted rule fail at once, each named', async () => {
    const outputs = await build({ sseOff: true, policyWithoutEvents: true, disabledRule: 'rebalance', untargetedRule: 'health' });
    const { r, clock } = await run(outputs, ['karpenter-interruption-queue']);
    const q = r['karpenter-interruption-queue']!;
    assert.equal(q.status, 'fail');
    assert.equal(clock.sleeps.length, 0, 'drift is terminal');
    assert.deepEqual(q.evidence.slice(0, 4), [
      'queue stg-platform has server-side encryption off',
      'queue policy does not allow events.amazonaws.com to sqs:SendMessage',
      'rule stg-platform-health does not target the queue; targets: none',
      'rule stg-platform-rebalance is DISABLED',
    ]);
    assert.match(q.hint!, /platform up --phase 1/);
  });

  it('backup: a primary vault on another key and a missing DR vault fail, naming region and key', async () => {
    const outputs = await build({ wrongPrimaryVaultKey: true, noDrVault: true });
    const { r } = await run(outputs, ['backup-vaults']);
    const b = r['backup-vaults']!;
    assert.equal(b.status, 'fail');
    assert.match(b.evidence[0]!, new RegExp(`^primary vault platform-stg is encrypted with arn:aws:kms:eu-west-1:\\d+:key/[0-9a-f-]+, not phase 1's backup key ${outputs.kmsKeyArns.backup}$`));
    assert.match(b.evidence[1]!, /^DR vault platform-stg-dr in eu-central-1: ResourceNotFoundException/);
  });

  it('flow logs: a log that cannot deliver and a DR VPC without one fail with the reason', async () => {
    const outputs = await build({ failingPrimaryFlowLog: true, noDrFlowLog: true });
    const { r } = await run(outputs, ['flow-logs-active']);
    const f = r['flow-logs-active']!;
    assert.equal(f.status, 'fail');
    assert.match(f.evidence[0]!, new RegExp(`^primary VPC ${outputs.vpcId}: flow log fl-[0-9a-f]+ cannot deliver to .*: Access error$`));
    assert.equal(f.evidence[1], `DR VPC ${outputs.drVpcId} has no flow log of ALL traffic`);
  });

  it('reads queue policies in either statement form', () => {
    assert.equal(allowsEventBridge(JSON.stringify({ Statement: { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['sqs:SendMessage'] } })), true);
    assert.equal(allowsEventBridge(JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' }] })), false);
    assert.equal(allowsEventBridge(undefined), false);
  });
});
