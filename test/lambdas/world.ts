/**
 * A small AWS world on moto for the responder tests: a VPC with the instance's own security group
 * and the quarantine group, one instance with a second attached volume, the idempotency table
 * (DynamoDB), the alerts topic (SNS) with an SQS subscriber that the tests read notifications from.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AttachVolumeCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { motoConfig, type Moto } from '../gates/moto.js';
import { dynamoIdempotency } from '../../lambdas/src/shared/idempotency.js';
import { snsNotifier } from '../../lambdas/src/shared/notify.js';
import type { Logger } from '../../lambdas/src/shared/log.js';

export const REGION = 'us-east-1';

export interface World {
  ec2: EC2Client;
  ddb: DynamoDBClient;
  sns: SNSClient;
  sqs: SQSClient;
  vpcId: string;
  subnetId: string;
  appGroupId: string;
  quarantineGroupId: string;
  topicArn: string;
  queueUrl: string;
  table: string;
  /** Notifications published so far (drains the subscriber queue). */
  notifications(): Promise<{ Subject?: string; Message: string }[]>;
  /**
   * An instance whose groups are set on its network interface (as launch templates do). Launched with
   * instance-level SecurityGroupIds instead, moto reports an interface's groups as the union of the
   * interface's and the instance's, so a replaced set would look merged (real EC2 replaces).
   */
  instance(tags?: Record<string, string>): Promise<{ instanceId: string; volumeIds: string[] }>;
  idempotency(fn: string, now?: () => number): ReturnType<typeof dynamoIdempotency>;
  notifier(): ReturnType<typeof snsNotifier>;
}

export function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const w = (level: string) => (msg: string, f?: Record<string, unknown>) => lines.push(JSON.stringify({ level, msg, ...f }));
  return { lines, info: w('info'), warn: w('warn'), error: w('error') };
}

let imageIdOnce: Promise<string> | undefined;

export async function buildWorld(moto: Moto): Promise<World> {
  const cfg = motoConfig(moto, REGION);
  const ec2 = new EC2Client(cfg);
  const ddb = new DynamoDBClient(cfg);
  const sns = new SNSClient(cfg);
  const sqs = new SQSClient(cfg);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.40.1.0/24', AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
  const appGroupId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'nodes', Description: 'nodes', VpcId: vpcId }))).GroupId!;
  const quarantineGroupId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'quarantine', Description: 'no traffic', VpcId: vpcId }))).GroupId!;
  const table = 'platform-test-lambda-idempotency';
  await ddb.send(new CreateTableCommand({ TableName: table, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' }));
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'platform-test-alerts' }))).TopicArn!;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'alerts-subscriber' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  // moto's built-in AMIs keep their ids across resets; listing them takes seconds, so once per process.
  imageIdOnce ??= ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] })).then((r) => r.Images![0]!.ImageId!);
  const imageId = await imageIdOnce;
  return {
    ec2,
    ddb,
    sns,
    sqs,
    vpcId,
    subnetId,
    appGroupId,
    quarantineGroupId,
    topicArn,
    queueUrl,
    table,
    async notifications() {
      const out: { Subject?: string; Message: string }[] = [];
      for (;;) {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!r.Messages?.length) return out;
        for (const m of r.Messages) out.push(JSON.parse(m.Body!));
        const { DeleteMessageBatchCommand } = await import('@aws-sdk/client-sqs');
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: r.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
    },
    async instance(tags = {}) {
      const i = (await ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, Groups: [appGroupId] }] }))).Instances![0]!;
      const data = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 20, VolumeType: 'gp3', Encrypted: true }))).VolumeId!;
      await ec2.send(new AttachVolumeCommand({ VolumeId: data, InstanceId: i.InstanceId!, Device: '/dev/xvdf' }));
      if (Object.keys(tags).length) await ec2.send(new CreateTagsCommand({ Resources: [i.InstanceId!], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
      const root = i.BlockDeviceMappings?.map((b) => b.Ebs!.VolumeId!) ?? [];
      return { instanceId: i.InstanceId!, volumeIds: [...root, data] };
    },
    idempotency: (fn, now) => dynamoIdempotency(ddb, { table, fn, lockSeconds: 300, ttlSeconds: 86400, now }),
    notifier: () => snsNotifier(sns, topicArn),
  };
}
