/**
 * The FIS experiment templates, their role's permissions and the SLO alarm that stops them, as plain
 * data (the program wraps them in resources; tests read them directly).
 *
 * Checked against the FIS user guide (actions reference, targets, stop conditions) and
 * @pulumi/aws 7.48 `fis.ExperimentTemplate`:
 * - terminate-node: `aws:ec2:terminate-instances` on one (`COUNT(1)`) running instance of the
 *   cluster, found by the tag every EKS and Karpenter node carries (`kubernetes.io/cluster/<name>:
 *   owned`); the action's target key is `Instances`.
 * - stop-az: `aws:ec2:stop-instances` on ALL running cluster instances whose `Placement.AvailabilityZone`
 *   is the chosen zone, restarted after `startInstancesAfterDuration` (ISO 8601), completing even if
 *   the node's group terminates them (`completeIfInstancesTerminated`).
 * - throttle-ec2-api: `aws:fis:inject-api-throttle-error` (service `ec2`, the only one FIS supports)
 *   on the Karpenter controller's role (target key `Roles`, resource type `aws:iam:role`) for the
 *   EC2 calls it provisions with, at 50 % for 5 minutes.
 * - every template stops on the SLO alarm (`aws:cloudwatch:alarm` with the alarm's ARN).
 *
 * The SLO alarm: the public edge is down when the ingress load balancer has no healthy target. It
 * is a CloudWatch Metrics Insights query over the env account's Network Load Balancers in the region
 * (the ingress NLB is the only one), minimum HealthyHostCount below 1 for 2 of 2 minutes; missing
 * data counts as breaching, so a stop condition that cannot see its metric keeps experiments from
 * starting instead of guarding nothing.
 */
import type { ExperimentName } from './phase.js';

export interface FisTemplateSpec {
  name: ExperimentName;
  description: string;
  actions: Array<{ name: string; actionId: string; parameters?: Array<{ key: string; value: string }>; target: { key: string; value: string } }>;
  targets: Array<{
    name: string;
    resourceType: string;
    selectionMode: string;
    resourceTags?: Array<{ key: string; value: string }>;
    resourceArns?: string[];
    filters?: Array<{ path: string; values: string[] }>;
  }>;
}

export interface ChaosSpecInput {
  clusterName: string;
  availabilityZone: string;
  /** The Karpenter controller's role ARN (the API throttle's target). */
  karpenterRoleArn: string;
}

/** How long a stopped zone stays down before FIS starts its instances again. */
export const STOP_AZ_DURATION = 'PT5M';
/** The EC2 calls Karpenter provisions with (throttled by throttle-ec2-api). */
export const THROTTLED_EC2_OPERATIONS = ['CreateFleet', 'RunInstances', 'DescribeInstances', 'DescribeInstanceTypes', 'TerminateInstances'];

/** The tag every node of the cluster carries (EKS managed node groups and Karpenter both set it). */
export const clusterNodeTag = (clusterName: string) => ({ key: `kubernetes.io/cluster/${clusterName}`, value: 'owned' });

const running = { path: 'State.Name', values: ['running'] };

