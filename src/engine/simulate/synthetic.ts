/**
 * Deterministic synthetic state per resource type, so downstream phases receive values of the right
 * shape (ids, ARNs, subnet lists, kubeconfig, OIDC issuer...). Rules:
 * - The same (stack, type, name, inputs) always gives the same result: every generated value derives
 *   from a SHA-256 of (stack, type, name) (plus, for lists, the element's own key), never from time
 *   or randomness.
 * - Inputs are echoed into the state (as the engine would) and computed outputs are added on top.
 * - Formats follow AWS (12-digit account ids, `o-`/`r-`/`ou-`/`p-` ids, service ARNs, `Z...` zone
 *   ids, `subnet-`/`vpc-`/`sg-` ids); public IPs come from TEST-NET-3 (203.0.113.0/24) and generic
 *   fallbacks use `sim-` ids, so simulated values stay recognisable.
 * - `call` (data sources) goes through the same function with name 'call'; tokens without a known
 *   shape echo their arguments, like resources without one.
 * - `region` on a resource's inputs (provider v7 per-resource region) wins over the context's region.
 */
import { syntheticComponentState } from './synthetic-components.js';
import { alnumOf, digitsOf, hexOf, shortHash, uuidOf, type Synth, type SyntheticContext, type SyntheticResult } from './synthetic-values.js';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

type Builder = (s: Synth) => SyntheticResult;

const ec2Id = (prefix: string) => (s: Synth): SyntheticResult => {
  const id = `${prefix}-${hexOf(17, ...s.seed)}`;
  return { id, state: { ...s.inputs, id, arn: `arn:aws:ec2:${s.region}:${s.account}:${prefix === 'sg' ? 'security-group' : prefix === 'rtb' ? 'route-table' : prefix === 'subnet' ? 'subnet' : prefix === 'i' ? 'instance' : prefix}/${id}`, ownerId: s.account } };
};

/** Resource name as AWS would have it: the explicit `name` input, else the logical name plus a suffix. */
function physicalName(s: Synth, key = 'name'): string {
  return str(s.inputs[key]) ?? `${s.name}-${hexOf(7, ...s.seed)}`;
}

function named(arnOf: (s: Synth, n: string) => string, idOf: 'name' | 'arn' = 'name', key = 'name'): Builder {
  return (s) => {
    const n = physicalName(s, key);
    const arn = arnOf(s, n);
    const id = idOf === 'arn' ? arn : n;
    return { id, state: { ...s.inputs, [key]: n, id, arn } };
  };
}

