/**
 * Karpenter's interruption handling as pure data, shared by the phase 1 program (which creates the
 * EventBridge rules, karpenter-queue.ts) and its gates (which verify them): the five event patterns
 * of Karpenter v1.14's CloudFormation, and the name each rule gets.
 */

/** The five event patterns Karpenter handles. */
export const INTERRUPTION_RULES: ReadonlyArray<{ key: string; source: string; detailType: string }> = [
  { key: 'health', source: 'aws.health', detailType: 'AWS Health Event' },
  { key: 'spot-interruption', source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning' },
  { key: 'rebalance', source: 'aws.ec2', detailType: 'EC2 Instance Rebalance Recommendation' },
  { key: 'instance-state-change', source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
  { key: 'capacity-reservation-interruption', source: 'aws.ec2', detailType: 'EC2 Capacity Reservation Instance Interruption Warning' },
];

/** The EventBridge rule name of `key` for a cluster (at most 64 characters, EventBridge's limit). */
export const ruleName = (clusterName: string, key: string): string => `${clusterName}-${key}`.slice(0, 64);
