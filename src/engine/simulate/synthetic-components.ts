/**
 * Synthetic outputs of the multi-language components the phases use. Under Pulumi's mocks a remote
 * component (`awsx:ec2:Vpc`, `eks:index:Cluster`) registers as one resource and none of its children
 * exist, so the mock must return every output the programs read. Rules:
 * - awsx Vpc: one subnet per (spec, AZ), AZs from `availabilityZoneNames` or the first
 *   `numberOfAvailabilityZones` (default 3) of the region; one route table per subnet; NAT gateways
 *   and EIPs by strategy (None 0, Single 1, OnePerAz one per AZ); one endpoint per endpoint spec.
 *   Child resources are plain objects carrying the fields a program reads (`id`, `subnetId`,
 *   `routeTableId`, `publicIp`, `serviceName`...), since no child resource is registered.
 * - eks Cluster: a kubeconfig for the simulated endpoint whose user runs a command that cannot
 *   reach a real cluster, the aws.eks.Cluster shape, the OIDC provider and the security groups.
 * All values derive from (stack, type, name) through the hash helpers of synthetic.ts.
 */
import { alnumOf, digitsOf, hexOf, type Synth, type SyntheticResult } from './synthetic-values.js';

interface SpecInput {
  type?: string;
  name?: string;
  tags?: Record<string, string>;
}

function vpcState(s: Synth): SyntheticResult {
  const i = s.inputs;
  const azCount = typeof i.numberOfAvailabilityZones === 'number' ? i.numberOfAvailabilityZones : 3;
  const azs = Array.isArray(i.availabilityZoneNames)
    ? (i.availabilityZoneNames as string[])
    : Array.from({ length: azCount }, (_, k) => `${s.region}${String.fromCharCode(97 + k)}`);
  const specs: SpecInput[] = Array.isArray(i.subnetSpecs) ? (i.subnetSpecs as SpecInput[]) : [{ type: 'Public' }, { type: 'Private' }];
  const vpcId = `vpc-${hexOf(17, ...s.seed)}`;
  const subnets = specs.flatMap((spec) =>
    azs.map((az) => {
      const key = `${spec.name ?? spec.type ?? 'subnet'}-${az}`;
      const id = `subnet-${hexOf(17, ...s.seed, key)}`;
      return {
        id,
        subnetId: id,
        arn: `arn:aws:ec2:${s.region}:${s.account}:subnet/${id}`,
        vpcId,
        availabilityZone: az,
        mapPublicIpOnLaunch: spec.type === 'Public',
        type: spec.type ?? 'Private',
        tags: { ...(spec.tags ?? {}), Name: `${s.name}-${key}`, SubnetType: spec.type ?? 'Private' },
      };
    }),
  );
  const idsOf = (type: string) => subnets.filter((x) => x.type === type).map((x) => x.id);
  const routeTables = subnets.map((sn) => ({ id: `rtb-${hexOf(17, ...s.seed, 'rtb', sn.id)}`, vpcId }));
  const routeTableAssociations = subnets.map((sn, k) => ({
    id: `rtbassoc-${hexOf(17, ...s.seed, 'assoc', sn.id)}`,
    subnetId: sn.id,
    routeTableId: routeTables[k]!.id,
  }));
  const strategy = (i.natGateways as { strategy?: string } | undefined)?.strategy ?? 'OnePerAz';
  const natCount = strategy === 'None' ? 0 : strategy === 'Single' ? 1 : azs.length;
  const publicIds = idsOf('Public');
  const eips = Array.from({ length: natCount }, (_, k) => {
    const id = `eipalloc-${hexOf(17, ...s.seed, 'eip', String(k))}`;
    return { id, allocationId: id, publicIp: `203.0.113.${(Number.parseInt(digitsOf(3, ...s.seed, String(k)), 10) % 250) + k + 1}` };
  });
  const natGateways = eips.map((e, k) => ({
    id: `nat-${hexOf(17, ...s.seed, 'nat', String(k))}`,
    allocationId: e.id,
    publicIp: e.publicIp,
    subnetId: publicIds[k] ?? '',
  }));
  const endpointSpecs = Array.isArray(i.vpcEndpointSpecs) ? (i.vpcEndpointSpecs as Array<Record<string, unknown>>) : [];
  const vpcEndpoints = endpointSpecs.map((e) => {
    const serviceName = String(e.serviceName ?? '');
    const id = `vpce-${hexOf(17, ...s.seed, serviceName)}`;
    return { id, serviceName, vpcEndpointType: e.vpcEndpointType ?? 'Gateway', privateDnsEnabled: e.privateDnsEnabled ?? e.vpcEndpointType === 'Interface', vpcId };
  });
  const cidrBlock = typeof i.cidrBlock === 'string' ? i.cidrBlock : '10.0.0.0/16';
  const state = {
    ...i,
    vpcId,
    vpc: { id: vpcId, arn: `arn:aws:ec2:${s.region}:${s.account}:vpc/${vpcId}`, cidrBlock, enableDnsHostnames: i.enableDnsHostnames ?? true, enableDnsSupport: true },
    subnets,
    publicSubnetIds: publicIds,
    privateSubnetIds: idsOf('Private'),
    isolatedSubnetIds: idsOf('Isolated'),
    publicSubnets: subnets.filter((x) => x.type === 'Public'),
    privateSubnets: subnets.filter((x) => x.type === 'Private'),
    isolatedSubnets: subnets.filter((x) => x.type === 'Isolated'),
    routeTables,
    routeTableAssociations,
    routes: [],
    internetGateway: { id: `igw-${hexOf(17, ...s.seed, 'igw')}`, vpcId },
    natGateways,
    eips,
    vpcEndpoints,
    subnetLayout: specs.map((sp) => ({ type: sp.type ?? 'Private', name: sp.name })),
  };
  return { id: vpcId, state };
}

