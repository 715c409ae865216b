/**
 * Karpenter: the controller (in kube-system, on the system nodes, interruption queue from phase 1),
 * the `default` EC2NodeClass (pinned AL2023 AMI, IMDSv2 required with hop limit 1, encrypted gp3
 * root with phase 1's EBS key, subnets and security groups found by the cluster's discovery tag) and
 * NodePools: `on-demand` always, `spot` only where the env file allows spot. Every pool has CPU and
 * memory limits from the env file.
 */
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { criticalAddonsToleration, pinnedRelease } from '../../shared/charts.js';
import type { Phase2Inputs } from '../phase.js';
import { serviceAccounts } from '../roles.js';
import { chartPin, karpenterAmiAlias } from '../versions.js';

export const EC2_NODE_CLASS = 'default';
/** Pods per Karpenter node with prefix delegation: Kubernetes' recommended per-node ceiling. */
export const KARPENTER_MAX_PODS = 110;

export function ec2NodeClassSpec(inputs: Phase2Inputs): Record<string, unknown> {
  const discovery = { 'karpenter.sh/discovery': inputs.cluster.name };
  return {
    role: inputs.foundation.karpenterNodeRoleName,
    amiSelectorTerms: [{ alias: karpenterAmiAlias }],
    subnetSelectorTerms: [{ tags: discovery }],
    securityGroupSelectorTerms: [{ tags: discovery }],
    metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
    // VPC CNI prefix delegation gives each ENI /28 prefixes; without maxPods Karpenter and AL2023
    // keep the ENI-based limit and the extra addresses go unused (R15; Karpenter nodeclasses.md).
    kubelet: { maxPods: KARPENTER_MAX_PODS },
    blockDeviceMappings: [
      {
        deviceName: '/dev/xvda',
        ebs: { volumeSize: '100Gi', volumeType: 'gp3', encrypted: true, kmsKeyID: inputs.foundation.kmsKeyArns.ebs, deleteOnTermination: true },
      },
    ],
    tags: { ...inputs.tags, 'karpenter.sh/discovery': inputs.cluster.name },
  };
}

export interface NodePoolSpec {
  name: string;
  weight: number;
  spec: Record<string, unknown>;
}

/** Karpenter's own default when an env sets nothing: 10% of the pool's nodes at a time, consolidation after 1m. */
export const DEFAULT_DISRUPTION = { maxDisruptedNodes: '10%', consolidateAfter: '1m' } as const;

/**
 * The NodePools' disruption block from the env file (cluster.karpenterDisruption): a budget of
 * `maxDisruptedNodes`, and during the optional freeze window a budget of "0" for the voluntary
 * reasons (Underutilized, Empty, Drifted). Karpenter honours the most restrictive active budget;
 * v1 expiry (expireAfter) is forceful and not held by budgets.
 */
export function disruptionSpec(d: Phase2Inputs['cluster']['karpenterDisruption']): Record<string, unknown> {
  const c = d ?? DEFAULT_DISRUPTION;
  const budgets: Record<string, unknown>[] = [{ nodes: c.maxDisruptedNodes }];
  if (d?.freeze) budgets.push({ nodes: '0', schedule: d.freeze.schedule, duration: d.freeze.duration, reasons: ['Underutilized', 'Empty', 'Drifted'] });
  return { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: c.consolidateAfter, budgets };
}

/** The NodePools for this env: on-demand always, spot (preferred by weight) only when allowed. */
export function nodePoolSpecs(inputs: Phase2Inputs): NodePoolSpec[] {
  const limits = { cpu: String(inputs.cluster.karpenterLimits.cpu), memory: `${inputs.cluster.karpenterLimits.memoryGiB}Gi` };
  const pool = (capacityType: 'on-demand' | 'spot', weight: number): NodePoolSpec => ({
    name: capacityType,
    weight,
    spec: {
      weight,
      template: {
        metadata: { labels: { 'platform.io/node-pool': capacityType } },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: EC2_NODE_CLASS },
          requirements: [
            { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
            { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: [capacityType] },
            { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
            { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['2'] },
          ],
          expireAfter: '720h',
        },
      },
      limits,
      disruption: disruptionSpec(inputs.cluster.karpenterDisruption),
    },
  });
  return inputs.cluster.spot ? [pool('on-demand', 10), pool('spot', 50)] : [pool('on-demand', 10)];
}

export function karpenterValues(inputs: Phase2Inputs, clusterEndpoint: pulumi.Input<string>): Record<string, unknown> {
  const sa = serviceAccounts.karpenter;
  return {
    replicas: 2,
    settings: {
      clusterName: inputs.cluster.name,
      clusterEndpoint,
      interruptionQueue: inputs.foundation.interruptionQueueName,
    },
    serviceAccount: { create: true, name: sa.serviceAccount },
    podDisruptionBudget: { name: 'karpenter', maxUnavailable: 1 },
    tolerations: [criticalAddonsToleration],
    nodeSelector: { 'kubernetes.io/os': 'linux', 'platform.io/node-pool': 'system' },
    podSecurityContext: { fsGroup: 65536, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    // Karpenter's guide: requests = limits, 1 CPU / 1 Gi (the container itself runs non-root, read-only).
    controller: { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } },
  };
}

export interface KarpenterResult {
  release: k8s.helm.v3.Release;
  nodeClass: k8s.apiextensions.CustomResource;
  nodePools: k8s.apiextensions.CustomResource[];
  nodePoolNames: string[];
}

export function installKarpenter(
  inputs: Phase2Inputs,
  clusterEndpoint: pulumi.Input<string>,
  opts: { provider: k8s.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] },
): KarpenterResult {
  const release = pinnedRelease(
    'karpenter',
    { pin: chartPin('karpenter'), namespace: serviceAccounts.karpenter.namespace, releaseName: 'karpenter', values: karpenterValues(inputs, clusterEndpoint) },
    opts,
  );
  const crOpts = { provider: opts.provider, dependsOn: [release] };
  const nodeClass = new k8s.apiextensions.CustomResource(
    'ec2-node-class-default',
    {
      apiVersion: 'karpenter.k8s.aws/v1',
      kind: 'EC2NodeClass',
      metadata: { name: EC2_NODE_CLASS, annotations: { 'pulumi.com/waitFor': 'condition=Ready' } },
      spec: ec2NodeClassSpec(inputs),
    },
    crOpts,
  );
  const specs = nodePoolSpecs(inputs);
  const nodePools = specs.map(
    (p) =>
      new k8s.apiextensions.CustomResource(
        `node-pool-${p.name}`,
        { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: p.name }, spec: p.spec },
        { provider: opts.provider, dependsOn: [release, nodeClass] },
      ),
  );
  return { release, nodeClass, nodePools, nodePoolNames: specs.map((p) => p.name) };
}
