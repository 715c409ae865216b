/**
 * A private-only EKS API needs a path in (infra review B5): the API answers only inside the VPC and
 * the EKS-created cluster security group admits only itself, so a plan that makes the endpoint
 * private must also hold the deploy runner (an EC2 instance tagged `platform:role=deploy-runner`,
 * phase 1) and an ingress rule admitting TCP 443 from the runner's security group (phase 2).
 * Without both, phase 2's Kubernetes and Helm calls time out from wherever the CLI runs.
 * `eks-private-endpoint-reachable` (eks-access.ts) checks the other end: that some 443 rule reaches
 * the cluster security group. This rule checks the source: a runner exists and its group is admitted.
 *
 * The runner belongs to phase 1 and the cluster to phase 2. A plan that holds the cluster but no
 * phase 1 resource (`up` checks one phase at a time) cannot see the runner: there the runner's group
 * arrives as an upstream output (phase 2 refuses a private env without `runnerSecurityGroupId`), so
 * a 443 ingress rule from a group this plan does not create stands for it. A plan that holds phase 1
 * (`platform check --env E`) must hold the runner itself.
 */
import type { CheckResource, StackRule } from '../types.js';
import { at, list, rangeIncludes } from '../util.js';

const CLUSTER_TYPES: Record<string, string> = {
  'aws:eks/cluster:Cluster': 'vpcConfig.endpointPublicAccess',
  'eks:index:Cluster': 'endpointPublicAccess',
};
export const RUNNER_TAG = { key: 'platform:role', value: 'deploy-runner' } as const;
/** The phase that creates the deploy runner (programs/01-foundation). */
const RUNNER_PHASE = 1;

/** The source security group and port range of an ingress rule resource (undefined for others). */
function ingressFromGroup(r: CheckResource): { source: unknown; protocol: unknown; from: unknown; to: unknown } | undefined {
  const p = r.props;
  if (r.type === 'aws:ec2/securityGroupRule:SecurityGroupRule' && p.type === 'ingress') return { source: p.sourceSecurityGroupId, protocol: p.protocol, from: p.fromPort, to: p.toPort };
  if (r.type === 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule') return { source: p.referencedSecurityGroupId, protocol: p.ipProtocol, from: p.fromPort, to: p.toPort };
  return undefined;
}

export const privateApiAccessRules: StackRule[] = [
  {
    kind: 'stack',
    name: 'eks-private-endpoint-access-path',
    description: 'A private-only EKS API has a deploy runner in the plan and an ingress rule admitting 443 from the runner’s group',
    severity: 'high',
    mirrors: ['EKS private cluster requirements (VpcConfigRequest: "can only receive requests from within the cluster VPC")'],
    fix: 'keep cluster.endpointPublicAccess: false with phase 1’s deploy runner and phase 2’s 443 rule from runnerSecurityGroupId, or set a public endpoint limited to publicAccessCidrs',
    validateStack(resources, report) {
      const runners = resources.filter((r) => r.type === 'aws:ec2/instance:Instance' && (r.props.tags as Record<string, unknown> | undefined)?.[RUNNER_TAG.key] === RUNNER_TAG.value);
      const runnerGroups = new Set(runners.flatMap((r) => list<string>(r.props.vpcSecurityGroupIds)));
      if (runners.length === 0 && !resources.some((r) => r.phase === RUNNER_PHASE)) {
        // Phase 2 alone: the runner's group is an upstream value, i.e. a group this plan does not create.
        const planned = new Set(resources.filter((r) => r.type === 'aws:ec2/securityGroup:SecurityGroup').map((r) => r.id));
        for (const r of resources) {
          const i = ingressFromGroup(r);
          if (i && typeof i.source === 'string' && !planned.has(i.source) && rangeIncludes(i.protocol, i.from, i.to, 443)) runnerGroups.add(i.source);
        }
      }
      const hasRunner = runners.length > 0 || runnerGroups.size > 0;
      const admitted = resources.some((r) => {
        const i = ingressFromGroup(r);
        return i !== undefined && typeof i.source === 'string' && runnerGroups.has(i.source) && rangeIncludes(i.protocol, i.from, i.to, 443);
      });
      for (const r of resources) {
        const path = CLUSTER_TYPES[r.type];
        if (!path || at(r.props, path) !== false) continue;
        if (!hasRunner) report({ resource: r, property: path, message: 'the API is private, but the plan holds no deploy runner (EC2 instance tagged platform:role=deploy-runner) inside the VPC' });
        else if (!admitted) report({ resource: r, property: path, message: `the API is private and the runner's group (${[...runnerGroups].join(', ')}) is admitted on 443 by no ingress rule` });
      }
    },
  },
];
