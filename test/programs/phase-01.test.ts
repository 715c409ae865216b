/**
 * Phase 1 under Pulumi mocks, for a dev-like env (single NAT, public API) and a prod-like env (NAT
 * per AZ, private API), with phase 0 outputs as upstream. Checks what matters: the provider
 * assumes the deploy role pinned to the account, subnet specs and NAT come from the env file,
 * private/isolated subnets get no public IPs, flow logs and CloudTrail are on and encrypted, every
 * bucket is encrypted/versioned/private/TLS-only, every key rotates, no policy allows Action "*",
 * no Network Firewall is deployed, and the outputs pass the phase's own schema.
 */
import { strict as assert } from 'node:assert';
import { PlatformError } from '../../src/core/errors.js';
import { CLUSTER_NAME_MAX_LENGTH, EnvConfigSchema, type EnvConfig } from '../../src/core/env.js';
import { iamName } from '../../programs/shared/naming.js';
import { foundationIamNames } from '../../programs/01-foundation/iam-names.js';
import { evaluateProgram, type CapturedResource, type Evaluation } from '../../src/engine/simulate/evaluate.js';
import { phase0Outputs, type Phase0Outputs } from '../../programs/00-organization/phase.js';
import { phase, phase1Outputs, type Phase1Outputs } from '../../programs/01-foundation/phase.js';
import { planSubnets } from '../../programs/01-foundation/subnet-plan.js';
import { devEnv, localEnv, makeEnv, prodEnv } from '../helpers/env-fixtures.js';
import { assertAccessLogging } from './access-logs.js';

const upstream0: Phase0Outputs = phase0Outputs.parse({
  organizationId: 'o-abcdefghij',
  rootId: 'r-ab12',
  ouIds: { workloads: 'ou-ab12-aaaaaaaa', nonprod: 'ou-ab12-bbbbbbbb', prod: 'ou-ab12-cccccccc', infrastructure: 'ou-ab12-dddddddd' },
  accountIds: { dev: devEnv.accountId, stg: '222222222222', prod: prodEnv.accountId, sharedServices: '444444444444' },
  deployRoleArns: {
    dev: `arn:aws:iam::${devEnv.accountId}:role/platform-deployer`,
    stg: 'arn:aws:iam::222222222222:role/platform-deployer',
    prod: `arn:aws:iam::${prodEnv.accountId}:role/platform-deployer`,
  },
  verifierRoleArns: {
    dev: `arn:aws:iam::${devEnv.accountId}:role/platform-verifier`,
    stg: 'arn:aws:iam::222222222222:role/platform-verifier',
    prod: `arn:aws:iam::${prodEnv.accountId}:role/platform-verifier`,
  },
  ssoInstanceArn: 'arn:aws:sso:::instance/ssoins-0123456789abcdef',
  identityStoreId: 'd-0123456789',
  permissionSetArns: {
    admin: 'arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-1',
    developer: 'arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-2',
    readonly: 'arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-3',
    breakGlass: 'arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-4',
  },
  groupIds: { platformAdmins: 'g1', developers: 'g2', readOnly: 'g3', breakGlass: 'g4' },
  scpPolicyIds: { guardrails: 'p-aaaaaaaa', regionDeny: 'p-bbbbbbbb', dataProtection: 'p-cccccccc' },
  regions: { primary: 'eu-west-1', dr: 'eu-central-1' },
  permissionSetNames: { admin: 'PlatformAdmin', developer: 'Developer', readonly: 'ReadOnly', breakGlass: 'PlatformBreakGlass' },
  managementAccountId: '999999999999',
  identityCenterRegion: 'us-east-1',
});

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as any;
const byType = (ev: Evaluation, type: string) => ev.resources.filter((r) => r.type === type);

async function evaluate(env: EnvConfig): Promise<{ ev: Evaluation; out: Phase1Outputs }> {
  const inputs = phase.inputs({ env, upstream: { 0: upstream0 }, simulated: false });
  const program = await phase.loadProgram!();
  const stack = `${env.name}-01-foundation`;
  const ev = await evaluateProgram({
    stack,
    synthetic: { accountId: inputs.accountId, region: env.regions.primary, stack },
    program: () => program(inputs),
  });
  return { ev, out: phase1Outputs.parse(ev.outputs) };
}