const RESOURCES: Record<string, Builder> = {
  'aws:organizations/organization:Organization': (s) => {
    const id = `o-${alnumOf(10, ...s.seed)}`;
    const rootId = `r-${alnumOf(4, ...s.seed, 'root')}`;
    const types = Array.isArray(s.inputs.enabledPolicyTypes) ? (s.inputs.enabledPolicyTypes as string[]) : [];
    return {
      id,
      state: {
        ...s.inputs,
        id,
        arn: `arn:aws:organizations::${s.account}:organization/${id}`,
        masterAccountId: s.account,
        masterAccountArn: `arn:aws:organizations::${s.account}:account/${id}/${s.account}`,
        roots: [
          {
            id: rootId,
            name: 'Root',
            arn: `arn:aws:organizations::${s.account}:root/${id}/${rootId}`,
            policyTypes: types.map((type) => ({ type, status: 'ENABLED' })),
          },
        ],
        accounts: [],
        nonMasterAccounts: [],
      },
    };
  },
  'aws:organizations/organizationalUnit:OrganizationalUnit': (s) => {
    const id = `ou-${alnumOf(4, ...s.seed)}-${alnumOf(8, ...s.seed, 'ou')}`;
    return { id, state: { ...s.inputs, id, arn: `arn:aws:organizations::${s.account}:ou/o-sim/${id}`, accounts: [] } };
  },
  'aws:organizations/account:Account': (s) => {
    const id = digitsOf(12, ...s.seed);
    return { id, state: { ...s.inputs, id, arn: `arn:aws:organizations::${s.account}:account/o-sim/${id}`, status: 'ACTIVE', govcloudId: '' } };
  },
  'aws:organizations/policy:Policy': (s) => {
    const id = `p-${alnumOf(8, ...s.seed)}`;
    return { id, state: { ...s.inputs, id, arn: `arn:aws:organizations::${s.account}:policy/o-sim/service_control_policy/${id}` } };
  },
  'aws:organizations/policyAttachment:PolicyAttachment': (s) => {
    const id = `${str(s.inputs.targetId) ?? 'target'}:${str(s.inputs.policyId) ?? 'policy'}`;
    return { id, state: { ...s.inputs, id } };
  },
  'aws:iam/role:Role': (s) => {
    const n = physicalName(s);
    const path = str(s.inputs.path) ?? '/';
    return { id: n, state: { ...s.inputs, id: n, name: n, path, arn: `arn:aws:iam::${s.account}:role${path}${n}`, uniqueId: `AROA${hexOf(17, ...s.seed).toUpperCase()}` } };
  },
  'aws:iam/policy:Policy': (s) => {
    const n = physicalName(s);
    const arn = `arn:aws:iam::${s.account}:policy${str(s.inputs.path) ?? '/'}${n}`;
    return { id: arn, state: { ...s.inputs, id: arn, name: n, arn, policyId: `ANPA${hexOf(17, ...s.seed).toUpperCase()}` } };
  },
  'aws:iam/instanceProfile:InstanceProfile': named((s, n) => `arn:aws:iam::${s.account}:instance-profile/${n}`),
  'aws:iam/openIdConnectProvider:OpenIdConnectProvider': (s) => {
    const url = (str(s.inputs.url) ?? `https://oidc.eks.${s.region}.amazonaws.com/id/${hexOf(32, ...s.seed).toUpperCase()}`).replace(/^https:\/\//, '');
    const arn = `arn:aws:iam::${s.account}:oidc-provider/${url}`;
    return { id: arn, state: { ...s.inputs, id: arn, arn, url: `https://${url}` } };
  },
  'aws:ecr/repository:Repository': (s) => {
    const n = physicalName(s);
    return { id: n, state: { ...s.inputs, id: n, name: n, registryId: s.account, arn: `arn:aws:ecr:${s.region}:${s.account}:repository/${n}`, repositoryUrl: `${s.account}.dkr.ecr.${s.region}.amazonaws.com/${n}` } };
  },
  'aws:kms/key:Key': (s) => {
    const keyId = uuidOf(...s.seed);
    return { id: keyId, state: { ...s.inputs, id: keyId, keyId, arn: `arn:aws:kms:${s.region}:${s.account}:key/${keyId}` } };
  },
  'aws:kms/alias:Alias': (s) => {
    const n = str(s.inputs.name) ?? `alias/${s.name}`;
    return { id: n, state: { ...s.inputs, id: n, name: n, arn: `arn:aws:kms:${s.region}:${s.account}:${n}`, targetKeyArn: `arn:aws:kms:${s.region}:${s.account}:key/${str(s.inputs.targetKeyId) ?? uuidOf(...s.seed)}` } };
  },
  'aws:sqs/queue:Queue': (s) => {
    const n = physicalName(s);
    const url = `https://sqs.${s.region}.amazonaws.com/${s.account}/${n}`;
    return { id: url, state: { ...s.inputs, id: url, name: n, url, arn: `arn:aws:sqs:${s.region}:${s.account}:${n}` } };
  },
  'aws:s3/bucket:Bucket': (s) => {
    const b = physicalName(s, 'bucket');
    return {
      id: b,
      state: { ...s.inputs, id: b, bucket: b, arn: `arn:aws:s3:::${b}`, region: s.region, bucketDomainName: `${b}.s3.amazonaws.com`, bucketRegionalDomainName: `${b}.s3.${s.region}.amazonaws.com`, hostedZoneId: 'Z1BKCTXD74EZPE' },
    };
  },
  'aws:sns/topic:Topic': named((s, n) => `arn:aws:sns:${s.region}:${s.account}:${n}`, 'arn'),
  'aws:route53/zone:Zone': (s) => {
    const zoneId = `Z${alnumOf(20, ...s.seed).toUpperCase()}`;
    const n = Number.parseInt(digitsOf(4, ...s.seed), 10);
    const nameServers = [
      `ns-${n % 512}.awsdns-${String(n % 64).padStart(2, '0')}.com`,
      `ns-${(n % 512) + 512}.awsdns-${String((n + 1) % 64).padStart(2, '0')}.net`,
      `ns-${(n % 512) + 1024}.awsdns-${String((n + 2) % 64).padStart(2, '0')}.org`,
      `ns-${(n % 512) + 1536}.awsdns-${String((n + 3) % 64).padStart(2, '0')}.co.uk`,
    ];
    return { id: zoneId, state: { ...s.inputs, id: zoneId, zoneId, nameServers, arn: `arn:aws:route53:::hostedzone/${zoneId}`, primaryNameServer: nameServers[0] } };
  },
  'aws:route53/record:Record': (s) => {
    const id = `${str(s.inputs.zoneId) ?? 'Z'}_${str(s.inputs.name) ?? s.name}_${str(s.inputs.type) ?? 'A'}`;
    return { id, state: { ...s.inputs, id, fqdn: str(s.inputs.name) ?? s.name } };
  },
  'aws:backup/vault:Vault': named((s, n) => `arn:aws:backup:${s.region}:${s.account}:backup-vault:${n}`),
  'aws:cloudtrail/trail:Trail': named((s, n) => `arn:aws:cloudtrail:${s.region}:${s.account}:trail/${n}`, 'arn'),
  'aws:cloudwatch/logGroup:LogGroup': named((s, n) => `arn:aws:logs:${s.region}:${s.account}:log-group:${n}`),
  'aws:cloudwatch/eventRule:EventRule': named((s, n) => `arn:aws:events:${s.region}:${s.account}:rule/${n}`),
  'aws:cloudwatch/metricAlarm:MetricAlarm': named((s, n) => `arn:aws:cloudwatch:${s.region}:${s.account}:alarm:${n}`),
  // FIS template ids are `EXT` + alphanumerics (GetExperimentTemplate's id pattern).
  'aws:fis/experimentTemplate:ExperimentTemplate': (s) => {
    const id = `EXT${alnumOf(14, ...s.seed)}`;
    return { id, state: { ...s.inputs, id, arn: `arn:aws:fis:${s.region}:${s.account}:experiment-template/${id}` } };
  },
  'aws:cfg/recorder:Recorder': named((s, n) => `arn:aws:config:${s.region}:${s.account}:config-recorder/${n}`),
  'aws:cfg/deliveryChannel:DeliveryChannel': named((s, n) => `arn:aws:config:${s.region}:${s.account}:delivery-channel/${n}`),
  'aws:guardduty/detector:Detector': (s) => {
    const id = hexOf(32, ...s.seed);
    return { id, state: { ...s.inputs, id, accountId: s.account, arn: `arn:aws:guardduty:${s.region}:${s.account}:detector/${id}` } };
  },
  'aws:securityhub/account:Account': (s) => ({ id: s.account, state: { ...s.inputs, id: s.account, arn: `arn:aws:securityhub:${s.region}:${s.account}:hub/default` } }),
  'aws:networkfirewall/ruleGroup:RuleGroup': named((s, n) => `arn:aws:network-firewall:${s.region}:${s.account}:stateful-rulegroup/${n}`, 'arn'),
  'aws:networkfirewall/firewallPolicy:FirewallPolicy': named((s, n) => `arn:aws:network-firewall:${s.region}:${s.account}:firewall-policy/${n}`, 'arn'),
  'aws:networkfirewall/firewall:Firewall': (s) => {
    const n = physicalName(s);
    const arn = `arn:aws:network-firewall:${s.region}:${s.account}:firewall/${n}`;
    const mappings = Array.isArray(s.inputs.subnetMappings) ? (s.inputs.subnetMappings as Array<{ subnetId?: string }>) : [];
    const syncStates = mappings.map((m, i) => ({
      availabilityZone: `${s.region}${String.fromCharCode(97 + i)}`,
      attachments: [{ subnetId: m.subnetId ?? '', endpointId: `vpce-${hexOf(17, ...s.seed, String(i))}`, status: 'READY' }],
    }));
    return { id: arn, state: { ...s.inputs, id: arn, arn, name: n, firewallStatuses: [{ syncStates }], updateToken: hexOf(8, ...s.seed) } };
  },
  'aws:ssoadmin/permissionSet:PermissionSet': (s) => {
    const instance = str(s.inputs.instanceArn) ?? 'arn:aws:sso:::instance/ssoins-sim';
    const arn = `arn:aws:sso:::permissionSet/${instance.split('/').pop()}/ps-${hexOf(16, ...s.seed)}`;
    return { id: `${arn},${instance}`, state: { ...s.inputs, id: `${arn},${instance}`, arn, createdDate: '2026-01-01T00:00:00Z' } };
  },
  'aws:identitystore/group:Group': (s) => {
    const groupId = uuidOf(...s.seed);
    const id = `${str(s.inputs.identityStoreId) ?? 'd-sim'}/${groupId}`;
    return { id, state: { ...s.inputs, id, groupId } };
  },
  'aws:ec2/subnet:Subnet': ec2Id('subnet'),
  'aws:ec2/securityGroup:SecurityGroup': ec2Id('sg'),
  'aws:ec2/instance:Instance': ec2Id('i'),
  'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup': ec2Id('sg'),
  'aws:ec2/routeTable:RouteTable': ec2Id('rtb'),
  'aws:ec2/flowLog:FlowLog': ec2Id('fl'),
  'aws:ec2/vpc:Vpc': ec2Id('vpc'),
  'aws:ec2/vpcEndpoint:VpcEndpoint': ec2Id('vpce'),
  'aws:ec2/natGateway:NatGateway': ec2Id('nat'),
  'aws:ec2/internetGateway:InternetGateway': ec2Id('igw'),
  'aws:ec2/eip:Eip': (s) => {
    const id = `eipalloc-${hexOf(17, ...s.seed)}`;
    return { id, state: { ...s.inputs, id, allocationId: id, publicIp: `203.0.113.${Number.parseInt(digitsOf(3, ...s.seed), 10) % 254 + 1}` } };
  },
  // Phase 8: backup plans and selections, Route53 health checks, load balancers and target groups.
  'aws:backup/plan:Plan': (s) => {
    const id = uuidOf(...s.seed);
    return { id, state: { ...s.inputs, id, arn: `arn:aws:backup:${s.region}:${s.account}:backup-plan:${id}`, version: hexOf(32, ...s.seed, 'version') } };
  },
  'aws:backup/selection:Selection': (s) => {
    const id = uuidOf(...s.seed);
    return { id, state: { ...s.inputs, id } };
  },
  'aws:route53/healthCheck:HealthCheck': (s) => {
    const id = uuidOf(...s.seed);
    return { id, state: { ...s.inputs, id, arn: `arn:aws:route53:::healthcheck/${id}` } };
  },
  'aws:lb/loadBalancer:LoadBalancer': (s) => {
    const n = physicalName(s);
    const arn = `arn:aws:elasticloadbalancing:${s.region}:${s.account}:loadbalancer/${s.inputs.loadBalancerType === 'network' ? 'net' : 'app'}/${n}/${hexOf(16, ...s.seed)}`;
    return { id: arn, state: { ...s.inputs, id: arn, arn, name: n, dnsName: `${n}-${hexOf(16, ...s.seed, 'dns')}.elb.${s.region}.amazonaws.com`, zoneId: `Z${alnumOf(13, s.region, 'elb').toUpperCase()}` } };
  },
  'aws:lb/targetGroup:TargetGroup': (s) => {
    const n = physicalName(s);
    const arn = `arn:aws:elasticloadbalancing:${s.region}:${s.account}:targetgroup/${n}/${hexOf(16, ...s.seed)}`;
    return { id: arn, state: { ...s.inputs, id: arn, arn, name: n } };
  },
  'aws:eks/cluster:Cluster': (s) => {
    const n = physicalName(s);
    const hash = hexOf(32, ...s.seed).toUpperCase();
    return {
      id: n,
      state: {
        ...s.inputs,
        vpcConfig: { ...((s.inputs.vpcConfig as Record<string, unknown> | undefined) ?? {}), clusterSecurityGroupId: `sg-${hexOf(17, ...s.seed, 'cluster-sg')}` },
        id: n,
        name: n,
        arn: `arn:aws:eks:${s.region}:${s.account}:cluster/${n}`,
        endpoint: `https://${hash}.gr7.${s.region}.eks.amazonaws.com`,
        certificateAuthority: { data: Buffer.from(`simulated CA for ${n}`).toString('base64') },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${s.region}.amazonaws.com/id/${hash}` }] }],
        status: 'ACTIVE',
        platformVersion: 'eks.1',
      },
    };
  },
};

const CALLS: Record<string, (s: Synth) => Record<string, unknown>> = {
  // An existing organization the context's account manages, as phase 0 adopts it: all features,
  // SCPs enabled on the root, Identity Center's trusted access on (its prerequisites).
  'aws:organizations/getOrganization:getOrganization': (s) => {
    const id = `o-${alnumOf(10, s.ctx.stack, 'organization')}`;
    const rootId = `r-${alnumOf(4, s.ctx.stack, 'organization', 'root')}`;
    return {
      id,
      arn: `arn:aws:organizations::${s.account}:organization/${id}`,
      featureSet: 'ALL',
      masterAccountId: s.account,
      masterAccountArn: `arn:aws:organizations::${s.account}:account/${id}/${s.account}`,
      masterAccountEmail: 'management@example.com',
      masterAccountName: 'management',
      awsServiceAccessPrincipals: ['sso.amazonaws.com'],
      enabledPolicyTypes: ['SERVICE_CONTROL_POLICY'],
      roots: [{ id: rootId, name: 'Root', arn: `arn:aws:organizations::${s.account}:root/${id}/${rootId}`, policyTypes: [{ type: 'SERVICE_CONTROL_POLICY', status: 'ENABLED' }] }],
      accounts: [],
      nonMasterAccounts: [],
    };
  },
  'aws:ssoadmin/getInstances:getInstances': (s) => ({
    id: s.region,
    arns: [`arn:aws:sso:::instance/ssoins-${hexOf(16, s.ctx.stack, 'sso')}`],
    identityStoreIds: [`d-${hexOf(10, s.ctx.stack, 'sso')}`],
  }),
  // A fixed, labelled stand-in: simulated runs never create a real credential.
  'aws:secretsmanager/getRandomPassword:getRandomPassword': (s) => ({ id: s.region, ...s.inputs, randomPassword: `simulated-${hexOf(16, s.ctx.stack, 'password')}` }),
  'aws:index/getCallerIdentity:getCallerIdentity': (s) => ({
    id: s.account,
    accountId: s.account,
    arn: `arn:aws:sts::${s.account}:assumed-role/platform-deployer/platform-cli`,
    userId: `AROA${hexOf(17, s.ctx.stack, 'caller').toUpperCase()}:platform-cli`,
  }),
  // IAM roles by name pattern: one role whose name is the pattern's literal prefix plus a hex suffix
  // (the shape of Identity Center's AWSReservedSSO_<permission set>_<suffix> roles), under pathPrefix.
  'aws:iam/getRoles:getRoles': (s) => {
    const regex = str(s.inputs.nameRegex) ?? '';
    const prefix = /^\^?([A-Za-z0-9_+=,.@-]*)/.exec(regex)?.[1] ?? '';
    if (!prefix) return { id: s.account, arns: [], names: [], ...s.inputs };
    const name = `${prefix}${hexOf(16, s.ctx.stack, 'role', regex)}`;
    const path = `${str(s.inputs.pathPrefix) ?? '/'}${s.region}/`.replace(/\/+/g, '/');
    return { id: s.account, ...s.inputs, names: [name], arns: [`arn:aws:iam::${s.account}:role${path}${name}`] };
  },
  'aws:index/getRegion:getRegion': (s) => ({ id: s.region, name: s.region, region: s.region, endpoint: `ec2.${s.region}.amazonaws.com`, description: s.region }),
  'aws:index/getPartition:getPartition': () => ({ id: 'aws', partition: 'aws', dnsSuffix: 'amazonaws.com', reverseDnsPrefix: 'com.amazonaws' }),
  'aws:index/getAvailabilityZones:getAvailabilityZones': (s) => {
    const names = ['a', 'b', 'c', 'd'].map((l) => `${s.region}${l}`);
    return { id: s.region, names, zoneIds: names.map((_, i) => `${s.region.replace(/-/g, '').slice(0, 6)}-az${i + 1}`), state: 'available' };
  },
  'aws:ec2/getRouteTables:getRouteTables': (s) => {
    const filters = Array.isArray(s.inputs.filters) ? (s.inputs.filters as Array<{ values?: string[] }>) : [];
    const keys = filters.flatMap((f) => f.values ?? []);
    return { id: s.region, ids: (keys.length > 0 ? keys : ['main']).map((k) => `rtb-${hexOf(17, s.ctx.stack, 'rtb-of', k)}`) };
  },
};

export function syntheticState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  ctx: SyntheticContext,
  /** The values of the inputs whose change replaces the resource: a replacement gets new ids. */
  replaceKey?: string,
): SyntheticResult {
  const s: Synth = {
    ctx,
    type,
    name,
    inputs,
    region: str(inputs.region) ?? ctx.region,
    account: ctx.accountId,
    seed: [ctx.stack, type, name, ...(replaceKey ? [replaceKey] : [])],
  };
  if (name === 'call') {
    const call = CALLS[type];
    return { id: '', state: call ? call(s) : { ...inputs } };
  }
  const build = RESOURCES[type];
  if (build) return build(s);
  if (type.startsWith('pulumi:providers:')) {
    const id = uuidOf(...s.seed);
    return { id, state: { ...inputs, id } };
  }
  const component = syntheticComponentState(s);
  if (component) return component;
  // Phase 2 (programs/02-cluster): launch template versions, and the NLB host name of a
  // LoadBalancer Service (or a Service read back with Service.get, whose inputs carry no spec).
  if (type === 'aws:ec2/launchTemplate:LaunchTemplate') {
    const ltId = `lt-${hexOf(17, ...s.seed)}`;
    return { id: ltId, state: { ...inputs, id: ltId, arn: `arn:aws:ec2:${s.region}:${ctx.accountId}:launch-template/${ltId}`, latestVersion: 1, defaultVersion: 1 } };
  }
  if (type === 'kubernetes:core/v1:Service' && (inputs.spec === undefined || (inputs.spec as { type?: unknown }).type === 'LoadBalancer')) {
    const hostname = `k8s-${hexOf(8, ...s.seed)}-${hexOf(10, ...s.seed, 'nlb')}.elb.${s.region}.amazonaws.com`;
    return { id: `sim-${shortHash(...s.seed)}`, state: { ...inputs, status: { loadBalancer: { ingress: [{ hostname }] } } } };
  }
  const h = shortHash(...s.seed);
  const id = `sim-${h}`;
  const [pkg, mod] = type.split(':');
  const service = (mod ?? '').split('/')[0] || pkg;
  const arn = `arn:aws:${service}:${s.region}:${ctx.accountId}:${name}`;
  return { id, state: { ...inputs, id, arn, name: inputs.name ?? name } };
}
