/**
 * Phase 1 gates (reference/phases.md, phase 1 "Gate"): network shape (subnets, NAT, endpoints, DNS
 * hostnames), security services live (CloudTrail logging, Config recording, GuardDuty, Security Hub,
 * Network Firewall), data baseline (buckets encrypted with KMS, versioned, private; keys rotated)
 * and DNS (zones exist and a resolver returns their name servers). They run in the env's account.
 */
import {
  EC2Client,
  DescribeSubnetsCommand,
  DescribeNatGatewaysCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcAttributeCommand,
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import { CloudTrailClient, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, DescribeConfigurationRecorderStatusCommand } from '@aws-sdk/client-config-service';
import { GuardDutyClient, GetDetectorCommand } from '@aws-sdk/client-guardduty';
import { SecurityHubClient, DescribeHubCommand, GetEnabledStandardsCommand } from '@aws-sdk/client-securityhub';
import { NetworkFirewallClient, DescribeFirewallCommand } from '@aws-sdk/client-network-firewall';
import { S3Client, GetBucketEncryptionCommand, GetPublicAccessBlockCommand, GetBucketVersioningCommand } from '@aws-sdk/client-s3';
import { KMSClient, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import { Route53Client, GetHostedZoneCommand } from '@aws-sdk/client-route-53';
import type { Gate } from '../../src/core/gate.js';
import type { Probes } from '../../src/gates/probes/index.js';
import type { Phase1Outputs } from './phase.js';
import { awsErrorText } from '../../src/gates/probes/aws.js';
import { Evidence } from '../../src/gates/evidence.js';
import { queueBackupGates } from './gates-queue-backup.js';

/** The phase 1 outputs the gates read: the phase's own output contract. */
export type Phase1GateOutputs = Phase1Outputs;

type G = Gate<Phase1GateOutputs, Probes>;
const MIN = 60_000;

const network: G = {
  name: 'network-ready',
  description: 'Subnets available in every AZ with their tags, NAT gateways available, VPC endpoints available, DNS hostnames on',
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 20_000,
  async check({ env, outputs, probes }) {
    const ec2 = probes.aws.client(EC2Client);
    const ev = new Evidence();
    const ids = [...outputs.publicSubnetIds, ...outputs.privateSubnetIds, ...(outputs.isolatedSubnetIds ?? [])];
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: ids }))).Subnets ?? [];
    for (const s of subnets) if (s.State !== 'available') ev.problem(`subnet ${s.SubnetId} is ${s.State}`);
    const priv = subnets.filter((s) => outputs.privateSubnetIds.includes(s.SubnetId!));
    const azs = new Set(priv.map((s) => s.AvailabilityZone));
    ev.saw(`${subnets.length} subnets (${priv.length} private) across ${azs.size} AZs in ${outputs.vpcId}`);
    if (azs.size < env.network.availabilityZones) ev.problem(`private subnets span ${azs.size} AZs, the env wants ${env.network.availabilityZones}`, true);
    for (const s of priv) {
      if (s.VpcId !== outputs.vpcId) ev.problem(`subnet ${s.SubnetId} is in ${s.VpcId}, not ${outputs.vpcId}`, true);
      if (!s.Tags?.some((t) => t.Key === 'kubernetes.io/role/internal-elb' && t.Value === '1')) ev.problem(`private subnet ${s.SubnetId} lacks tag kubernetes.io/role/internal-elb=1`, true);
    }
    const nats = (await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [outputs.vpcId] }] }))).NatGateways ?? [];
    const available = nats.filter((n) => n.State === 'available');
    const wantNat = env.network.natGateways === 'OnePerAz' ? env.network.availabilityZones : 1;
    ev.saw(`NAT gateways: ${nats.map((n) => `${n.NatGatewayId}=${n.State}`).join(', ') || 'none'}`);
    if (available.length < wantNat) ev.problem(`${available.length} NAT gateways available, the env wants ${wantNat} (${env.network.natGateways})`);
    const endpointIds = Object.values(outputs.vpcEndpointIds);
    if (endpointIds.length > 0) {
      const eps = (await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: endpointIds }))).VpcEndpoints ?? [];
      for (const e of eps) {
        const svc = e.ServiceName?.split('.').slice(3).join('.') ?? e.ServiceName;
        if (e.State?.toLowerCase() !== 'available') ev.problem(`endpoint ${svc} (${e.VpcEndpointId}) is ${e.State}`);
        if (e.VpcEndpointType === 'Interface' && !e.PrivateDnsEnabled) ev.problem(`interface endpoint ${svc} has private DNS off`, true);
      }
      ev.saw(`VPC endpoints: ${eps.map((e) => `${e.ServiceName?.split('.').slice(3).join('.')}=${e.State}`).join(', ')}`);
    }
    const dns = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: outputs.vpcId, Attribute: 'enableDnsHostnames' }));
    ev.saw(`enableDnsHostnames=${dns.EnableDnsHostnames?.Value}`);
    if (!dns.EnableDnsHostnames?.Value) ev.problem('enableDnsHostnames is off (interface endpoints with private DNS need it)', true);
    return ev.outcome('NAT gateways and endpoints take minutes to become available; a wrong shape needs a fix in the env file or phase 1');
  },
};

