/**
 * EC2, EBS and VPC rules (reference/reliability.md §3 rows 7-11, 22-25). Security-group ingress from
 * 0.0.0.0/0 or ::/0 is refused everywhere except on a security group tagged
 * `platform:exposure = public-load-balancer`, and there only for TCP 80 and 443.
 */
import type { CheckResource, ResourceRule, StackRule, Violation } from '../types.js';
import { isRecord, linkCompanions, list, ofType, openToWorld, rangeIncludes, WORLD_CIDRS } from '../util.js';

const LAUNCH_TEMPLATE = 'aws:ec2/launchTemplate:LaunchTemplate';
const INSTANCE = 'aws:ec2/instance:Instance';
const VOLUME = 'aws:ebs/volume:Volume';

export const PUBLIC_LB_TAG = { key: 'platform:exposure', value: 'public-load-balancer' } as const;
const PUBLIC_LB_PORTS = [80, 443];

/** Every EBS device of a launch template or instance, with its property path. */
function ebsDevices(r: CheckResource): { path: string; encrypted: unknown; kmsKeyId: unknown }[] {
  if (r.type === VOLUME) return [{ path: '', encrypted: r.props.encrypted, kmsKeyId: r.props.kmsKeyId }];
  if (r.type === LAUNCH_TEMPLATE) {
    return list<Record<string, any>>(r.props.blockDeviceMappings)
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => isRecord(m?.ebs))
      .map(({ m, i }) => ({ path: `blockDeviceMappings[${i}].ebs.`, encrypted: m.ebs.encrypted, kmsKeyId: m.ebs.kmsKeyId }));
  }
  const root = r.props.rootBlockDevice as Record<string, unknown> | undefined;
  const out = [{ path: 'rootBlockDevice.', encrypted: root?.encrypted, kmsKeyId: root?.kmsKeyId }];
  list<Record<string, unknown>>(r.props.ebsBlockDevices).forEach((d, i) =>
    out.push({ path: `ebsBlockDevices[${i}].`, encrypted: d.encrypted, kmsKeyId: d.kmsKeyId }),
  );
  return out;
}

interface Ingress {
  path: string;
  protocol: unknown;
  from: unknown;
  to: unknown;
  cidrs: string[];
}

/** Ingress entries of a security group or a standalone ingress rule. */
function ingressOf(r: CheckResource): Ingress[] {
  const p = r.props;
  if (r.type === 'aws:ec2/securityGroup:SecurityGroup') {
    return list<Record<string, unknown>>(p.ingress).map((i, n) => ({
      path: `ingress[${n}]`,
      protocol: i.protocol,
      from: i.fromPort,
      to: i.toPort,
      cidrs: [...list<string>(i.cidrBlocks), ...list<string>(i.ipv6CidrBlocks)],
    }));
  }
  if (r.type === 'aws:ec2/securityGroupRule:SecurityGroupRule') {
    if (p.type !== 'ingress') return [];
    return [{ path: '', protocol: p.protocol, from: p.fromPort, to: p.toPort, cidrs: [...list<string>(p.cidrBlocks), ...list<string>(p.ipv6CidrBlocks)] }];
  }
  return [{ path: '', protocol: p.ipProtocol, from: p.fromPort, to: p.toPort, cidrs: [p.cidrIpv4, p.cidrIpv6].filter((c): c is string => typeof c === 'string') }];
}