export function experimentSpecs(i: ChaosSpecInput): FisTemplateSpec[] {
  const nodes = (selectionMode: string, filters: Array<{ path: string; values: string[] }>) => ({
    name: 'cluster-nodes',
    resourceType: 'aws:ec2:instance',
    selectionMode,
    resourceTags: [clusterNodeTag(i.clusterName)],
    filters,
  });
  return [
    {
      name: 'terminate-node',
      description: `Terminate one running node of ${i.clusterName}`,
      actions: [{ name: 'terminate-one-node', actionId: 'aws:ec2:terminate-instances', target: { key: 'Instances', value: 'cluster-nodes' } }],
      targets: [nodes('COUNT(1)', [running])],
    },
    {
      name: 'stop-az',
      description: `Stop every node of ${i.clusterName} in ${i.availabilityZone} for ${STOP_AZ_DURATION}`,
      actions: [
        {
          name: 'stop-zone-nodes',
          actionId: 'aws:ec2:stop-instances',
          parameters: [
            { key: 'startInstancesAfterDuration', value: STOP_AZ_DURATION },
            { key: 'completeIfInstancesTerminated', value: 'true' },
          ],
          target: { key: 'Instances', value: 'cluster-nodes' },
        },
      ],
      targets: [nodes('ALL', [running, { path: 'Placement.AvailabilityZone', values: [i.availabilityZone] }])],
    },
    {
      name: 'throttle-ec2-api',
      description: `Throttle half of Karpenter's EC2 calls in ${i.clusterName} for 5 minutes`,
      actions: [
        {
          name: 'throttle-karpenter-ec2',
          actionId: 'aws:fis:inject-api-throttle-error',
          parameters: [
            { key: 'service', value: 'ec2' },
            { key: 'operations', value: THROTTLED_EC2_OPERATIONS.join(',') },
            { key: 'percentage', value: '50' },
            { key: 'duration', value: 'PT5M' },
          ],
          target: { key: 'Roles', value: 'karpenter-role' },
        },
      ],
      targets: [{ name: 'karpenter-role', resourceType: 'aws:iam:role', selectionMode: 'ALL', resourceArns: [i.karpenterRoleArn] }],
    },
  ];
}

/** The trust policy of the experiment role: FIS, from this account only. */
export function experimentTrustPolicy(accountId: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'fis.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ],
  };
}

/**
 * What the experiments do, no more: stop, start and terminate only the cluster's tagged instances;
 * describe instances (FIS resolves targets); create KMS grants through EC2 only (restarting an
 * instance with encrypted volumes); inject API throttling in this account's experiments.
 */
export function experimentRolePolicy(i: ChaosSpecInput & { region: string; accountId: string }): object {
  const tag = clusterNodeTag(i.clusterName);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ClusterInstancesOnly',
        Effect: 'Allow',
        Action: ['ec2:TerminateInstances', 'ec2:StopInstances', 'ec2:StartInstances'],
        Resource: `arn:aws:ec2:${i.region}:${i.accountId}:instance/*`,
        Condition: { StringEquals: { [`aws:ResourceTag/${tag.key}`]: tag.value } },
      },
      { Sid: 'ResolveTargets', Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: '*' },
      {
        Sid: 'RestartEncryptedVolumes',
        Effect: 'Allow',
        Action: ['kms:CreateGrant'],
        Resource: `arn:aws:kms:${i.region}:${i.accountId}:key/*`,
        Condition: { StringEquals: { 'kms:ViaService': `ec2.${i.region}.amazonaws.com` }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
      // FIS authorises API fault injection on its own experiment (AWSFaultInjectionSimulatorEC2Access's statement);
      // the template's target (the Karpenter role) limits whom it applies to.
      { Sid: 'ThrottleApiCalls', Effect: 'Allow', Action: ['fis:InjectApiThrottleError'], Resource: `arn:aws:fis:${i.region}:${i.accountId}:experiment/*` },
      { Sid: 'ResolveRoleTargets', Effect: 'Allow', Action: ['iam:ListRoles'], Resource: '*' },
    ],
  };
}

/** The SLO alarm's Metrics Insights query (see the header). */
export const INGRESS_HEALTH_QUERY = 'SELECT MIN(HealthyHostCount) FROM SCHEMA("AWS/NetworkELB", LoadBalancer, TargetGroup)';

export function sloAlarmSpec(envName: string) {
  return {
    name: `${envName}-slo-ingress-no-healthy-target`,
    alarmDescription: `SLO: the public edge of ${envName} has no healthy ingress target (stops FIS experiments)`,
    comparisonOperator: 'LessThanThreshold',
    threshold: 1,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    treatMissingData: 'breaching',
    metricQueries: [{ id: 'healthy', expression: INGRESS_HEALTH_QUERY, period: 60, returnData: true, label: 'min healthy ingress targets' }],
  };
}