describe('phase 1 (foundation) inputs', () => {
  it('takes the env account and deploy role from phase 0 and stays JSON-serialisable', () => {
    const inputs = phase.inputs({ env: devEnv, upstream: { 0: upstream0 }, simulated: false });
    assert.equal(inputs.accountId, devEnv.accountId);
    assert.equal(inputs.deployRoleArn, upstream0.deployRoleArns.dev);
    assert.deepEqual(JSON.parse(JSON.stringify(inputs)), inputs);
  });

  it('refuses a real run when phase 0 made a different account than the env file names', () => {
    const env = makeEnv((e) => ({ ...e, accountId: '555555555555' }));
    assert.throws(() => phase.inputs({ env, upstream: { 0: upstream0 }, simulated: false }), (e: unknown) => {
      assert.ok(e instanceof PlatformError);
      assert.equal(e.code, 'account-mismatch');
      assert.equal(e.value, '555555555555');
      assert.match(e.hint ?? '', /accountId: "111111111111"/);
      return true;
    });
  });

  it('names the missing upstream output and how to produce it', () => {
    const { deployRoleArns: _omit, ...partial } = upstream0;
    assert.throws(() => phase.inputs({ env: devEnv, upstream: { 0: partial }, simulated: true }), (e: unknown) => {
      assert.ok(e instanceof PlatformError);
      assert.equal(e.code, 'dependency-check');
      assert.match(e.message, /deployRoleArns/);
      assert.match(e.hint ?? '', /platform up --phase 0 --env dev/);
      return true;
    });
  });

  it('refuses network.networkFirewall: true, naming the field and why (a firewall no route reaches inspects nothing)', () => {
    const env = makeEnv((e) => ({ ...e, network: { ...e.network, networkFirewall: true } }));
    assert.throws(() => phase.inputs({ env, upstream: { 0: upstream0 }, simulated: true }), (e: unknown) => {
      assert.ok(e instanceof PlatformError);
      assert.equal(e.code, 'config-invalid');
      assert.match(e.message, /network\.networkFirewall is true in stacks\/dev\.yaml/);
      assert.match(e.hint ?? '', /networkFirewall: false/);
      return true;
    });
  });

  it('refuses guardduty-data in network.interfaceEndpoints: phase 1 always creates that endpoint', () => {
    const env = makeEnv((e) => ({ ...e, network: { ...e.network, interfaceEndpoints: [...e.network.interfaceEndpoints, 'guardduty-data'] } }));
    assert.throws(() => phase.inputs({ env, upstream: { 0: upstream0 }, simulated: true }), /lists guardduty-data, which phase 1 always creates/);
  });

  it("deploys into the member account the env file names (memberAccount), whatever the env's name", () => {
    assert.equal(phase.inputs({ env: localEnv, upstream: { 0: upstream0 }, simulated: true }).deployRoleArn, upstream0.deployRoleArns.dev);
    const qa = makeEnv((e) => ({ ...e, name: 'qa', memberAccount: 'stg' }));
    assert.equal(phase.inputs({ env: qa, upstream: { 0: upstream0 }, simulated: true }).deployRoleArn, upstream0.deployRoleArns.stg);
  });
});

describe('phase 1 IAM names fit the cluster-name cap of the env schema', () => {
  it('accepts the longest cluster name the schema allows and every IAM name built from it stays within 64 characters', () => {
    const longest = 'a'.repeat(CLUSTER_NAME_MAX_LENGTH);
    const env = makeEnv((e) => ({ ...e, cluster: { ...e.cluster, name: longest } }));
    for (const name of foundationIamNames(env.cluster.name, env.name)) assert.doesNotThrow(() => iamName(name), name);
  });

  it('rejects a cluster name one character longer, naming the field (KarpenterControllerResourceDiscovery-<cluster> would pass 64)', () => {
    const tooLong = 'a'.repeat(CLUSTER_NAME_MAX_LENGTH + 1);
    const parsed = EnvConfigSchema.safeParse({ ...devEnv, cluster: { ...devEnv.cluster, name: tooLong } });
    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error!.issues[0]!.path, ['cluster', 'name']);
    assert.throws(() => iamName(`KarpenterControllerResourceDiscovery-${tooLong}`), /IAM name/);
  });
});