function clusterState(s: Synth): SyntheticResult {
  const name = typeof s.inputs.name === 'string' ? s.inputs.name : `${s.name}-eksCluster-${hexOf(7, ...s.seed)}`;
  const hash = hexOf(32, ...s.seed).toUpperCase();
  const endpoint = `https://${hash}.gr7.${s.region}.eks.amazonaws.com`;
  const caData = Buffer.from(`simulated certificate authority of ${name}`).toString('base64');
  const issuer = `https://oidc.eks.${s.region}.amazonaws.com/id/${hash}`;
  const oidcArn = `arn:aws:iam::${s.account}:oidc-provider/${issuer.slice('https://'.length)}`;
  const clusterSg = `sg-${hexOf(17, ...s.seed, 'cluster-sg')}`;
  const nodeSg = `sg-${hexOf(17, ...s.seed, 'node-sg')}`;
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubernetes', cluster: { server: endpoint, 'certificate-authority-data': caData } }],
    contexts: [{ name: 'aws', context: { cluster: 'kubernetes', user: 'aws' } }],
    'current-context': 'aws',
    users: [
      {
        name: 'aws',
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'aws',
            args: ['eks', 'get-token', '--cluster-name', name, '--region', s.region, '--output', 'json'],
          },
        },
      },
    ],
  };
  const vpcConfig = {
    clusterSecurityGroupId: clusterSg,
    securityGroupIds: [clusterSg],
    subnetIds: Array.isArray(s.inputs.privateSubnetIds) ? s.inputs.privateSubnetIds : [],
    vpcId: s.inputs.vpcId ?? '',
    endpointPrivateAccess: s.inputs.endpointPrivateAccess ?? true,
    endpointPublicAccess: s.inputs.endpointPublicAccess ?? false,
    publicAccessCidrs: s.inputs.publicAccessCidrs ?? [],
  };
  const eksCluster = {
    id: name,
    name,
    arn: `arn:aws:eks:${s.region}:${s.account}:cluster/${name}`,
    endpoint,
    version: s.inputs.version ?? '1.34',
    status: 'ACTIVE',
    certificateAuthority: { data: caData },
    identities: [{ oidcs: [{ issuer }] }],
    vpcConfig,
  };
  const state = {
    ...s.inputs,
    kubeconfig,
    kubeconfigJson: JSON.stringify(kubeconfig),
    eksCluster,
    core: {
      cluster: eksCluster,
      endpoint,
      oidcProvider: { arn: oidcArn, url: issuer.slice('https://'.length) },
      vpcId: vpcConfig.vpcId,
      subnetIds: vpcConfig.subnetIds,
      clusterIamRole: { name: `${name}-role`, arn: `arn:aws:iam::${s.account}:role/${name}-role` },
      instanceRoles: [],
    },
    clusterSecurityGroupId: clusterSg,
    nodeSecurityGroupId: nodeSg,
    oidcProviderArn: oidcArn,
    oidcProviderUrl: issuer.slice('https://'.length),
    oidcIssuer: issuer,
    defaultNodeGroupAsgName: '',
    fargateProfileId: '',
    fargateProfileStatus: '',
    autoModeNodeRoleName: '',
    clusterIngressRuleId: `sgrule-${digitsOf(10, ...s.seed)}`,
  };
  return { id: `${name}-${alnumOf(6, ...s.seed)}`, state };
}

/** State for a known component type, or undefined. */
export function syntheticComponentState(s: Synth): SyntheticResult | undefined {
  if (s.type === 'awsx:ec2:Vpc') return vpcState(s);
  if (s.type === 'eks:index:Cluster') return clusterState(s);
  return undefined;
}
