import { strict as assert } from 'node:assert';
import {
  EC2Client,
  CreateVpcCommand,
  ModifyVpcAttributeCommand,
  CreateSubnetCommand,
  AllocateAddressCommand,
  CreateNatGatewayCommand,
  CreateVpcEndpointCommand,
  CreateSecurityGroupCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeImagesCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { IAMClient, CreateRoleCommand, CreateInstanceProfileCommand, AddRoleToInstanceProfileCommand } from '@aws-sdk/client-iam';
import { S3Client, CreateBucketCommand, PutBucketEncryptionCommand, PutPublicAccessBlockCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { KMSClient, CreateKeyCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, PutConfigurationRecorderCommand, PutDeliveryChannelCommand, StartConfigurationRecorderCommand } from '@aws-sdk/client-config-service';
import { GuardDutyClient, CreateDetectorCommand } from '@aws-sdk/client-guardduty';
import { Route53Client, CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import { gates, type Phase1GateOutputs } from '../../programs/01-foundation/gates.js';
import { createProbes } from '../../src/gates/probes/index.js';
import { runGates, type GatedPhase } from '../../src/gates/run-gates.js';
import type { GateResult } from '../../src/core/gate.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testEnv } from '../helpers/env-fixtures.js';
import { startMoto, motoConfig, TEST_CREDENTIALS, type Moto } from './moto.js';
import { LoopbackDns, type Zone } from './dns-server.js';

const phase1: GatedPhase = { id: 1, gates };
const REGION = 'eu-west-1';

describe('phase 1 gates (against the moto AWS emulator and a loopback DNS server)', function () {
  this.timeout(120_000);
  let moto: Moto;
  let dns: LoopbackDns | undefined;
  before(async () => (moto = await startMoto()));
  after(() => moto?.stop());
  beforeEach(() => moto.reset());
  afterEach(async () => {
    await dns?.stop();
    dns = undefined;
  });

  async function buildFoundation(opts: { tagPrivate?: boolean; weakBucket?: boolean } = {}): Promise<Phase1GateOutputs> {
    const c = motoConfig(moto, REGION);
    const ec2 = new EC2Client(c);
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
    const subnet = async (cidr: string, az: string, priv: boolean) =>
      (await ec2.send(new CreateSubnetCommand({
        VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az,
        TagSpecifications: priv && opts.tagPrivate !== false ? [{ ResourceType: 'subnet', Tags: [{ Key: 'kubernetes.io/role/internal-elb', Value: '1' }] }] : [],
      }))).Subnet!.SubnetId!;
    const publicSubnetIds = [await subnet('10.20.0.0/24', 'eu-west-1a', false), await subnet('10.20.1.0/24', 'eu-west-1b', false)];
    const privateSubnetIds = [await subnet('10.20.32.0/19', 'eu-west-1a', true), await subnet('10.20.64.0/19', 'eu-west-1b', true)];
    for (const s of publicSubnetIds) {
      const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
      await ec2.send(new CreateNatGatewayCommand({ SubnetId: s, AllocationId: eip.AllocationId }));
    }
    // The phase 1 contract: service name -> endpoint id.
    const vpcEndpointIds = {
      sts: (await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: `com.amazonaws.${REGION}.sts`, VpcEndpointType: 'Interface', SubnetIds: privateSubnetIds, PrivateDnsEnabled: true }))).VpcEndpoint!.VpcEndpointId!,
      s3: (await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: `com.amazonaws.${REGION}.s3`, VpcEndpointType: 'Gateway' }))).VpcEndpoint!.VpcEndpointId!,
    };
    const kms = new KMSClient(c);
    const keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyArn }));
    const s3 = new S3Client(c);
    const lokiBuckets = { chunks: 'loki-chunks-stg', ruler: 'loki-ruler-stg' };
    for (const b of [...Object.values(lokiBuckets), 'trail-stg', 'config-stg']) {
      await s3.send(new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: REGION } }));
      const weak = opts.weakBucket && b === lokiBuckets.ruler;
      await s3.send(new PutBucketEncryptionCommand({ Bucket: b, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: weak ? { SSEAlgorithm: 'AES256' } : { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }] } }));
      if (!weak) await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
    }
    const ct = new CloudTrailClient(c);
    const trail = await ct.send(new CreateTrailCommand({ Name: 'platform', S3BucketName: 'trail-stg', IsMultiRegionTrail: true }));
    await ct.send(new StartLoggingCommand({ Name: 'platform' }));
    const cfg = new ConfigServiceClient(c);
    await cfg.send(new PutConfigurationRecorderCommand({ ConfigurationRecorder: { name: 'platform', roleARN: 'arn:aws:iam::123456789012:role/config', recordingGroup: { allSupported: true } } }));
    await cfg.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'platform', s3BucketName: 'config-stg' } }));
    await cfg.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'platform' }));
    const detector = await new GuardDutyClient(c).send(new CreateDetectorCommand({ Enable: true }));
    const r53 = new Route53Client({ ...c, region: 'us-east-1' });
    const zone = async (name: string) => (await r53.send(new CreateHostedZoneCommand({ Name: name, CallerReference: name }))).HostedZone!.Id!;
    // Only the outputs the gates read exist in moto; the rest of the contract is irrelevant here.
    return {
      vpcId, publicSubnetIds, privateSubnetIds, vpcEndpointIds,
      cloudTrailArn: trail.TrailARN!, configRecorderName: 'platform', guardDutyDetectorId: detector.DetectorId!,
      kmsKeyArns: { eksSecrets: keyArn, ebs: keyArn, s3: keyArn, backup: keyArn, logs: keyArn }, lokiBuckets,
      hostedZoneIds: { apex: await zone('stg.example.com'), api: await zone('api.stg.example.com') },
      domainNames: { apex: 'stg.example.com', api: 'api.stg.example.com' },
    } as unknown as Phase1GateOutputs;
  }

  async function nameServers(outputs: Phase1GateOutputs): Promise<Zone> {
    const { GetHostedZoneCommand } = await import('@aws-sdk/client-route-53');
    const r53 = new Route53Client(motoConfig(moto, 'us-east-1'));
    const zone: Zone = {};
    for (const k of ['apex', 'api'] as const) {
      const z = await r53.send(new GetHostedZoneCommand({ Id: outputs.hostedZoneIds[k] }));
      zone[outputs.domainNames[k]] = { NS: z.DelegationSet!.NameServers! };
    }
    return zone;
  }

  /** The deploy runner as phase 1 builds it; `weak` opens SSH to the world and allows IMDSv1. */
  async function addRunner(outputs: Phase1GateOutputs, opts: { weak?: boolean } = {}): Promise<Phase1GateOutputs> {
    const c = motoConfig(moto, REGION);
    const ec2 = new EC2Client(c);
    const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'platform-runner-stg', Description: 'runner', VpcId: outputs.vpcId }))).GroupId!;
    if (opts.weak) await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    const iam = new IAMClient({ ...c, region: 'us-east-1' });
    await iam.send(new CreateRoleCommand({ RoleName: 'platform-runner-stg', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'platform-runner-stg' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'platform-runner-stg', RoleName: 'platform-runner-stg' }));
    const ami = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images![0]!.ImageId!;
    const inst = await ec2.send(new RunInstancesCommand({
      ImageId: ami, InstanceType: 't3.medium', MinCount: 1, MaxCount: 1, SubnetId: outputs.privateSubnetIds[0], SecurityGroupIds: [sg],
      IamInstanceProfile: { Name: 'platform-runner-stg' },
      MetadataOptions: { HttpTokens: opts.weak ? 'optional' : 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
    }));
    return { ...outputs, runnerInstanceId: inst.Instances![0]!.InstanceId!, runnerSecurityGroupId: sg };
  }

  async function run(outputs: Phase1GateOutputs, only: string[], zone: Zone = {}, envOver: Parameters<typeof testEnv>[0] = {}): Promise<Record<string, GateResult>> {
    await dns?.stop(); // a test may run the gates twice: one server at a time, or mocha never exits
    dns = new LoopbackDns(zone);
    const server = await dns.start();
    const env = testEnv(envOver);
    const probes = createProbes(env, outputs, { awsEndpoint: moto.endpoint, awsCredentials: TEST_CREDENTIALS, dnsServers: [server] });
    const results = await runGates(phase1, { env, outputs, probes, clock: new FakeClock(), signal: new AbortController().signal, simulated: false, emit: () => {}, only });
    return Object.fromEntries(results.map((r) => [r.gate, r]));
  }

  it('passes on a healthy foundation: network, CloudTrail, GuardDuty, buckets and keys, delegated zones', async () => {
    const outputs = await buildFoundation();
    const r = await run(outputs, ['network-ready', 'cloudtrail-logging', 'guardduty-enabled', 'buckets-encrypted-private', 'zones-delegated', 'firewall-ready'], await nameServers(outputs));
    for (const name of ['network-ready', 'cloudtrail-logging', 'guardduty-enabled', 'buckets-encrypted-private', 'zones-delegated']) {
      assert.equal(r[name]!.status, 'pass', `${name}: ${r[name]!.evidence.join(' | ')}`);
    }
    assert.ok(r['network-ready']!.evidence.some((e) => /4 subnets \(2 private\) across 2 AZs/.test(e)));
    assert.ok(r['buckets-encrypted-private']!.evidence.includes('s3://loki-chunks-stg: SSE=aws:kms'));
    assert.equal(r['firewall-ready']!.status, 'skipped');
    assert.match(r['firewall-ready']!.evidence[0]!, /networkFirewall is false in stacks\/stg.yaml/);
  });

  it('fails on an untagged private subnet, a stopped trail and a weak bucket, saying which', async () => {
    const outputs = await buildFoundation({ tagPrivate: false, weakBucket: true });
    await new CloudTrailClient(motoConfig(moto, REGION)).send(new StopLoggingCommand({ Name: 'platform' }));
    const r = await run(outputs, ['network-ready', 'cloudtrail-logging', 'buckets-encrypted-private']);
    assert.equal(r['network-ready']!.status, 'fail');
    assert.match(r['network-ready']!.evidence[0]!, /private subnet subnet-[0-9a-f]+ lacks tag kubernetes.io\/role\/internal-elb=1/);
    assert.equal(r['cloudtrail-logging']!.status, 'fail');
    assert.equal(r['cloudtrail-logging']!.evidence[0], 'the trail is not logging');
    const b = r['buckets-encrypted-private']!;
    assert.equal(b.status, 'fail');
    assert.ok(b.evidence.includes('s3://loki-ruler-stg encrypts with AES256, not aws:kms'));
    assert.ok(b.evidence.some((e) => e.startsWith('s3://loki-ruler-stg: no public access block')));
  });

  it('a Config recorder that has not delivered yet is reported PENDING after polling, with the last evidence', async () => {
    const outputs = await buildFoundation();
    const r = await run(outputs, ['config-recording']);
    const c = r['config-recording']!;
    assert.equal(c.status, 'fail');
    assert.equal(c.evidence[0], 'last recording status is PENDING, not Success');
    assert.match(c.evidence.at(-1)!, /timed out after 600000 ms \(21 attempts\)/);
  });

  it('fails when the env zone is not delegated from its parent, naming the NS record to add there (W4)', async () => {
    const outputs = await buildFoundation();
    const zone = await nameServers(outputs);
    const want = [...zone['stg.example.com']!.NS!].map((n) => n.toLowerCase().replace(/\.$/, '')).sort();
    delete zone['stg.example.com'];
    const r = await run(outputs, ['zones-delegated'], zone);
    const z = r['zones-delegated']!;
    assert.equal(z.status, 'fail');
    assert.match(z.evidence.join(' | '), /stg.example.com has no NS records at the resolver .*delegation missing/);
    assert.equal(z.hint?.startsWith(`in the parent zone example.com, add: stg.example.com. NS ${want.join(' ')} `), true, z.hint);
  });

  it('passes the deploy runner of a private API: private subnet, IMDSv2, instance profile, no inbound rule, status ok', async () => {
    const outputs = await addRunner(await buildFoundation());
    const r = (await run(outputs, ['deploy-runner-ready']))['deploy-runner-ready']!;
    assert.equal(r.status, 'pass', r.evidence.join(' | '));
    assert.match(r.evidence[0]!, new RegExp(`runner ${outputs.runnerInstanceId}: running, subnet ${outputs.privateSubnetIds[0]}, public IP none, HttpTokens=required`));
  });

  it('fails a runner that admits SSH from the world and allows IMDSv1, and a private API with no runner at all', async () => {
    const outputs = await addRunner(await buildFoundation(), { weak: true });
    const r = (await run(outputs, ['deploy-runner-ready']))['deploy-runner-ready']!;
    assert.equal(r.status, 'fail');
    const text = r.evidence.join(' | ');
    assert.match(text, /allows IMDSv1 \(HttpTokens=optional\)/);
    assert.match(text, /admits inbound traffic \(tcp:22\)/);
    const none = (await run({ ...outputs, runnerInstanceId: '', runnerSecurityGroupId: '' }, ['deploy-runner-ready']))['deploy-runner-ready']!;
    assert.equal(none.status, 'fail');
    assert.match(none.evidence[0]!, /EKS API is private but phase 1 outputs have no runnerInstanceId/);
  });

  it('skips the runner check when the env keeps a public EKS endpoint', async () => {
    const outputs = await buildFoundation();
    const cluster = { ...testEnv().cluster, endpointPublicAccess: true, publicAccessCidrs: ['198.51.100.0/24'] };
    const r = (await run(outputs, ['deploy-runner-ready'], {}, { cluster }))['deploy-runner-ready']!;
    assert.equal(r.status, 'skipped');
  });

  it('fails when the resolver returns other name servers than the zone has (delegation wrong)', async () => {
    const outputs = await buildFoundation();
    const zone = await nameServers(outputs);
    zone['api.stg.example.com'] = { NS: ['ns-old.example.net'] };
    const r = await run(outputs, ['zones-delegated'], zone);
    const z = r['zones-delegated']!;
    assert.equal(z.status, 'fail');
    assert.match(z.evidence[0]!, /api.stg.example.com resolves to name servers ns-old.example.net, not the zone's ns-/);
  });
});