describe('phase 1 subnet plan', () => {
  it('gives each AZ an equal block of the VPC', () => {
    assert.equal(planSubnets({ ...prodEnv.network }).azMask, 18);
  });

  it('rejects a DR range overlapping the primary and subnets that do not fit their AZ block', () => {
    assert.throws(() => planSubnets({ ...devEnv.network, drVpcCidr: '10.10.128.0/17' }), (e: unknown) => e instanceof PlatformError && e.code === 'config-invalid' && /drVpcCidr/.test(e.message));
    assert.throws(() => planSubnets({ ...devEnv.network, privateSubnetMask: 17 }), /privateSubnetMask \/17 does not fit/);
    assert.throws(() => planSubnets({ ...devEnv.network, availabilityZones: 4, privateSubnetMask: 18 }), /publicSubnetMask \/24 does not fit: each of 4 AZs gets a \/18/);
  });
});

for (const [label, env] of [['dev-like', devEnv], ['prod-like', prodEnv]] as const) {
  describe(`phase 1 (foundation) program, ${label} env`, () => {
    let ev: Evaluation;
    let out: Phase1Outputs;
    const allStatements = (r: CapturedResource, key: string) => json(r.inputs[key]).Statement as any[];

    before(async () => {
      ({ ev, out } = await evaluate(env));
    });

    it('returns outputs that pass its own schema', () => {
      assert.equal(out.vpcCidr, env.network.vpcCidr);
      assert.equal(out.drRegion, env.regions.dr);
      assert.deepEqual(out.domainNames, { apex: env.domain, api: `api.${env.domain}` });
      assert.equal(out.privateSubnetIds.length, env.network.availabilityZones);
    });

    it('assumes the deploy role with allowedAccountIds pinned, and creates nothing through a default provider', () => {
      const providers = byType(ev, 'pulumi:providers:aws');
      for (const [name, region] of [['env', env.regions.primary], ['env-dr', env.regions.dr]] as const) {
        const p = providers.find((x) => x.name === name)!;
        assert.equal(p.inputs.region, region);
        assert.deepEqual(json(p.inputs.allowedAccountIds), [env.accountId]);
        assert.equal(json(p.inputs.assumeRoles)[0].roleArn, `arn:aws:iam::${env.accountId}:role/platform-deployer`);
      }
      const strays = ev.resources.filter((r) => r.type.startsWith('aws:') && !/pulumi:providers:aws::env(-dr)?::/.test(r.provider ?? ''));
      assert.deepEqual(strays.map((r) => r.name), []);
    });

    it('lays out private, public and isolated subnets from the env masks, with ELB and Karpenter tags', () => {
      const [vpc] = byType(ev, 'awsx:ec2:Vpc').filter((v) => v.inputs.cidrBlock === env.network.vpcCidr);
      assert.ok(vpc);
      assert.equal(vpc.inputs.subnetStrategy, 'Auto');
      assert.equal(vpc.inputs.enableDnsHostnames, true);
      assert.equal(vpc.inputs.numberOfAvailabilityZones, env.network.availabilityZones);
      const specs = vpc.inputs.subnetSpecs as any[];
      assert.deepEqual(specs.map((s) => [s.type, s.cidrMask]), [
        ['Private', env.network.privateSubnetMask],
        ['Public', env.network.publicSubnetMask],
        ['Isolated', env.network.isolatedSubnetMask],
      ]);
      assert.equal(specs[0].tags['kubernetes.io/role/internal-elb'], '1');
      assert.equal(specs[0].tags['karpenter.sh/discovery'], env.cluster.name);
      assert.equal(specs[1].tags['kubernetes.io/role/elb'], '1');
      // awsx maps public IPs only for Public specs; no spec may ask for them otherwise.
      assert.ok(specs.every((s) => s.type === 'Public' || (s.mapPublicIpOnLaunch === undefined && s.assignIpv6AddressOnCreation === undefined)));
      const subnets = vpc.state.subnets as any[];
      assert.ok(subnets.filter((s) => s.type !== 'Public').every((s) => s.mapPublicIpOnLaunch === false));
    });

    it('takes the NAT strategy from the env file', () => {
      const [vpc] = byType(ev, 'awsx:ec2:Vpc').filter((v) => v.inputs.cidrBlock === env.network.vpcCidr);
      assert.deepEqual(vpc!.inputs.natGateways, { strategy: env.network.natGateways });
      assert.equal(out.natPublicIps.length, env.network.natGateways === 'Single' ? 1 : env.network.availabilityZones);
    });

    it('creates the env interface endpoints privately behind an HTTPS-only group, plus the S3 gateway', () => {
      const eps = byType(ev, 'aws:ec2/vpcEndpoint:VpcEndpoint');
      assert.deepEqual(eps.map((e) => String(e.inputs.serviceName).split('.').slice(3).join('.')).sort(), [...env.network.interfaceEndpoints, 'guardduty-data'].sort());
      assert.ok(eps.every((e) => e.inputs.privateDnsEnabled === true && e.inputs.vpcEndpointType === 'Interface'));
      assert.ok(eps.every((e) => (e.inputs.securityGroupIds as string[])[0] === out.endpointSecurityGroupId));
      const sg = byType(ev, 'aws:ec2/securityGroup:SecurityGroup').find((s) => s.id === out.endpointSecurityGroupId)!;
      assert.deepEqual((sg.inputs.ingress as any[]).map((r) => [r.fromPort, r.toPort, r.cidrBlocks]), [[443, 443, [env.network.vpcCidr]]]);
      assert.ok(out.vpcEndpointIds.s3?.startsWith('vpce-'), 'S3 gateway endpoint exported');
    });

    it('locks the default security group and sends encrypted flow logs of all traffic', () => {
      for (const d of byType(ev, 'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup')) {
        assert.deepEqual([d.inputs.ingress ?? [], d.inputs.egress ?? []], [[], []]);
      }
      const logs = byType(ev, 'aws:ec2/flowLog:FlowLog');
      assert.equal(logs.length, 2, 'primary and DR VPC');
      for (const f of logs) {
        assert.equal(f.inputs.trafficType, 'ALL');
        const group = byType(ev, 'aws:cloudwatch/logGroup:LogGroup').find((g) => g.state.arn === f.inputs.logDestination)!;
        assert.match(String(group.inputs.kmsKeyId), /^arn:aws:kms:/);
        assert.equal(group.inputs.retentionInDays, env.network.flowLogRetentionDays);
      }
    });

    it('runs a multi-region, validated, KMS-encrypted CloudTrail and the other security services', () => {
      const [trail] = byType(ev, 'aws:cloudtrail/trail:Trail');
      assert.equal(trail!.inputs.isMultiRegionTrail, true);
      assert.equal(trail!.inputs.enableLogFileValidation, true);
      assert.equal(trail!.inputs.includeGlobalServiceEvents, true);
      assert.equal(trail!.inputs.kmsKeyId, out.kmsKeyArns.logs);
      assert.equal(byType(ev, 'aws:cfg/recorderStatus:RecorderStatus')[0]!.inputs.isEnabled, true);
      const features = byType(ev, 'aws:guardduty/detectorFeature:DetectorFeature').map((f) => f.inputs.name).sort();
      assert.deepEqual(features, ['EBS_MALWARE_PROTECTION', 'EKS_AUDIT_LOGS', 'RUNTIME_MONITORING', 'S3_DATA_EVENTS']);
      assert.equal(byType(ev, 'aws:securityhub/standardsSubscription:StandardsSubscription').length, 2);
      assert.equal(byType(ev, 'aws:ebs/encryptionByDefault:EncryptionByDefault')[0]!.inputs.enabled, true);
      const pab = byType(ev, 'aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock')[0]!.inputs;
      assert.ok(['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'].every((k) => pab[k] === true));
    });

    it('leaves the GuardDuty EKS agent to phase 2 (auto-management off) and builds the endpoint the agent needs (R4)', () => {
      const runtime = byType(ev, 'aws:guardduty/detectorFeature:DetectorFeature').find((f) => f.inputs.name === 'RUNTIME_MONITORING')!;
      assert.equal(runtime.inputs.status, 'ENABLED');
      assert.deepEqual(runtime.inputs.additionalConfigurations, [{ name: 'EKS_ADDON_MANAGEMENT', status: 'DISABLED' }]);
      const gd = byType(ev, 'aws:ec2/vpcEndpoint:VpcEndpoint').find((e) => e.inputs.serviceName === `com.amazonaws.${env.regions.primary}.guardduty-data`)!;
      assert.deepEqual([gd.inputs.vpcEndpointType, gd.inputs.privateDnsEnabled, gd.inputs.vpcId], ['Interface', true, out.vpcId]);
      assert.deepEqual(gd.inputs.subnetIds, out.privateSubnetIds);
      assert.deepEqual(gd.inputs.securityGroupIds, [out.endpointSecurityGroupId]);
      const deny = json(gd.inputs.policy).Statement.find((st: any) => st.Effect === 'Deny');
      assert.deepEqual(deny.Condition, { StringNotEquals: { 'aws:PrincipalAccount': env.accountId } });
      assert.equal(out.vpcEndpointIds['guardduty-data'], gd.id);
    });

    it('enables IAM Access Analyzer and Inspector2 (EC2, ECR), and EBS encryption and AWS Config in the DR region too (R13, C6)', () => {
      const [analyzer] = byType(ev, 'aws:accessanalyzer/analyzer:Analyzer');
      assert.deepEqual([analyzer?.inputs.type, analyzer?.inputs.analyzerName], ['ACCOUNT', `platform-${env.name}`]);
      const [inspector] = byType(ev, 'aws:inspector2/enabler:Enabler');
      assert.deepEqual([inspector?.inputs.accountIds, inspector?.inputs.resourceTypes], [[env.accountId], ['EC2', 'ECR']]);
      const inDr = (type: string) => byType(ev, type).filter((r) => /::env-dr::/.test(r.provider ?? ''));
      assert.deepEqual(inDr('aws:ebs/encryptionByDefault:EncryptionByDefault').map((r) => [r.inputs.enabled, r.inputs.region]), [[true, env.regions.dr]]);
      const [drRecorder] = inDr('aws:cfg/recorder:Recorder');
      assert.deepEqual(drRecorder?.inputs.recordingGroup, { allSupported: true, includeGlobalResourceTypes: false }, 'global types are recorded once, in the primary region');
      const primaryRecorder = byType(ev, 'aws:cfg/recorder:Recorder').find((r) => /::env::/.test(r.provider ?? ''))!;
      assert.equal(drRecorder!.inputs.roleArn, primaryRecorder.inputs.roleArn);
      const [drChannel] = inDr('aws:cfg/deliveryChannel:DeliveryChannel');
      const audit = byType(ev, 'aws:s3/bucket:Bucket').find((b) => b.id.startsWith('platform-audit-'))!;
      assert.deepEqual([drChannel?.inputs.s3BucketName, drChannel?.inputs.region], [audit.id, env.regions.dr]);
      assert.deepEqual(inDr('aws:cfg/recorderStatus:RecorderStatus').map((r) => r.inputs.isEnabled), [true]);
    });

    it('gives every data bucket SSE-KMS, versioning, a public access block, owner enforcement and TLS only', () => {
      const buckets = byType(ev, 'aws:s3/bucket:Bucket').filter((b) => !/^platform-access-logs-/.test(b.id));
      assert.equal(buckets.length, 5, 'loki chunks, loki ruler, artifacts, data backups (phase 4), audit');
      const of = (type: string, b: CapturedResource) => byType(ev, type).filter((r) => r.inputs.bucket === b.id);
      for (const b of buckets) {
        const [sse] = of('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', b);
        const rule = (sse!.inputs.rules as any[])[0];
        assert.equal(rule.applyServerSideEncryptionByDefault.sseAlgorithm, 'aws:kms', b.id);
        assert.match(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId, /^arn:aws:kms:/);
        assert.equal(rule.bucketKeyEnabled, true);
        assert.equal((of('aws:s3/bucketVersioning:BucketVersioning', b)[0]!.inputs.versioningConfiguration as any).status, 'Enabled');
        const pab = of('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', b)[0]!.inputs;
        assert.ok(['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'].every((k) => pab[k] === true), b.id);
        assert.equal((of('aws:s3/bucketOwnershipControls:BucketOwnershipControls', b)[0]!.inputs.rule as any).objectOwnership, 'BucketOwnerEnforced');
        const deny = allStatements(of('aws:s3/bucketPolicy:BucketPolicy', b)[0]!, 'policy').find((s) => s.Sid === 'DenyInsecureTransport');
        assert.deepEqual([deny.Effect, deny.Condition.Bool['aws:SecureTransport']], ['Deny', 'false']);
      }
      assert.deepEqual(Object.values(out.lokiBuckets).sort(), buckets.filter((b) => b.id.startsWith('loki-')).map((b) => b.id).sort());
      assert.ok(buckets.some((b) => b.id === out.dataBackupBucket) && out.dataBackupBucket.startsWith('data-backups-'), out.dataBackupBucket);
    });

    it('logs access of every data bucket to one SSE-S3 access-log bucket in the env account and primary region', () => {
      const { logBucket, sources } = assertAccessLogging(ev, env.accountId);
      assert.equal(logBucket.id, `platform-access-logs-${env.name}-${env.accountId}`);
      assert.equal(sources.length, 5);
      assert.ok(sources.every((b) => b.provider === logBucket.provider), 'same provider (account and region) as the sources');
      assert.match(logBucket.provider ?? '', /::env::/);
    });

    it('delivers the trail to a KMS-encrypted CloudWatch log group through a role limited to that group', () => {
      const [trail] = byType(ev, 'aws:cloudtrail/trail:Trail');
      const group = byType(ev, 'aws:cloudwatch/logGroup:LogGroup').find((g) => trail!.inputs.cloudWatchLogsGroupArn === `${g.state.arn}:*`);
      assert.ok(group, `no log group matches ${String(trail!.inputs.cloudWatchLogsGroupArn)}`);
      assert.equal(group.inputs.kmsKeyId, out.kmsKeyArns.logs);
      assert.ok(Number(group.inputs.retentionInDays) >= 365, 'kept at least a year');
      const role = byType(ev, 'aws:iam/role:Role').find((r) => r.state.arn === trail!.inputs.cloudWatchLogsRoleArn)!;
      assert.ok(role, 'the trail names its CloudWatch Logs role');
      const [trust] = allStatements(role, 'assumeRolePolicy');
      assert.deepEqual(trust.Principal, { Service: 'cloudtrail.amazonaws.com' });
      assert.equal(trust.Condition.StringEquals['aws:SourceArn'], `arn:aws:cloudtrail:${env.regions.primary}:${env.accountId}:trail/platform-${env.name}`);
      assert.equal(trust.Condition.StringEquals['aws:SourceAccount'], env.accountId);
      const policies = byType(ev, 'aws:iam/rolePolicy:RolePolicy').filter((p) => p.inputs.role === role.state.name);
      assert.equal(policies.length, 1);
      assert.deepEqual(byType(ev, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((p) => p.inputs.role === role.state.name), []);
      assert.deepEqual(allStatements(policies[0]!, 'policy'), [
        { Sid: 'CloudTrailWriteLogStreams', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${group.state.arn}:log-stream:${env.accountId}_CloudTrail_*` },
      ]);
    });

    it('rotates every KMS key; the EBS key grants use through EC2 and names no service-linked role (B4)', () => {
      const keys = byType(ev, 'aws:kms/key:Key');
      assert.equal(keys.length, 6, 'five primary keys and the DR key');
      for (const k of keys) assert.equal(k.inputs.enableKeyRotation, true, k.name);
      const ebs = keys.find((k) => k.state.arn === out.kmsKeyArns.ebs)!;
      const [root, ec2] = allStatements(ebs, 'policy');
      assert.equal(root.Principal.AWS, `arn:aws:iam::${env.accountId}:root`);
      assert.deepEqual(ec2.Condition, { StringEquals: { 'kms:ViaService': `ec2.${env.regions.primary}.amazonaws.com`, 'kms:CallerAccount': env.accountId } });
      assert.ok(ec2.Action.includes('kms:CreateGrant'));
      for (const k of keys) assert.ok(!String(k.inputs.policy).includes('aws-service-role'), `${k.name} names a service-linked role`);
    });

    it(`creates the EC2 Spot service-linked role only when the env's pools use spot (${env.cluster.spot}) (R1)`, () => {
      const slrs = byType(ev, 'aws:iam/serviceLinkedRole:ServiceLinkedRole').map((r) => r.inputs.awsServiceName);
      assert.deepEqual(slrs, env.cluster.spot ? ['spot.amazonaws.com'] : []);
    });

    it('has no IAM policy that allows Action "*"', () => {
      const docs = [
        ...byType(ev, 'aws:iam/policy:Policy').map((p) => [p.name, p.inputs.policy] as const),
        ...byType(ev, 'aws:iam/rolePolicy:RolePolicy').map((p) => [p.name, p.inputs.policy] as const),
      ];
      assert.ok(docs.length >= 12);
      for (const [name, text] of docs) {
        for (const s of json(text).Statement) {
          const actions = [s.Action ?? []].flat();
          assert.ok(!(s.Effect === 'Allow' && actions.some((a: string) => a === '*' || a === '*:*')), `${name} allows *`);
        }
      }
    });

    it('scopes add-on policies to the zones, the queue and the env secret prefix', () => {
      const policyDoc = (arn: string) => json(byType(ev, 'aws:iam/policy:Policy').find((p) => p.state.arn === arn)!.inputs.policy);
      const change = policyDoc(out.externalDnsPolicyArn).Statement.find((s: any) => [s.Action].flat().includes('route53:ChangeResourceRecordSets'));
      const zoneArns = byType(ev, 'aws:route53/zone:Zone').map((z) => z.state.arn).sort();
      assert.deepEqual([...change.Resource].sort(), zoneArns);
      const cm = policyDoc(out.certManagerPolicyArn).Statement.find((s: any) => s.Sid === 'ChangeTxtRecords');
      assert.deepEqual(cm.Condition['ForAllValues:StringEquals']['route53:ChangeResourceRecordSetsRecordTypes'], ['TXT']);
      const interruption = out.karpenterControllerPolicyArns.map(policyDoc).find((d: any) => d.Statement[0].Sid === 'AllowInterruptionQueueActions');
      assert.equal(interruption.Statement[0].Resource, out.interruptionQueueArn);
      const eso = policyDoc(out.externalSecretsPolicyArn).Statement.find((s: any) => s.Sid === 'ReadEnvSecrets');
      assert.equal(eso.Resource, `arn:aws:secretsmanager:${env.regions.primary}:${env.accountId}:secret:${env.name}/*`);
      const pass = out.karpenterControllerPolicyArns.map(policyDoc).flatMap((d: any) => d.Statement).find((s: any) => s.Sid === 'AllowPassingInstanceRole');
      assert.equal(pass.Resource, out.karpenterNodeRoleArn);
    });

    it('builds the interruption queue (SSE, TLS only) and the five EventBridge rules targeting it', () => {
      const [queue] = byType(ev, 'aws:sqs/queue:Queue');
      assert.deepEqual([queue!.inputs.sqsManagedSseEnabled, queue!.inputs.messageRetentionSeconds, queue!.inputs.name], [true, 300, env.cluster.name]);
      const statements = allStatements(byType(ev, 'aws:sqs/queuePolicy:QueuePolicy')[0]!, 'policy');
      assert.ok(statements.some((s) => s.Effect === 'Deny' && s.Condition.Bool['aws:SecureTransport'] === 'false'));
      const targets = byType(ev, 'aws:cloudwatch/eventTarget:EventTarget');
      assert.equal(byType(ev, 'aws:cloudwatch/eventRule:EventRule').length, 5);
      assert.equal(targets.length, 5);
      assert.ok(targets.every((t) => t.inputs.arn === out.interruptionQueueArn));
    });

    it('creates the env and api zones and delegates api.<domain> with an NS record', () => {
      const zones = byType(ev, 'aws:route53/zone:Zone');
      assert.deepEqual(zones.map((z) => z.inputs.name).sort(), [env.domain, `api.${env.domain}`].sort());
      const [ns] = byType(ev, 'aws:route53/record:Record');
      assert.equal(ns!.inputs.type, 'NS');
      assert.equal(ns!.inputs.zoneId, out.hostedZoneIds.apex);
      assert.deepEqual(ns!.inputs.records, out.hostedZoneNameServers.api);
      assert.equal(out.hostedZoneNameServers.api.length, 4);
    });

    it('puts a backup vault in each region with its own KMS key, and the DR VPC on drVpcCidr', () => {
      const vaults = byType(ev, 'aws:backup/vault:Vault');
      assert.equal(vaults.length, 2);
      const drVault = vaults.find((v) => v.state.arn === out.drBackupVaultArn)!;
      assert.equal(drVault.inputs.region, env.regions.dr);
      assert.match(drVault.provider ?? '', /::env-dr::/);
      assert.ok(vaults.every((v) => String(v.inputs.kmsKeyArn).startsWith('arn:aws:kms:')));
      assert.notEqual(out.backupVaultArn, out.drBackupVaultArn);
      const drVpc = byType(ev, 'awsx:ec2:Vpc').find((v) => v.inputs.cidrBlock === env.network.drVpcCidr);
      assert.ok(drVpc, 'DR VPC on drVpcCidr');
      assert.equal(out.drVpcId, drVpc.state.vpcId);
    });

    it(`builds the deploy runner only for a private EKS API (endpointPublicAccess ${env.cluster.endpointPublicAccess})`, () => {
      const instances = byType(ev, 'aws:ec2/instance:Instance');
      if (env.cluster.endpointPublicAccess) {
        assert.deepEqual(instances, []);
        assert.deepEqual([out.runnerSecurityGroupId, out.runnerInstanceId], ['', '']);
        return;
      }
      assert.equal(instances.length, 1);
      const [runner] = instances;
      assert.equal(out.runnerInstanceId, runner!.id);
      // In a private subnet of the env VPC, no public address, its own group with no inbound rule.
      assert.equal(runner!.inputs.subnetId, out.privateSubnetIds[0]);
      assert.equal(runner!.inputs.associatePublicIpAddress, false);
      assert.deepEqual(runner!.inputs.vpcSecurityGroupIds, [out.runnerSecurityGroupId]);
      const sg = byType(ev, 'aws:ec2/securityGroup:SecurityGroup').find((g) => g.id === out.runnerSecurityGroupId)!;
      assert.equal(sg.inputs.vpcId, out.vpcId);
      assert.deepEqual(sg.inputs.ingress, []);
      assert.deepEqual((sg.inputs.egress as any[]).map((e) => [e.protocol, e.fromPort, e.toPort]), [['tcp', 443, 443]]);
      // IMDSv2 only, hop limit 1; root volume encrypted with the env's EBS key.
      assert.deepEqual(runner!.inputs.metadataOptions, { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 });
      const root = runner!.inputs.rootBlockDevice as any;
      assert.deepEqual([root.encrypted, root.kmsKeyId], [true, out.kmsKeyArns.ebs]);
      // Managed by SSM: its role trusts EC2 and holds AmazonSSMManagedInstanceCore, nothing else.
      const profile = byType(ev, 'aws:iam/instanceProfile:InstanceProfile').find((p) => p.state.name === runner!.inputs.iamInstanceProfile)!;
      const role = byType(ev, 'aws:iam/role:Role').find((r) => r.state.name === profile.inputs.role)!;
      assert.deepEqual(allStatements(role, 'assumeRolePolicy')[0].Principal, { Service: 'ec2.amazonaws.com' });
      const attached = byType(ev, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((a) => a.inputs.role === role.state.name).map((a) => a.inputs.policyArn);
      assert.deepEqual(attached, ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore']);
      assert.equal(byType(ev, 'aws:iam/rolePolicy:RolePolicy').filter((p) => p.inputs.role === role.state.name).length, 0);
      // The AMI is resolved by EC2 at launch from AL2023's public parameter, through the launch template.
      const lt = byType(ev, 'aws:ec2/launchTemplate:LaunchTemplate').find((t) => t.id === (runner!.inputs.launchTemplate as any).id)!;
      assert.equal(lt.inputs.imageId, 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64');
      assert.equal(runner!.inputs.ami, undefined);
    });

    it('exports what later phases need: artifacts and access-log buckets, the DR key and DR public subnets (C4)', () => {
      const buckets = byType(ev, 'aws:s3/bucket:Bucket').map((b) => b.id);
      assert.ok(buckets.includes(out.artifactsBucket) && out.artifactsBucket.startsWith('platform-artifacts-'), out.artifactsBucket);
      assert.equal(out.accessLogBucket, `platform-access-logs-${env.name}-${env.accountId}`);
      const drKey = byType(ev, 'aws:kms/key:Key').find((k) => k.state.arn === out.drKmsKeyArn)!;
      assert.equal(drKey.inputs.region, env.regions.dr);
      assert.match(drKey.provider ?? '', /::env-dr::/);
      const drVpc = byType(ev, 'awsx:ec2:Vpc').find((v) => v.inputs.cidrBlock === env.network.drVpcCidr)!;
      assert.deepEqual(out.drPublicSubnetIds, drVpc.state.publicSubnetIds);
      assert.equal(out.drPublicSubnetIds.length, env.network.availabilityZones);
    });

    it('deploys no Network Firewall (nothing would route through it) and says so in firewallArn (W1)', () => {
      assert.deepEqual(ev.resources.filter((r) => r.type.startsWith('aws:networkfirewall/')).map((r) => r.type), []);
      assert.equal(out.firewallArn, '');
    });
  });
}
