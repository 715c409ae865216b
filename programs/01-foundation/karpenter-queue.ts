/**
 * Karpenter's interruption queue (cluster-independent, so built here): SQS with SSE and 5-minute
 * retention, a policy letting only EventBridge and SQS send to it and denying non-TLS access, and
 * the five EventBridge rules of Karpenter v1.14's CloudFormation, each targeting the queue.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { doc, policyJson } from '../shared/iam-docs.js';
import { INTERRUPTION_RULES, ruleName } from './interruption-rules.js';

/** The queue and its rules. */
export class InterruptionQueue extends pulumi.ComponentResource {
  readonly queueName: pulumi.Output<string>;
  readonly queueArn: pulumi.Output<string>;

  constructor(name: string, a: { clusterName: string; tags: Record<string, string> }, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:karpenter:InterruptionQueue', name, {}, opts);
    const child = { parent: this };
    const queue = new aws.sqs.Queue(name, { name: a.clusterName, messageRetentionSeconds: 300, sqsManagedSseEnabled: true, tags: a.tags }, child);
    new aws.sqs.QueuePolicy(
      `${name}-policy`,
      {
        queueUrl: queue.url,
        policy: policyJson(
          doc(
            {
              Sid: 'EventBridgeAndSqsSend',
              Effect: 'Allow',
              Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] },
              Action: 'sqs:SendMessage',
              Resource: queue.arn,
            },
            {
              Sid: 'DenyHTTP',
              Effect: 'Deny',
              Principal: '*',
              Action: 'sqs:*',
              Resource: queue.arn,
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ),
        ),
      },
      child,
    );
    for (const r of INTERRUPTION_RULES) {
      const rule = new aws.cloudwatch.EventRule(
        `${name}-${r.key}`,
        {
          name: ruleName(a.clusterName, r.key),
          description: `Karpenter interruption: ${r.detailType}`,
          eventPattern: JSON.stringify({ source: [r.source], 'detail-type': [r.detailType] }),
          tags: a.tags,
        },
        child,
      );
      new aws.cloudwatch.EventTarget(`${name}-${r.key}-target`, { rule: rule.name, arn: queue.arn, targetId: 'KarpenterInterruptionQueue' }, child);
    }
    this.queueName = queue.name;
    this.queueArn = queue.arn;
    this.registerOutputs({ queueName: this.queueName, queueArn: this.queueArn });
  }
}
