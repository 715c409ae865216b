/**
 * `eks-private-endpoint-reachable`: an EKS cluster whose API is private only (public access off) has
 * an ingress rule on 443 into its cluster security group, in the same phase. EKS's own cluster
 * security group admits only itself, so without such a rule nothing outside the cluster (the deploy
 * runner, the gates) reaches the API and every Kubernetes step times out (review B5).
 *
 * Linking: the EKS-created cluster security group is known only after the cluster exists, so a rule
 * whose `securityGroupId` is not a security group declared in the plan is taken to target a cluster
 * security group; such rules are handed one per private cluster, in order, within the phase (as
 * util.linkCompanions does for flow logs). A rule into a planned security group counts only when
 * that group is listed in the cluster's `vpcConfig.securityGroupIds` / `clusterSecurityGroupId`.
 */
import type { CheckResource, StackRule } from '../types.js';
import { at, list, rangeIncludes } from '../util.js';

const AWS_CLUSTER = 'aws:eks/cluster:Cluster';
const EKS_CLUSTER = 'eks:index:Cluster';
const SG = 'aws:ec2/securityGroup:SecurityGroup';
const SG_RULE = 'aws:ec2/securityGroupRule:SecurityGroupRule';
const INGRESS_RULE = 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule';

function privateOnly(r: CheckResource): boolean {
  const pub = r.type === AWS_CLUSTER ? at(r.props, 'vpcConfig.endpointPublicAccess') : r.props.endpointPublicAccess;
  return pub === false;
}

/** An ingress rule that admits TCP 443 from some source. */
function admits443(r: CheckResource): boolean {
  const p = r.props;
  if (r.type === SG_RULE) {
    if (p.type !== 'ingress' || !rangeIncludes(p.protocol, p.fromPort, p.toPort, 443)) return false;
    return Boolean(p.sourceSecurityGroupId || p.self || list(p.cidrBlocks).length || list(p.ipv6CidrBlocks).length || list(p.prefixListIds).length);
  }
  if (!rangeIncludes(p.ipProtocol, p.fromPort, p.toPort, 443)) return false;
  return Boolean(p.referencedSecurityGroupId || p.cidrIpv4 || p.cidrIpv6 || p.prefixListId);
}

/** Security groups a cluster names explicitly (beyond the one EKS creates). */
function clusterGroups(r: CheckResource): string[] {
  const ids = r.type === AWS_CLUSTER ? [...list<string>(at(r.props, 'vpcConfig.securityGroupIds')), at(r.props, 'vpcConfig.clusterSecurityGroupId')] : [r.props.clusterSecurityGroupId];
  return ids.filter((x): x is string => typeof x === 'string' && x.length > 0);
}

export const eksAccessRules: StackRule[] = [
  {
    kind: 'stack',
    name: 'eks-private-endpoint-reachable',
    description: 'A private-only EKS API has an ingress path on 443 into its cluster security group (from the deploy runner)',
    severity: 'high',
    mirrors: ['EKS user guide cluster endpoint access (private only: reachable from within the VPC)', 'EKS security group requirements'],
    fix: "add an aws.ec2.SecurityGroupRule ingress tcp 443 from phase 1's runnerSecurityGroupId to the cluster's clusterSecurityGroupId, or allow the public endpoint to declared CIDRs",
    validateStack(resources, report) {
      const clusters = resources.filter((r) => (r.type === AWS_CLUSTER || r.type === EKS_CLUSTER) && privateOnly(r));
      if (clusters.length === 0) return;
      const planned = new Set(resources.filter((r) => r.type === SG && r.id).map((r) => r.id!));
      const rules = resources.filter((r) => (r.type === SG_RULE || r.type === INGRESS_RULE) && admits443(r));
      const handed = new Set<CheckResource>();
      for (const c of clusters) {
        const own = clusterGroups(c);
        const direct = rules.find((x) => x.phase === c.phase && own.includes(String(x.props.securityGroupId)));
        if (direct) continue;
        const unresolved = rules.find((x) => x.phase === c.phase && !handed.has(x) && !planned.has(String(x.props.securityGroupId)));
        if (unresolved) {
          handed.add(unresolved);
          continue;
        }
        const path = c.type === AWS_CLUSTER ? 'vpcConfig.endpointPublicAccess' : 'endpointPublicAccess';
        report({ resource: c, property: path, message: 'the API is private only, and no ingress rule on 443 reaches its cluster security group: nothing outside the cluster can call it' });
      }
    },
  },
];
