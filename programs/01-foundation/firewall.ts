/**
 * AWS Network Firewall for egress inspection: a stateful domain allow-list in STRICT_ORDER, a policy
 * that forwards everything to the stateful engine and drops established flows that match no rule,
 * the firewall in dedicated /28 subnets (one per AZ, own route table, no default route) and ALERT
 * and FLOW logs to a KMS-encrypted log group.
 * Not done here: steering traffic through the firewall endpoints. awsx owns the VPC's default routes
 * (public -> IGW, private -> NAT) and cannot insert firewall endpoints; the endpoint ids are exported
 * through `firewall.firewallStatuses` for a routing change (see reference/phases.md, Phase 1).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** Egress domains the cluster needs (AWS APIs, registries, ACME, GitHub). */
export const ALLOWED_EGRESS_DOMAINS = [
  '.amazonaws.com',
  '.ecr.aws',
  '.docker.io',
  '.docker.com',
  '.quay.io',
  '.ghcr.io',
  '.github.com',
  '.githubusercontent.com',
  '.letsencrypt.org',
  '.k8s.io',
] as const;

export interface FirewallArgs {
  name: string;
  vpcId: pulumi.Input<string>;
  firewallCidrs: string[];
  availabilityZones: pulumi.Input<string[]>;
  logsKeyArn: pulumi.Input<string>;
  retentionDays: number;
  tags: Record<string, string>;
}

/** The firewall, its policy, subnets and logging. */
export class EgressFirewall extends pulumi.ComponentResource {
  readonly firewallArn: pulumi.Output<string>;
  readonly subnetIds: pulumi.Output<string>[];

  constructor(name: string, a: FirewallArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:network:EgressFirewall', name, {}, opts);
    const child = { parent: this };
    const routeTable = new aws.ec2.RouteTable(`${name}-rt`, { vpcId: a.vpcId, tags: { ...a.tags, Name: `${a.name}-firewall` } }, child);
    const azs = pulumi.output(a.availabilityZones);
    this.subnetIds = a.firewallCidrs.map((cidr, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-subnet-${i}`,
        {
          vpcId: a.vpcId,
          cidrBlock: cidr,
          availabilityZone: azs.apply((z) => z[i]!),
          mapPublicIpOnLaunch: false,
          tags: { ...a.tags, Name: `${a.name}-firewall-${i}`, 'platform:subnet': 'firewall' },
        },
        child,
      );
      new aws.ec2.RouteTableAssociation(`${name}-subnet-${i}-rt`, { subnetId: subnet.id, routeTableId: routeTable.id }, child);
      return subnet.id;
    });
    const rules = new aws.networkfirewall.RuleGroup(
      `${name}-domains`,
      {
        name: `${a.name}-egress-domains`,
        type: 'STATEFUL',
        capacity: 100,
        ruleGroup: {
          statefulRuleOptions: { ruleOrder: 'STRICT_ORDER' },
          rulesSource: {
            rulesSourceList: { generatedRulesType: 'ALLOWLIST', targetTypes: ['TLS_SNI', 'HTTP_HOST'], targets: [...ALLOWED_EGRESS_DOMAINS] },
          },
        },
        tags: a.tags,
      },
      child,
    );
    const policy = new aws.networkfirewall.FirewallPolicy(
      `${name}-policy`,
      {
        name: `${a.name}-egress`,
        firewallPolicy: {
          statelessDefaultActions: ['aws:forward_to_sfe'],
          statelessFragmentDefaultActions: ['aws:forward_to_sfe'],
          statefulEngineOptions: { ruleOrder: 'STRICT_ORDER' },
          statefulDefaultActions: ['aws:drop_established', 'aws:alert_established'],
          statefulRuleGroupReferences: [{ resourceArn: rules.arn, priority: 100 }],
        },
        tags: a.tags,
      },
      child,
    );
    const firewall = new aws.networkfirewall.Firewall(
      name,
      {
        name: a.name,
        vpcId: a.vpcId,
        firewallPolicyArn: policy.arn,
        subnetMappings: this.subnetIds.map((subnetId) => ({ subnetId })),
        deleteProtection: true,
        tags: a.tags,
      },
      child,
    );
    const logGroup = (kind: string) =>
      new aws.cloudwatch.LogGroup(
        `${name}-${kind}-logs`,
        { name: `/platform/${a.name}/network-firewall/${kind}`, retentionInDays: a.retentionDays, kmsKeyId: a.logsKeyArn, tags: a.tags },
        child,
      );
    const alert = logGroup('alert');
    const flow = logGroup('flow');
    new aws.networkfirewall.LoggingConfiguration(
      `${name}-logging`,
      {
        firewallArn: firewall.arn,
        loggingConfiguration: {
          logDestinationConfigs: [
            { logType: 'ALERT', logDestinationType: 'CloudWatchLogs', logDestination: { logGroup: alert.name } },
            { logType: 'FLOW', logDestinationType: 'CloudWatchLogs', logDestination: { logGroup: flow.name } },
          ],
        },
      },
      child,
    );
    this.firewallArn = firewall.arn;
    this.registerOutputs({ firewallArn: this.firewallArn });
  }
}