const cloudTrail: G = {
  name: 'cloudtrail-logging',
  description: 'The trail is logging with no delivery error',
  live: true,
  timeoutMs: 5 * MIN,
  intervalMs: 15_000,
  async check({ outputs, probes }) {
    const s = await probes.aws.client(CloudTrailClient).send(new GetTrailStatusCommand({ Name: outputs.cloudTrailArn }));
    const ev = new Evidence().saw(`trail ${outputs.cloudTrailArn}: IsLogging=${s.IsLogging}${s.LatestDeliveryError ? `, LatestDeliveryError=${s.LatestDeliveryError}` : ''}`);
    if (!s.IsLogging) ev.problem('the trail is not logging');
    if (s.LatestDeliveryError) ev.problem(`delivery error: ${s.LatestDeliveryError}`);
    return ev.outcome('check the trail bucket policy allows cloudtrail.amazonaws.com and the KMS key policy allows the trail');
  },
};

const configRecording: G = {
  name: 'config-recording',
  description: 'AWS Config is recording and its last delivery succeeded',
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 30_000,
  async check({ outputs, probes }) {
    const r = await probes.aws.client(ConfigServiceClient).send(new DescribeConfigurationRecorderStatusCommand({ ConfigurationRecorderNames: [outputs.configRecorderName] }));
    const st = r.ConfigurationRecordersStatus?.[0];
    const ev = new Evidence().saw(`recorder ${outputs.configRecorderName}: recording=${st?.recording}, lastStatus=${st?.lastStatus}${st?.lastErrorMessage ? `, error=${st.lastErrorMessage}` : ''}`);
    if (!st?.recording) ev.problem('the configuration recorder is not recording');
    const last = String(st?.lastStatus ?? 'unknown');
    if (last !== 'Success' && last !== 'SUCCESS') ev.problem(`last recording status is ${last}, not Success`, last === 'Failure' || last === 'FAILURE');
    return ev.outcome('check the delivery channel bucket and the recorder role; a new recorder is PENDING until its first delivery');
  },
};