const SG_TYPES = ['aws:ec2/securityGroup:SecurityGroup', 'aws:ec2/securityGroupRule:SecurityGroupRule', 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule'];

function isPublicLb(r: CheckResource): boolean {
  const tags = r.props.tags as Record<string, unknown> | undefined;
  return tags?.[PUBLIC_LB_TAG.key] === PUBLIC_LB_TAG.value;
}

function cidrPath(i: Ingress, r: CheckResource): string {
  const key = r.type === 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule' ? 'cidrIpv4' : 'cidrBlocks';
  return i.path ? `${i.path}.${key}` : key;
}

export const computeNetworkRules: (ResourceRule | StackRule)[] = [
  {
    kind: 'resource',
    name: 'ec2-imdsv2-required',
    description: 'Instances and launch templates require IMDSv2 session tokens',
    severity: 'high',
    mirrors: ['CKV_AWS_79', 'AVD-AWS-0028', 'AVD-AWS-0130', 'CIS AWS 5.6'],
    fix: 'set metadataOptions.httpTokens: "required" (or enableIMDSv2: true on an eks node group)',
    resourceTypes: [LAUNCH_TEMPLATE, INSTANCE, 'eks:index:ManagedNodeGroup', 'eks:index:NodeGroupV2'],
    validateResource(r, report) {
      if (r.type.startsWith('eks:')) {
        if (r.props.enableIMDSv2 === false) report({ property: 'enableIMDSv2', message: 'IMDSv2 is switched off, so IMDSv1 is allowed' });
        return;
      }
      const md = r.props.metadataOptions as Record<string, unknown> | undefined;
      if (md?.httpEndpoint === 'disabled') return;
      if (md?.httpTokens !== 'required') report({ property: 'metadataOptions.httpTokens', message: `httpTokens is ${JSON.stringify(md?.httpTokens ?? 'unset (optional)')}, so IMDSv1 is allowed` });
    },
  },
  {
    kind: 'resource',
    name: 'ec2-imds-hop-limit',
    description: 'The IMDS response hop limit is 1, so pods cannot reach node credentials',
    severity: 'medium',
    mirrors: ['CKV_AWS_341'],
    fix: 'set metadataOptions.httpPutResponseHopLimit: 1 and give pods IRSA or Pod Identity roles',
    resourceTypes: [LAUNCH_TEMPLATE, INSTANCE],
    validateResource(r, report) {
      const hop = (r.props.metadataOptions as Record<string, unknown> | undefined)?.httpPutResponseHopLimit;
      if (hop !== undefined && Number(hop) > 1) report({ property: 'metadataOptions.httpPutResponseHopLimit', message: `hop limit ${String(hop)} lets pods reach the node's instance credentials` });
    },
  },
  {
    kind: 'resource',
    name: 'ebs-encryption-by-default',
    description: 'EBS encryption by default is on in the account and region',
    severity: 'high',
    mirrors: ['CKV_AWS_106', 'CIS AWS 2.2.1'],
    fix: 'set enabled: true on aws.ebs.EncryptionByDefault',
    resourceTypes: ['aws:ebs/encryptionByDefault:EncryptionByDefault'],
    validateResource(r, report) {
      if (r.props.enabled === false) report({ property: 'enabled', message: 'EBS encryption by default is switched off' });
    },
  },
  {
    kind: 'resource',
    name: 'ebs-volume-encrypted',
    description: 'EBS volumes and instance/launch-template block devices are encrypted',
    severity: 'high',
    mirrors: ['CKV_AWS_3', 'CKV_AWS_8', 'AVD-AWS-0026', 'AVD-AWS-0131', 'AVD-AWS-0008', 'aws-ec2-launchtemplate-disallow-unencrypted-block-device', 'encrypted-volumes'],
    fix: 'set encrypted: true (the string "true" on a launch template) on every EBS device',
    resourceTypes: [VOLUME, LAUNCH_TEMPLATE, INSTANCE],
    validateResource(r, report) {
      for (const d of ebsDevices(r)) {
        if (d.encrypted !== true && d.encrypted !== 'true') report({ property: `${d.path}encrypted`, message: 'the EBS device is not encrypted' });
      }
    },
  },
  {
    kind: 'resource',
    name: 'ebs-customer-managed-key',
    description: 'EBS devices use a customer-managed KMS key',
    severity: 'low',
    mirrors: ['CKV_AWS_189', 'AVD-AWS-0027', 'aws-ec2-launchtemplate-configure-customer-managed-key'],
    fix: 'set kmsKeyId to the ebs KMS key from phase 1',
    resourceTypes: [VOLUME, LAUNCH_TEMPLATE, INSTANCE],
    validateResource(r, report) {
      for (const d of ebsDevices(r)) {
        if (!d.kmsKeyId) report({ property: `${d.path}kmsKeyId`, message: 'the EBS device uses the AWS-managed key' });
      }
    },
  },
  {
    kind: 'resource',
    name: 'vpc-default-sg-closed',
    description: 'The default security group allows no traffic',
    severity: 'medium',
    mirrors: ['CKV2_AWS_12', 'AVD-AWS-0173', 'CIS AWS 5.4'],
    fix: 'declare aws.ec2.DefaultSecurityGroup with no ingress and no egress rules',
    resourceTypes: ['aws:ec2/defaultSecurityGroup:DefaultSecurityGroup'],
    validateResource(r, report) {
      for (const k of ['ingress', 'egress']) {
        if (list(r.props[k]).length) report({ property: k, message: `the default security group has ${k} rules` });
      }
    },
  },
  {
    kind: 'resource',
    name: 'sg-no-admin-ports-from-world',
    description: 'No ingress from 0.0.0.0/0 or ::/0 to SSH (22) or RDP (3389)',
    severity: 'high',
    mirrors: ['CKV_AWS_24', 'CKV_AWS_25', 'AVD-AWS-0107', 'CIS AWS 5.2', 'CIS AWS 5.3'],
    fix: 'remove the rule; reach nodes through SSM Session Manager',
    resourceTypes: SG_TYPES,
    validateResource(r, report) {
      for (const i of ingressOf(r)) {
        if (!openToWorld(i.cidrs)) continue;
        for (const port of [22, 3389]) {
          if (rangeIncludes(i.protocol, i.from, i.to, port)) report({ property: cidrPath(i, r), message: `port ${port} is open to the internet` });
        }
      }
    },
  },
  {
    kind: 'resource',
    name: 'sg-no-public-ingress',
    description: 'No ingress from 0.0.0.0/0 or ::/0 except TCP 80/443 on the public load balancer',
    severity: 'high',
    mirrors: ['AVD-AWS-0107', 'aws-ec2-securitygroup-disallow-public-internet-ingress', 'CKV_AWS_277'],
    fix: `restrict the CIDRs; only a security group tagged ${PUBLIC_LB_TAG.key}=${PUBLIC_LB_TAG.value} may take 80/443 from the internet`,
    resourceTypes: SG_TYPES,
    validateResource(r, report) {
      const lb = isPublicLb(r);
      for (const i of ingressOf(r)) {
        if (!openToWorld(i.cidrs)) continue;
        const tcp = i.protocol === 'tcp' || i.protocol === '6';
        const webOnly = tcp && Number(i.from) === Number(i.to) && PUBLIC_LB_PORTS.includes(Number(i.from));
        if (lb && webOnly) continue;
        const world = i.cidrs.filter((c) => WORLD_CIDRS.has(c)).join(', ');
        report({ property: cidrPath(i, r), message: lb ? `the public load balancer takes ${String(i.protocol)} ${String(i.from)}-${String(i.to)} from ${world}; only TCP 80 and 443 may be public` : `ingress from ${world} on a security group that is not the public load balancer` });
      }
    },
  },
  {
    kind: 'resource',
    name: 'subnet-no-auto-public-ip',
    description: 'Subnets do not give instances public IPs automatically',
    severity: 'medium',
    mirrors: ['CKV_AWS_130', 'AVD-AWS-0164'],
    fix: 'set mapPublicIpOnLaunch: false; only load balancers and NAT gateways live in public subnets',
    resourceTypes: ['aws:ec2/subnet:Subnet'],
    validateResource(r, report) {
      if (r.props.mapPublicIpOnLaunch === true) report({ property: 'mapPublicIpOnLaunch', message: 'instances launched here get public IPs' });
    },
  },
  {
    kind: 'resource',
    name: 'vpc-flow-log-traffic',
    description: 'VPC flow logs capture all traffic (or at least rejected traffic)',
    severity: 'low',
    mirrors: ['CIS AWS 3.7', 'CKV2_AWS_11'],
    fix: 'set trafficType: "ALL"',
    resourceTypes: ['aws:ec2/flowLog:FlowLog'],
    validateResource(r, report) {
      if (r.props.trafficType !== 'ALL' && r.props.trafficType !== 'REJECT') report({ property: 'trafficType', message: `trafficType ${JSON.stringify(r.props.trafficType)} records no rejected traffic` });
    },
  },
  {
    kind: 'stack',
    name: 'vpc-flow-logs-enabled',
    description: 'Every VPC has a flow log',
    severity: 'medium',
    mirrors: ['CKV2_AWS_11', 'AVD-AWS-0178', 'CIS AWS 3.7'],
    fix: 'add an aws.ec2.FlowLog with vpcId for this VPC (to KMS-encrypted CloudWatch Logs or S3)',
    validateStack(resources, report) {
      const vpcs = ofType(resources, ['aws:ec2/vpc:Vpc', 'awsx:ec2:Vpc']);
      const logs = ofType(resources, ['aws:ec2/flowLog:FlowLog']).filter((l) => l.props.vpcId !== undefined);
      for (const [vpc, found] of linkCompanions(vpcs, logs, 'vpcId', ['vpcId'])) {
        if (found.length === 0) report({ resource: vpc, property: '(flow log)', message: 'no aws.ec2.FlowLog refers to this VPC' } satisfies Violation & { resource: CheckResource });
      }
    },
  },
];
