/**
 * The env VPC (and, with other arguments, the DR VPC): awsx v3 Vpc with the Auto subnet strategy and
 * explicit specs (private first, then public, then isolated "data"), NAT by the env's strategy, the
 * S3 gateway endpoint through awsx's Auto endpoint strategy, interface endpoints in the private
 * subnets behind their own security group (awsx would attach the VPC default security group, which
 * this component locks down), the default security group with no rules, and flow logs of all
 * traffic to a KMS-encrypted CloudWatch log group.
 */
import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';
import { doc, policyJson, serviceTrust } from '../shared/iam-docs.js';
import type { SubnetPlan } from './subnet-plan.js';

export interface NetworkArgs {
  name: string;
  region: string;
  accountId: string;
  cidrBlock: string;
  availabilityZones: number;
  plan: SubnetPlan;
  masks: { public: number; private: number; isolated: number };
  natStrategy: 'Single' | 'OnePerAz';
  /** Interface endpoint service short names (`ecr.api`...). */
  interfaceEndpoints: string[];
  clusterName: string;
  logsKeyArn: pulumi.Input<string>;
  flowLogRetentionDays: number;
  tags: Record<string, string>;
}

/** One VPC with its endpoints, locked default SG and flow logs. */
export class Network extends pulumi.ComponentResource {
  readonly vpc: awsx.ec2.Vpc;
  readonly vpcId: pulumi.Output<string>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  readonly isolatedSubnetIds: pulumi.Output<string[]>;
  readonly privateRouteTableIds: pulumi.Output<string[]>;
  readonly natPublicIps: pulumi.Output<string[]>;
  readonly vpcEndpointIds: pulumi.Output<Record<string, string>>;
  readonly endpointSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, a: NetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:network:Network', name, {}, opts);
    const child = { parent: this };
    this.vpc = new awsx.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: a.cidrBlock,
        numberOfAvailabilityZones: a.availabilityZones,
        availabilityZoneCidrMask: a.plan.azMask,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        subnetStrategy: 'Auto',
        subnetNameTagStrategy: 'AvailabilityZone',
        subnetSpecs: [
          {
            type: 'Private',
            name: 'private',
            cidrMask: a.masks.private,
            tags: { ...a.tags, 'kubernetes.io/role/internal-elb': '1', 'karpenter.sh/discovery': a.clusterName },
          },
          { type: 'Public', name: 'public', cidrMask: a.masks.public, tags: { ...a.tags, 'kubernetes.io/role/elb': '1' } },
          { type: 'Isolated', name: 'data', cidrMask: a.masks.isolated, tags: a.tags },
        ],
        natGateways: { strategy: a.natStrategy },
        vpcEndpointStrategy: 'Auto',
        vpcEndpointSpecs: [{ serviceName: `com.amazonaws.${a.region}.s3`, vpcEndpointType: 'Gateway', tags: a.tags }],
        tags: { ...a.tags, Name: a.name },
      },
      child,
    );
    this.vpcId = this.vpc.vpcId;
    this.publicSubnetIds = this.vpc.publicSubnetIds;
    this.privateSubnetIds = this.vpc.privateSubnetIds;
    this.isolatedSubnetIds = this.vpc.isolatedSubnetIds;

    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: this.vpcId, ingress: [], egress: [], tags: { ...a.tags, Name: `${a.name}-default-locked` } }, child);

    const endpointSg = new aws.ec2.SecurityGroup(
      `${name}-endpoints-sg`,
      {
        vpcId: this.vpcId,
        description: 'HTTPS from inside the VPC to interface endpoints',
        ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: [a.cidrBlock], description: 'HTTPS from the VPC' }],
        egress: [],
        tags: { ...a.tags, Name: `${a.name}-endpoints` },
      },
      child,
    );
    this.endpointSecurityGroupId = endpointSg.id;
    const interfaceIds: Record<string, pulumi.Output<string>> = {};
    for (const svc of a.interfaceEndpoints) {
      interfaceIds[svc] = new aws.ec2.VpcEndpoint(
        `${name}-endpoint-${svc.replace(/\./g, '-')}`,
        {
          vpcId: this.vpcId,
          serviceName: `com.amazonaws.${a.region}.${svc}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: this.privateSubnetIds,
          securityGroupIds: [endpointSg.id],
          tags: { ...a.tags, Name: `${a.name}-${svc}` },
        },
        child,
      ).id;
    }
    const gatewayIds = this.vpc.vpcEndpoints.apply((eps) =>
      pulumi.all(eps.map((e) => pulumi.all([pulumi.output(e.serviceName), pulumi.output(e.id)]))),
    );
    this.vpcEndpointIds = pulumi.all([gatewayIds, pulumi.all(interfaceIds)]).apply(([gw, ifs]) => ({
      ...Object.fromEntries(gw.map(([svc, id]) => [String(svc).split('.').slice(3).join('.'), id])),
      ...ifs,
    }));

    // Route tables of the private subnets: from awsx's associations (plain objects under mocks, resources for real).
    const assocs = this.vpc.routeTableAssociations.apply((list) =>
      pulumi.all(list.map((r) => pulumi.all([pulumi.output(r.subnetId), pulumi.output(r.routeTableId)]))),
    );
    this.privateRouteTableIds = pulumi.all([assocs, this.privateSubnetIds]).apply(([pairs, priv]) => [
      ...new Set(pairs.filter(([subnet]) => priv.includes(String(subnet))).map(([, rt]) => String(rt))),
    ]);
    this.natPublicIps = this.vpc.eips.apply((eips) => pulumi.all(eips.map((e) => pulumi.output(e.publicIp))));

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-flow-logs`,
      { name: `/platform/${a.name}/vpc-flow-logs`, retentionInDays: a.flowLogRetentionDays, kmsKeyId: a.logsKeyArn, tags: a.tags },
      child,
    );
    const flowRole = new aws.iam.Role(
      `${name}-flow-logs-role`,
      {
        assumeRolePolicy: policyJson(
          serviceTrust('vpc-flow-logs.amazonaws.com', {
            StringEquals: { 'aws:SourceAccount': a.accountId },
            ArnLike: { 'aws:SourceArn': `arn:aws:ec2:${a.region}:${a.accountId}:vpc-flow-log/*` },
          }),
        ),
        tags: a.tags,
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-flow-logs-write`,
      {
        role: flowRole.name,
        policy: policyJson(
          doc({
            Sid: 'WriteFlowLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
            Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
          }),
        ),
      },
      child,
    );
    new aws.ec2.FlowLog(
      `${name}-flow-log`,
      {
        vpcId: this.vpcId,
        trafficType: 'ALL',
        logDestinationType: 'cloud-watch-logs',
        logDestination: logGroup.arn,
        iamRoleArn: flowRole.arn,
        maxAggregationInterval: 60,
        tags: a.tags,
      },
      child,
    );
    this.registerOutputs({ vpcId: this.vpcId });
  }
}