const guardDuty: G = {
  name: 'guardduty-enabled',
  description: 'The GuardDuty detector is ENABLED',
  live: true,
  timeoutMs: 5 * MIN,
  intervalMs: 15_000,
  async check({ outputs, probes }) {
    const d = await probes.aws.client(GuardDutyClient).send(new GetDetectorCommand({ DetectorId: outputs.guardDutyDetectorId }));
    const ev = new Evidence().saw(`detector ${outputs.guardDutyDetectorId}: ${d.Status}; features ${(d.Features ?? []).map((f) => `${f.Name}=${f.Status}`).join(', ') || 'none reported'}`);
    if (d.Status !== 'ENABLED') ev.problem(`detector is ${d.Status}`);
    for (const f of d.Features ?? []) if (['EKS_AUDIT_LOGS', 'RUNTIME_MONITORING', 'EBS_MALWARE_PROTECTION', 'S3_DATA_EVENTS'].includes(f.Name ?? '') && f.Status !== 'ENABLED') ev.problem(`feature ${f.Name} is ${f.Status}`);
    return ev.outcome('re-run phase 1; an SCP may deny guardduty:UpdateDetector to the deploy role');
  },
};

const securityHub: G = {
  name: 'securityhub-enabled',
  description: 'Security Hub is enabled and every subscribed standard is READY',
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 30_000,
  async check({ probes }) {
    const hub = probes.aws.client(SecurityHubClient);
    const ev = new Evidence();
    try {
      const h = await hub.send(new DescribeHubCommand({}));
      ev.saw(`hub ${h.HubArn} subscribed ${h.SubscribedAt}`);
    } catch (e) {
      return ev.problem(`Security Hub is not enabled: ${awsErrorText(e)}`).outcome('re-run phase 1 (aws.securityhub.Account)');
    }
    const s = await hub.send(new GetEnabledStandardsCommand({}));
    const subs = s.StandardsSubscriptions ?? [];
    ev.saw(`standards: ${subs.map((x) => `${x.StandardsArn?.split('/').slice(-3).join('/')}=${x.StandardsStatus}`).join(', ') || 'none'}`);
    if (subs.length === 0) ev.problem('no standards are subscribed', true);
    for (const x of subs) if (x.StandardsStatus !== 'READY') ev.problem(`standard ${x.StandardsArn} is ${x.StandardsStatus}`, x.StandardsStatus === 'FAILED' || x.StandardsStatus === 'INCOMPLETE');
    return ev.outcome('standards take a few minutes to become READY after subscription');
  },
};

const firewall: G = {
  name: 'firewall-ready',
  description: 'Network Firewall is READY and IN_SYNC (when the env enables it)',
  live: true,
  timeoutMs: 20 * MIN,
  intervalMs: 30_000,
  async check({ env, outputs, probes }) {
    if (!env.network.networkFirewall) return { status: 'skipped', evidence: [`network.networkFirewall is false in stacks/${env.name}.yaml`], hint: 'disabled in the env file' };
    if (!outputs.firewallArn) return { status: 'fail', evidence: ['phase 1 outputs have no firewallArn although the env enables the firewall'], hint: 're-run phase 1', terminal: true };
    const f = await probes.aws.client(NetworkFirewallClient).send(new DescribeFirewallCommand({ FirewallArn: outputs.firewallArn }));
    const st = f.FirewallStatus;
    const ev = new Evidence().saw(`firewall ${outputs.firewallArn}: Status=${st?.Status}, ConfigurationSyncStateSummary=${st?.ConfigurationSyncStateSummary}`);
    if (st?.Status !== 'READY') ev.problem(`firewall is ${st?.Status}`);
    if (st?.ConfigurationSyncStateSummary !== 'IN_SYNC') ev.problem(`configuration is ${st?.ConfigurationSyncStateSummary}`);
    return ev.outcome('firewall endpoints take several minutes to provision per AZ');
  },
};

