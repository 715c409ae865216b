/**
 * Phase 8 gates against the moto AWS emulator, behind a recorded-response endpoint for what moto
 * 5.2 does not implement. Said plainly, per gate:
 * - backup-plan-assigned: the plan (CreateBackupPlan/GetBackupPlan) is moto's; moto has no backup
 *   selections, jobs or StartBackupJob, so ListBackupSelections, ListBackupJobs and StartBackupJob are
 *   recorded REST-JSON responses in AWS Backup's documented shape; DescribeVolumes is moto's.
 * - dr-copies: ListCopyJobs and ListRecoveryPointsByBackupVault are recorded (moto has neither).
 * - dr-cluster-active: the cluster and node group are moto's EKS (DR region); moto has no add-on API,
 *   so DescribeAddon is recorded, and so is a DEGRADED node group (moto's are always ACTIVE).
 * - failover-health: health check and failover records are moto's Route53; moto always reports a
 *   health check healthy, so the failing observations are a recorded GetHealthCheckStatus.
 * Every gate has a failing case with the reason it must name.
 */
import { strict as assert } from 'node:assert';
import { BackupClient, CreateBackupPlanCommand, CreateBackupVaultCommand } from '@aws-sdk/client-backup';
import { CreateTagsCommand, CreateVolumeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import { ChangeResourceRecordSetsCommand, CreateHealthCheckCommand, CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { gates, onDemandToken } from '../../programs/08-resilience/gates.js';
import { DR_ADDONS } from '../../programs/08-resilience/dr-cluster.js';
import type { Phase8Outputs } from '../../programs/08-resilience/phase.js';
import { createProbes } from '../../src/gates/probes/index.js';
import { runGates, type GatedPhase } from '../../src/gates/run-gates.js';
import type { GateResult } from '../../src/core/gate.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testEnv } from '../helpers/env-fixtures.js';
import { startMoto, motoConfig, TEST_CREDENTIALS, type Moto } from './moto.js';
import { AwsReplay, type AwsRoute } from './aws-replay.js';

const phase8: GatedPhase = { id: 8, gates };
const PRIMARY = 'eu-west-1';
const DR = 'eu-central-1';
const ACCOUNT = '123456789012';
const RETENTION = 35;
const DR_CLUSTER = 'stg-platform-dr';
const NLB = 'k8s-istioing-ingress-0123456789.elb.eu-west-1.amazonaws.com';
const env = () => testEnv({ backupRetentionDays: RETENTION });

/** A REST-JSON answer as AWS sends it (dates as epoch seconds). */
const json = (body: unknown) => ({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
const at = (iso: string) => Date.parse(iso) / 1000;
const route = (service: string, method: string, path: string, body: unknown, region?: string): AwsRoute => ({
  service,
  method,
  path,
  ...(region ? { region } : {}),
  responses: [json(body)],
});

describe('phase 8 gates (moto behind a recorded-response endpoint)', function () {
  this.timeout(120_000);
  let moto: Moto;
  let replay: AwsReplay | undefined;
  before(async () => (moto = await startMoto()));
  after(() => moto?.stop());
  beforeEach(() => moto.reset());
  afterEach(async () => {
    await replay?.stop();
    replay = undefined;
  });

  async function run(outputs: Phase8Outputs, routes: AwsRoute[], only: string[]) {
    replay = new AwsReplay(routes, moto.endpoint);
    const endpoint = await replay.start();
    const e = env();
    const clock = new FakeClock();
    const probes = createProbes(e, outputs as unknown as Record<string, unknown>, { awsEndpoint: endpoint, awsCredentials: TEST_CREDENTIALS });
    const results = await runGates(phase8, { env: e, outputs: outputs as unknown as Record<string, unknown>, probes, clock, signal: new AbortController().signal, simulated: false, emit: () => {}, only });
    return { r: Object.fromEntries(results.map((x) => [x.gate, x])) as Record<string, GateResult>, calls: replay.calls };
  }

  /** What phase 8 builds for the backup gates, in moto; `copyTo` and `deleteAfter` make the faults. */
  async function backups(o: { copyTo?: string; deleteAfter?: number } = {}): Promise<Phase8Outputs> {
    const b = new BackupClient(motoConfig(moto, PRIMARY));
    const primary = (await b.send(new CreateBackupVaultCommand({ BackupVaultName: 'platform-stg' }))).BackupVaultArn!;
    const dr = (await new BackupClient(motoConfig(moto, DR)).send(new CreateBackupVaultCommand({ BackupVaultName: 'platform-stg-dr' }))).BackupVaultArn!;
    const lifecycle = { DeleteAfterDays: o.deleteAfter ?? RETENTION };
    const plan = await b.send(
      new CreateBackupPlanCommand({
        BackupPlan: {
          BackupPlanName: 'platform-stg',
          Rules: [{ RuleName: 'daily', TargetBackupVaultName: 'platform-stg', ScheduleExpression: 'cron(0 3 * * ? *)', Lifecycle: lifecycle, CopyActions: [{ DestinationBackupVaultArn: o.copyTo ?? dr, Lifecycle: lifecycle }] }],
        },
      }),
    );
    return outputsFor({ backupPlanId: plan.BackupPlanId!, backupVaultArns: { primary, dr } });
  }

  function outputsFor(over: Partial<Phase8Outputs>): Phase8Outputs {
    return {
      hpaNames: { frontend: 'frontend' },
      backupPlanId: 'plan',
      backupSelectionIds: ['sel-volumes', 'sel-db'],
      backupVaultArns: { primary: `arn:aws:backup:${PRIMARY}:${ACCOUNT}:backup-vault:platform-stg`, dr: `arn:aws:backup:${DR}:${ACCOUNT}:backup-vault:platform-stg-dr` },
      dlmPolicyIds: [],
      drRegion: DR,
      drClusterName: DR_CLUSTER,
      drClusterEndpoint: 'https://ABC.gr7.eu-central-1.eks.amazonaws.com',
      drKubeconfig: '{"kind":"Config"}',
      ecrReplicationRules: [`${DR}:platform/`],
      route53HealthCheckIds: [],
      failoverRecordNames: ['stg.example.com', 'api.stg.example.com'],
      ...over,
    };
  }

  const selections = (planId: string, ids = ['sel-volumes', 'sel-db']) =>
    route('backup', 'GET', `^/backup/plans/${planId}/selections/?$`, {
      BackupSelectionsList: ids.map((id) => ({ SelectionId: id, SelectionName: `platform-stg-${id}`, BackupPlanId: planId, IamRoleArn: `arn:aws:iam::${ACCOUNT}:role/platform-backup-stg`, CreationDate: at('2026-11-29T10:00:00Z') })),
    });
  const job = (id: string, state: string, created: string, message?: string) => ({
    BackupJobId: id,
    BackupVaultName: 'platform-stg',
    ResourceArn: `arn:aws:ec2:${PRIMARY}:${ACCOUNT}:volume/vol-0123456789abcdef0`,
    ResourceType: 'EBS',
    CreationDate: at(created),
    State: state,
    ...(message ? { StatusMessage: message } : {}),
  });
  const jobs = (...list: unknown[]) => route('backup', 'GET', '^/backup-jobs/?$', { BackupJobs: list });

  describe('backup-plan-assigned', () => {
    it('passes: copy to the DR vault with the env retention, both selections, newest job COMPLETED (an older FAILED one is history)', async () => {
      const o = await backups();
      const { r } = await run(o, [selections(o.backupPlanId), jobs(job('j-old', 'FAILED', '2026-11-29T03:00:00Z', 'old'), job('j-new', 'COMPLETED', '2026-11-30T03:00:00Z'))], ['backup-plan-assigned']);
      const g = r['backup-plan-assigned']!;
      assert.equal(g.status, 'pass', g.evidence.join('\n'));
      assert.ok(g.evidence.some((l) => l.includes(`copies to ${o.backupVaultArns.dr}`)));
      assert.ok(g.evidence.some((l) => /j-new .*: COMPLETED/.test(l)));
    });

    it('fails at once, naming the vault, when the plan copies somewhere else', async () => {
      const o = await backups({ copyTo: `arn:aws:backup:${PRIMARY}:${ACCOUNT}:backup-vault:platform-stg` });
      const { r } = await run(o, [selections(o.backupPlanId), jobs(job('j', 'COMPLETED', '2026-11-30T03:00:00Z'))], ['backup-plan-assigned']);
      const g = r['backup-plan-assigned']!;
      assert.equal(g.status, 'fail');
      assert.match(g.evidence[0]!, /copies to arn:aws:backup:eu-west-1:.*platform-stg, not the DR vault arn:aws:backup:eu-central-1:.*platform-stg-dr/);
    });

    it('fails when the retention is not the env file\'s, and when a selection is missing', async () => {
      const o = await backups({ deleteAfter: 7 });
      const { r } = await run(o, [selections(o.backupPlanId, ['sel-volumes']), jobs(job('j', 'COMPLETED', '2026-11-30T03:00:00Z'))], ['backup-plan-assigned']);
      const ev = r['backup-plan-assigned']!.evidence.join('\n');
      assert.match(ev, /recovery points are kept 7 days, the env says 35 \(backupRetentionDays\)/);
      assert.match(ev, /lacks selection\(s\) sel-db: nothing is assigned to it/);
    });

    it('fails, terminally, when the newest job FAILED, quoting AWS Backup\'s message', async () => {
      const o = await backups();
      const { r } = await run(o, [selections(o.backupPlanId), jobs(job('j-ok', 'COMPLETED', '2026-11-29T03:00:00Z'), job('j-bad', 'FAILED', '2026-11-30T03:00:00Z', 'Access denied to KMS key'))], ['backup-plan-assigned']);
      const g = r['backup-plan-assigned']!;
      assert.equal(g.status, 'fail');
      assert.match(g.evidence[0]!, /newest backup job j-bad .*: FAILED \(Access denied to KMS key\)/);
      assert.match(g.hint!, /describe-backup-job --backup-job-id j-bad/);
    });

    it('with no job yet, starts one on-demand job of a volume tagged backup=true, with the selection\'s role and one token per day', async () => {
      const o = await backups();
      const ec2 = new EC2Client(motoConfig(moto, PRIMARY));
      const vol = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${PRIMARY}a`, Size: 10 }))).VolumeId!;
      await ec2.send(new CreateTagsCommand({ Resources: [vol], Tags: [{ Key: 'backup', Value: 'true' }] }));
      const start = route('backup', 'PUT', '^/backup-jobs/?$', { BackupJobId: 'j-ondemand', RecoveryPointArn: `arn:aws:ec2:${PRIMARY}::snapshot/snap-1`, CreationDate: at('2026-11-30T09:00:00Z') });
      const { r, calls } = await run(o, [selections(o.backupPlanId), jobs(), start], ['backup-plan-assigned']);
      const g = r['backup-plan-assigned']!;
      assert.equal(g.status, 'fail');
      assert.ok(g.evidence.some((l) => l.includes(`started on-demand job j-ondemand of arn:aws:ec2:${PRIMARY}:${ACCOUNT}:volume/${vol}`)), g.evidence.join('\n'));
      const starts = calls.filter((c) => c.method === 'PUT' && c.path.startsWith('/backup-jobs'));
      assert.ok(starts.length >= 1);
      const body = JSON.parse(starts[0]!.body);
      assert.equal(body.IamRoleArn, `arn:aws:iam::${ACCOUNT}:role/platform-backup-stg`);
      assert.equal(body.BackupVaultName, 'platform-stg');
      // Every retry of the same day carries the same token: AWS Backup starts the job once.
      assert.equal(new Set(starts.map((c) => JSON.parse(c.body).IdempotencyToken)).size, 1);
      assert.equal(onDemandToken('p', Date.parse('2026-11-30T23:59:00Z')), onDemandToken('p', Date.parse('2026-11-30T00:01:00Z')));
    });
  });

  describe('dr-copies', () => {
    const copies = (drVault: string, ...list: { id: string; state: string; created: string; message?: string }[]) =>
      route('backup', 'GET', '^/copy-jobs/?$', {
        CopyJobs: list.map((c) => ({ CopyJobId: c.id, SourceRecoveryPointArn: `arn:aws:ec2:${PRIMARY}::snapshot/snap-${c.id}`, DestinationBackupVaultArn: drVault, CreationDate: at(c.created), State: c.state, ...(c.message ? { StatusMessage: c.message } : {}) })),
      });
    const points = (n: number) =>
      route('backup', 'GET', '^/backup-vaults/platform-stg-dr/recovery-points/?$', {
        RecoveryPoints: Array.from({ length: n }, (_, i) => ({ RecoveryPointArn: `arn:aws:ec2:${DR}::snapshot/snap-dr${i}`, BackupVaultName: 'platform-stg-dr', Status: 'COMPLETED', CreationDate: at('2026-11-30T04:00:00Z') })),
      }, DR);

    it('passes when the newest copy COMPLETED and the DR vault (asked in the DR region) holds recovery points', async () => {
      const o = outputsFor({});
      const { r, calls } = await run(o, [copies(o.backupVaultArns.dr, { id: 'c1', state: 'COMPLETED', created: '2026-11-30T04:00:00Z' }), points(2)], ['dr-copies']);
      assert.equal(r['dr-copies']!.status, 'pass', r['dr-copies']!.evidence.join('\n'));
      assert.ok(calls.some((c) => c.path.includes('/recovery-points') && c.region === DR));
    });

    it('fails, naming the copy job and AWS\'s reason, when the newest copy FAILED', async () => {
      const o = outputsFor({});
      const { r } = await run(o, [copies(o.backupVaultArns.dr, { id: 'c0', state: 'COMPLETED', created: '2026-11-29T04:00:00Z' }, { id: 'c1', state: 'FAILED', created: '2026-11-30T04:00:00Z', message: 'Insufficient privileges to perform this action on key' }), points(1)], ['dr-copies']);
      const g = r['dr-copies']!;
      assert.equal(g.status, 'fail');
      assert.match(g.evidence[0]!, /newest copy job c1 .*: FAILED \(Insufficient privileges/);
    });

    it('fails when no copy ran and the DR vault is empty', async () => {
      const o = outputsFor({});
      const { r } = await run(o, [copies(o.backupVaultArns.dr), points(0)], ['dr-copies']);
      const ev = r['dr-copies']!.evidence.join('\n');
      assert.match(ev, /no copy job into .*platform-stg-dr since/);
      assert.match(ev, /the DR vault platform-stg-dr in eu-central-1 holds no completed recovery point/);
    });
  });

  describe('dr-cluster-active', () => {
    async function drCluster(o: { version?: string; encrypted?: boolean; nodegroup?: boolean } = {}) {
      const eks = new EKSClient(motoConfig(moto, DR));
      await eks.send(
        new CreateClusterCommand({
          name: DR_CLUSTER,
          version: o.version ?? env().cluster.version,
          roleArn: `arn:aws:iam::${ACCOUNT}:role/stg-platform-cluster`,
          resourcesVpcConfig: { subnetIds: ['subnet-a', 'subnet-b'], endpointPrivateAccess: true, endpointPublicAccess: false },
          ...(o.encrypted === false ? {} : { encryptionConfig: [{ resources: ['secrets'], provider: { keyArn: `arn:aws:kms:${DR}:${ACCOUNT}:key/dr` } }] }),
        }),
      );
      if (o.nodegroup !== false) {
        await eks.send(new CreateNodegroupCommand({ clusterName: DR_CLUSTER, nodegroupName: `${DR_CLUSTER}-pilot-light`, nodeRole: `arn:aws:iam::${ACCOUNT}:role/stg-platform-node`, subnets: ['subnet-a'], scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 2 } }));
      }
    }
    const addons = (status = 'ACTIVE') =>
      DR_ADDONS.map((a) => route('eks', 'GET', `^/clusters/${DR_CLUSTER}/addons/${a}$`, { addon: { addonName: a, clusterName: DR_CLUSTER, status, addonVersion: 'v1.0.0-eksbuild.1', health: { issues: [] } } }, DR));

    it('passes: ACTIVE on the env version, Secrets encrypted, private like the primary, node group and add-ons ACTIVE', async () => {
      await drCluster();
      const { r } = await run(outputsFor({}), addons(), ['dr-cluster-active']);
      const g = r['dr-cluster-active']!;
      assert.equal(g.status, 'pass', g.evidence.join('\n'));
      assert.ok(g.evidence.some((l) => l.startsWith(`DR cluster ${DR_CLUSTER} in ${DR}: ACTIVE`)));
    });

    it('fails when the cluster is missing from the DR region (e.g. created in the primary by mistake)', async () => {
      await new EKSClient(motoConfig(moto, PRIMARY)).send(new CreateClusterCommand({ name: DR_CLUSTER, roleArn: `arn:aws:iam::${ACCOUNT}:role/x`, resourcesVpcConfig: { subnetIds: ['subnet-a'] } }));
      const { r } = await run(outputsFor({}), addons(), ['dr-cluster-active']);
      const g = r['dr-cluster-active']!;
      assert.equal(g.status, 'fail');
      assert.match(g.evidence[0]!, /DR cluster stg-platform-dr cannot be described in eu-central-1: ResourceNotFoundException/);
    });

    it('fails on another Kubernetes version, no Secrets encryption, and no node group', async () => {
      await drCluster({ version: '1.33', encrypted: false, nodegroup: false });
      const { r } = await run(outputsFor({}), addons(), ['dr-cluster-active']);
      const ev = r['dr-cluster-active']!.evidence.join('\n');
      assert.match(ev, /runs Kubernetes 1\.33, the primary 1\.34/);
      assert.match(ev, /does not encrypt Secrets with a KMS key/);
      assert.match(ev, /has no node group: no node can join/);
    });

    it('fails when nodes cannot join (node group DEGRADED with NodeCreationFailure), naming EKS\'s issue', async () => {
      await drCluster();
      const degraded = route('eks', 'GET', `^/clusters/${DR_CLUSTER}/node-groups/[^/]+$`, {
        nodegroup: { nodegroupName: `${DR_CLUSTER}-pilot-light`, clusterName: DR_CLUSTER, status: 'DEGRADED', scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 2 }, health: { issues: [{ code: 'NodeCreationFailure', message: 'Instances failed to join the kubernetes cluster', resourceIds: ['i-0abc'] }] } },
      }, DR);
      const { r } = await run(outputsFor({}), [degraded, ...addons()], ['dr-cluster-active']);
      const g = r['dr-cluster-active']!;
      assert.equal(g.status, 'fail');
      assert.match(g.evidence.join('\n'), /DEGRADED, 1 desired; NodeCreationFailure: Instances failed to join the kubernetes cluster/);
    });

    it('is skipped, saying why, for an env without a pilot-light cluster', async () => {
      const o = outputsFor({});
      delete o.drClusterName;
      const { r } = await run(o, [], ['dr-cluster-active']);
      assert.equal(r['dr-cluster-active']!.status, 'skipped');
      assert.match(r['dr-cluster-active']!.evidence[0]!, /no pilot-light cluster \(resilience\.drCluster\.enabled is false\)/);
    });
  });

  describe('failover-health', () => {
    async function dns(o: { primary?: boolean; checkedBy?: 'ours' | 'none' } = {}) {
      const r53 = new Route53Client(motoConfig(moto, 'us-east-1'));
      const hc = (await r53.send(new CreateHealthCheckCommand({ CallerReference: 'hc-1', HealthCheckConfig: { Type: 'HTTP', FullyQualifiedDomainName: NLB, Port: 15021, ResourcePath: '/healthz/ready', RequestInterval: 30, FailureThreshold: 3 } }))).HealthCheck!.Id!;
      const zone = (await r53.send(new CreateHostedZoneCommand({ Name: 'stg.example.com', CallerReference: 'z-1' }))).HostedZone!.Id!;
      const api = (await r53.send(new CreateHostedZoneCommand({ Name: 'api.stg.example.com', CallerReference: 'z-2' }))).HostedZone!.Id!;
      for (const [z, name] of [[zone, 'stg.example.com'], [api, 'api.stg.example.com']] as const) {
        await r53.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: z,
            ChangeBatch: {
              Changes: [
                ...(o.primary === false
                  ? [{ Action: 'CREATE' as const, ResourceRecordSet: { Name: name, Type: 'A' as const, AliasTarget: { DNSName: NLB, HostedZoneId: 'Z2IFOLAFXWLO4F', EvaluateTargetHealth: true } } }]
                  : [{ Action: 'CREATE' as const, ResourceRecordSet: { Name: name, Type: 'A' as const, SetIdentifier: 'primary', Failover: 'PRIMARY' as const, ...(o.checkedBy === 'none' ? {} : { HealthCheckId: hc }), AliasTarget: { DNSName: NLB, HostedZoneId: 'Z2IFOLAFXWLO4F', EvaluateTargetHealth: true } } }]),
                ...(o.primary === false ? [] : [{ Action: 'CREATE' as const, ResourceRecordSet: { Name: name, Type: 'A' as const, SetIdentifier: 'dr', Failover: 'SECONDARY' as const, AliasTarget: { DNSName: 'stg-dr-ingress-0a1b.elb.eu-central-1.amazonaws.com', HostedZoneId: 'Z3F0SRJ5LGBH90', EvaluateTargetHealth: true } } }]),
              ],
            },
          }),
        );
      }
      return outputsFor({ route53HealthCheckIds: [hc], failoverRecordNames: ['stg.example.com', 'api.stg.example.com'] });
    }

    it('passes: the readiness check is healthy and each host has PRIMARY (checked) and SECONDARY records', async () => {
      const o = await dns();
      const { r } = await run(o, [], ['failover-health']);
      const g = r['failover-health']!;
      assert.equal(g.status, 'pass', g.evidence.join('\n'));
      assert.ok(g.evidence.some((l) => l.startsWith('api.stg.example.com: PRIMARY -> ')));
    });

    it("fails when Route53's checkers report the primary down (recorded observations)", async () => {
      const o = await dns();
      const id = o.route53HealthCheckIds[0]!;
      const obs = (status: string, region: string) => `<HealthCheckObservation><Region>${region}</Region><IPAddress>15.177.2.10</IPAddress><StatusReport><Status>${status}</Status><CheckedTime>2026-11-30T09:00:00.000Z</CheckedTime></StatusReport></HealthCheckObservation>`;
      const down: AwsRoute = {
        service: 'route53',
        method: 'GET',
        path: `^/2013-04-01/healthcheck/${id}/status$`,
        responses: [{ status: 200, contentType: 'text/xml', body: `<?xml version="1.0" encoding="UTF-8"?>\n<GetHealthCheckStatusResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HealthCheckObservations>${obs('Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall.', 'us-east-1')}${obs('Failure: Connection timed out.', 'eu-west-1')}${obs('Success: HTTP Status Code 200, OK', 'ap-southeast-1')}</HealthCheckObservations></GetHealthCheckStatusResponse>` }],
      };
      const { r } = await run(o, [down], ['failover-health']);
      const g = r['failover-health']!;
      assert.equal(g.status, 'fail');
      assert.match(g.evidence[0]!, /1\/3 checkers report Success; e\.g\. Failure: Connection timed out/);
    });

    it('fails when ExternalDNS has not written the failover records (a simple record, or a PRIMARY without the check)', async () => {
      let o = await dns({ primary: false });
      let { r } = await run(o, [], ['failover-health']);
      assert.match(r['failover-health']!.evidence.join('\n'), /stg\.example\.com has no PRIMARY failover record \(set primary\): simple/);
      await replay?.stop();
      await moto.reset();
      o = await dns({ checkedBy: 'none' });
      ({ r } = await run(o, [], ['failover-health']));
      assert.match(r['failover-health']!.evidence.join('\n'), /PRIMARY record checks no health check, not /);
    });
  });
});