const dataBaseline: G = {
  name: 'buckets-encrypted-private',
  description: 'Buckets use SSE-KMS, are versioned and block all public access; KMS keys rotate',
  live: true,
  timeoutMs: 3 * MIN,
  intervalMs: 15_000,
  async check({ outputs, probes }) {
    const s3 = probes.aws.client(S3Client);
    const ev = new Evidence();
    for (const bucket of Object.values(outputs.lokiBuckets)) {
      try {
        const enc = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
        const algo = enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
        ev.saw(`s3://${bucket}: SSE=${algo}`);
        if (algo !== 'aws:kms' && algo !== 'aws:kms:dsse') ev.problem(`s3://${bucket} encrypts with ${algo}, not aws:kms`, true);
      } catch (e) {
        ev.problem(`s3://${bucket}: no default encryption (${awsErrorText(e)})`, true);
      }
      try {
        const pab = (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration ?? {};
        const off = (['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const).filter((k) => pab[k] !== true);
        if (off.length > 0) ev.problem(`s3://${bucket}: public access block off for ${off.join(', ')}`, true);
        else ev.saw(`s3://${bucket}: all public access blocked`);
      } catch (e) {
        ev.problem(`s3://${bucket}: no public access block (${awsErrorText(e)})`, true);
      }
      const v = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
      if (v.Status !== 'Enabled') ev.problem(`s3://${bucket}: versioning is ${v.Status ?? 'never enabled'}`, true);
      else ev.saw(`s3://${bucket}: versioning Enabled`);
    }
    const kms = probes.aws.client(KMSClient);
    for (const [name, arn] of Object.entries(outputs.kmsKeyArns)) {
      const r = await kms.send(new GetKeyRotationStatusCommand({ KeyId: arn }));
      if (!r.KeyRotationEnabled) ev.problem(`KMS key ${name} (${arn}) has rotation off`, true);
      else ev.saw(`KMS key ${name}: rotation on`);
    }
    return ev.outcome('the bucket or key drifted from phase 1: run `platform up --phase 1` and look for manual changes');
  },
};

/**
 * The env zone is delegated from its parent (e.g. `stg.example.com` from `example.com`) outside the
 * platform: the parent zone lives in another account or at a registrar, so adding its NS record is
 * a prerequisite (docs/foundation.md, "DNS delegation"). This gate is where a missing one shows: the
 * resolver must return each zone's own name servers, and the hint names the exact record to add.
 */
const zones: G = {
  name: 'zones-delegated',
  description: 'Both hosted zones exist and a resolver returns each zone’s own name servers',
  live: true,
  timeoutMs: 15 * MIN,
  intervalMs: 30_000,
  async check({ outputs, probes }) {
    const r53 = probes.aws.client(Route53Client);
    const ev = new Evidence();
    let apexRecord: string | undefined;
    for (const key of ['apex', 'api'] as const) {
      const z = await r53.send(new GetHostedZoneCommand({ Id: outputs.hostedZoneIds[key] }));
      const name = outputs.domainNames[key];
      const want = (z.DelegationSet?.NameServers ?? []).map((n) => n.toLowerCase().replace(/\.$/, '')).sort();
      const zoneName = z.HostedZone?.Name?.replace(/\.$/, '');
      if (zoneName !== name) ev.problem(`zone ${outputs.hostedZoneIds[key]} is ${zoneName}, expected ${name}`, true);
      const got = await probes.dns.resolve(name, 'NS');
      ev.saw(`${name}: Route53 NS ${want.join(' ')}; resolver (${got.servers.join(',')}) NS ${got.values.join(' ') || got.code}`);
      const delegated = got.values.length > 0 && want.join(' ') === got.values.join(' ');
      if (got.values.length === 0) ev.problem(`${name} has no NS records at the resolver (${got.code}): delegation missing`);
      else if (!delegated) ev.problem(`${name} resolves to name servers ${got.values.join(' ')}, not the zone's ${want.join(' ')}`);
      if (key === 'apex' && !delegated) apexRecord = `in the parent zone ${name.split('.').slice(1).join('.')}, add: ${name}. NS ${want.join(' ')}`;
    }
    return ev.outcome(
      apexRecord
        ? `${apexRecord} (a prerequisite outside the platform: docs/foundation.md "DNS delegation"); delegation can take the parent's TTL to appear`
        : "phase 1 delegates api.<domain> itself: re-run phase 1; delegation can take the parent's TTL to appear",
    );
  },
};

/**
 * The deploy runner (docs/foundation.md): for an env whose EKS API is private it must exist, run
 * in a private subnet of the env VPC without a public address, require IMDSv2, carry an instance
 * profile (Session Manager), pass its EC2 status checks, and sit in its own group with no inbound
 * rule. Whether the SSM agent is online is not checked here (no SSM client in the project);
 * `aws ssm describe-instance-information` shows it.
 */
const runner: G = {
  name: 'deploy-runner-ready',
  description: 'For a private EKS API: the SSM-managed runner runs in a private subnet, IMDSv2 only, no public IP, no inbound rule, status checks ok',
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 20_000,
  async check({ env, outputs, probes }) {
    const ev = new Evidence();
    if (env.cluster.endpointPublicAccess) return { status: 'skipped', evidence: [`cluster.endpointPublicAccess is true in stacks/${env.name}.yaml: no runner needed`] };
    const rerun = `re-run phase 1: platform up --phase 1 --env ${env.name}`;
    const id = outputs.runnerInstanceId;
    const sgId = outputs.runnerSecurityGroupId;
    if (!id || !sgId) return ev.problem('the EKS API is private but phase 1 outputs have no runnerInstanceId/runnerSecurityGroupId', true).outcome(rerun);
    const ec2 = probes.aws.client(EC2Client);
    const inst = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];
    if (!inst) return ev.problem(`runner ${id} does not exist`, true).outcome(rerun);
    ev.saw(`runner ${id}: ${inst.State?.Name}, subnet ${inst.SubnetId}, public IP ${inst.PublicIpAddress ?? 'none'}, HttpTokens=${inst.MetadataOptions?.HttpTokens}`);
    if (inst.State?.Name !== 'running') ev.problem(`runner ${id} is ${inst.State?.Name}`, inst.State?.Name === 'terminated');
    if (inst.VpcId !== outputs.vpcId || !outputs.privateSubnetIds.includes(inst.SubnetId ?? '')) ev.problem(`runner ${id} is in ${inst.SubnetId}, not a private subnet of ${outputs.vpcId}`, true);
    if (inst.PublicIpAddress) ev.problem(`runner ${id} has a public address ${inst.PublicIpAddress}`, true);
    if (inst.MetadataOptions?.HttpTokens !== 'required') ev.problem(`runner ${id} allows IMDSv1 (HttpTokens=${inst.MetadataOptions?.HttpTokens})`, true);
    if (!inst.IamInstanceProfile?.Arn) ev.problem(`runner ${id} has no instance profile, so Session Manager cannot reach it`, true);
    if (!(inst.SecurityGroups ?? []).some((g) => g.GroupId === sgId)) ev.problem(`runner ${id} is not in its group ${sgId}`, true);
    const sg = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sgId] }))).SecurityGroups?.[0];
    const inbound = sg?.IpPermissions ?? [];
    if (inbound.length > 0) ev.problem(`runner group ${sgId} admits inbound traffic (${inbound.map((p) => `${p.IpProtocol}:${p.FromPort ?? '*'}`).join(', ')}); Session Manager needs none`, true);
    const status = (await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [id], IncludeAllInstances: true }))).InstanceStatuses?.[0];
    ev.saw(`status checks: instance ${status?.InstanceStatus?.Status ?? 'unknown'}, system ${status?.SystemStatus?.Status ?? 'unknown'}`);
    if (status?.InstanceStatus?.Status !== 'ok' || status?.SystemStatus?.Status !== 'ok') ev.problem(`runner ${id} status checks are not ok yet`);
    return ev.outcome('a new instance passes its status checks within minutes; a wrong placement or group needs phase 1 re-run');
  },
};

/** The gates of phase 1, in the order they are reported (all independent: they run in parallel). */
export const gates: G[] = [network, cloudTrail, configRecording, guardDuty, securityHub, firewall, dataBaseline, zones, runner, ...queueBackupGates];
