/**
 * Phase 8 gates (reference/phases.md, phase 8 "Gate" 3, and the DNS half of failover):
 * - backup-plan-assigned: the plan exists with its daily rule copying to the DR vault with the env's
 *   retention, it has its selections, and the newest backup job into the primary vault COMPLETED.
 *   With no job yet (a fresh plan runs on its schedule), the gate starts one on-demand job of the
 *   plan's first protected volume, once (an idempotency token per plan and day), and waits for it.
 * - dr-copies: a copy job into the DR vault COMPLETED since the newest completed backup, its
 *   newest copy did not fail, and the DR vault (in the DR region) holds recovery points.
 * - dr-cluster-active: the DR cluster (DR region) is ACTIVE on the env's Kubernetes version with
 *   Secrets encryption and the primary's endpoint access; its node group is ACTIVE with no health
 *   issue (EKS marks a group whose instances cannot join CREATE_FAILED/DEGRADED with
 *   NodeCreationFailure); its add-ons are ACTIVE. Skipped when the env has no pilot-light cluster.
 * - failover-health: the health check probes the gateway's readiness and Route53's checkers find it
 *   healthy (a majority of observations `Success`); each failover name has a PRIMARY record with
 *   that health check and a SECONDARY alias (ExternalDNS writes both from phase 8's annotations).
 */
import { BackupClient, GetBackupPlanCommand, ListBackupJobsCommand, ListBackupSelectionsCommand, ListCopyJobsCommand, ListRecoveryPointsByBackupVaultCommand, StartBackupJobCommand, type BackupJob } from '@aws-sdk/client-backup';
import { DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeAddonCommand, DescribeClusterCommand, DescribeNodegroupCommand, EKSClient, ListNodegroupsCommand } from '@aws-sdk/client-eks';
import { GetHealthCheckCommand, GetHealthCheckStatusCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import type { Gate } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import { awsErrorText } from '../../src/gates/probes/aws.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { DR_ADDONS } from './dr-cluster.js';
import { GATEWAY_HEALTH, PRIMARY_SET_ID, SECONDARY_SET_ID, vaultName } from './names.js';
import type { Phase8Outputs } from './phase.js';

type G = Gate<Phase8Outputs, Probes>;
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

const regionOfArn = (arn: string) => arn.split(':')[3] ?? '';
const newest = <T extends { CreationDate?: Date }>(items: T[]): T | undefined =>
  [...items].sort((a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0))[0];
const when = (d?: Date) => (d ? d.toISOString() : 'an unknown time');

/** The token that makes the gate's on-demand job start at most once per plan and UTC day. */
export function onDemandToken(planId: string, now: number): string {
  return `platform-gate-${planId}-${new Date(now).toISOString().slice(0, 10)}`.slice(0, 100);
}

const backupPlanAssigned: G = {
  name: 'backup-plan-assigned',
  description: 'The backup plan copies to the DR vault with the env retention, has its selections, and its newest backup job completed',
  live: true,
  timeoutMs: 90 * MIN,
  intervalMs: 60_000,
  async check({ env, outputs, probes, clock }) {
    const ev = new Evidence();
    const backup = probes.aws.client(BackupClient);
    const plan = await backup.send(new GetBackupPlanCommand({ BackupPlanId: outputs.backupPlanId })).catch((e: unknown) => {
      ev.problem(`backup plan ${outputs.backupPlanId} cannot be read: ${awsErrorText(e)}`, true);
      return undefined;
    });
    if (!plan?.BackupPlan) return ev.outcome(`re-run phase 8: platform up --phase 8 --env ${env.name}`);
    const primaryVault = vaultName(outputs.backupVaultArns.primary);
    const retention = env.backupRetentionDays;
    const rules = plan.BackupPlan.Rules ?? [];
    const daily = rules.find((r) => r.TargetBackupVaultName === primaryVault);
    if (!daily) ev.problem(`plan ${plan.BackupPlan.BackupPlanName} has no rule into the primary vault ${primaryVault}`, true);
    else {
      const copy = (daily.CopyActions ?? []).find((c) => c.DestinationBackupVaultArn === outputs.backupVaultArns.dr);
      if (!copy) ev.problem(`rule ${daily.RuleName} copies to ${(daily.CopyActions ?? []).map((c) => c.DestinationBackupVaultArn).join(', ') || 'nowhere'}, not the DR vault ${outputs.backupVaultArns.dr}`, true);
      else ev.saw(`rule ${daily.RuleName} (${daily.ScheduleExpression}) copies to ${copy.DestinationBackupVaultArn}`);
      for (const [what, lc] of [['recovery points', daily.Lifecycle], ['DR copies', copy?.Lifecycle]] as const) {
        if (copy === undefined && what === 'DR copies') continue;
        if (lc?.DeleteAfterDays !== retention) ev.problem(`${what} are kept ${lc?.DeleteAfterDays ?? 'forever'} days, the env says ${retention} (backupRetentionDays)`, true);
      }
    }
    const selections = await backup.send(new ListBackupSelectionsCommand({ BackupPlanId: outputs.backupPlanId }));
    const selected = (selections.BackupSelectionsList ?? []).map((s) => s.SelectionId!);
    const missing = outputs.backupSelectionIds.filter((id) => !selected.includes(id));
    if (missing.length > 0) ev.problem(`plan ${plan.BackupPlan.BackupPlanName} lacks selection(s) ${missing.join(', ')}: nothing is assigned to it`, true);
    else ev.saw(`${selected.length} selection(s) assigned: ${(selections.BackupSelectionsList ?? []).map((s) => s.SelectionName).join(', ')}`);
    if (!ev.ok) return ev.outcome(`re-run phase 8: platform up --phase 8 --env ${env.name}`);

    const jobs = (await backup.send(new ListBackupJobsCommand({ ByBackupVaultName: primaryVault, ByCreatedAfter: new Date((clock?.now() ?? Date.now()) - 2 * DAY) }))).BackupJobs ?? [];
    const last = newest<BackupJob>(jobs);
    if (!last) {
      const roleArn = selections.BackupSelectionsList?.[0]?.IamRoleArn ?? '';
      const started = await startOnDemand(probes, outputs, roleArn, daily?.Lifecycle, clock?.now() ?? Date.now());
      ev.problem(started);
      return ev.outcome('a fresh plan has no job until its schedule: the gate started one on demand; it waits for it to complete');
    }
    const line = `newest backup job ${last.BackupJobId} of ${last.ResourceArn} (created ${when(last.CreationDate)}): ${last.State}${last.StatusMessage ? ` (${last.StatusMessage})` : ''}`;
    if (last.State === 'COMPLETED') ev.saw(line);
    else if (last.State === 'FAILED' || last.State === 'ABORTED' || last.State === 'EXPIRED' || last.State === 'PARTIAL') ev.problem(line, true);
    else ev.problem(line);
    return ev.outcome(`aws backup describe-backup-job --backup-job-id ${last.BackupJobId} --region ${probes.aws.region}: a failed job names its cause (role permissions, KMS key policy, resource state)`);
  },
};

/** Starts one on-demand backup of the first volume the plan protects (tag backup=true); says what it did. */
async function startOnDemand(probes: Probes, outputs: Phase8Outputs, roleArn: string, lifecycle: { DeleteAfterDays?: number } | undefined, now: number): Promise<string> {
  const volumes = await probes.aws.client(EC2Client).send(new DescribeVolumesCommand({ Filters: [{ Name: 'tag:backup', Values: ['true'] }], MaxResults: 5 }));
  const volume = volumes.Volumes?.[0];
  if (!volume?.VolumeId) return 'no backup job yet, and no volume tagged backup=true to back up on demand (phase 4 has not created its volumes)';
  const account = outputs.backupVaultArns.primary.split(':')[4];
  const resourceArn = `arn:aws:ec2:${probes.aws.region}:${account}:volume/${volume.VolumeId}`;
  const job = await probes.aws.client(BackupClient).send(
    new StartBackupJobCommand({
      BackupVaultName: vaultName(outputs.backupVaultArns.primary),
      ResourceArn: resourceArn,
      IamRoleArn: roleArn,
      IdempotencyToken: onDemandToken(outputs.backupPlanId, now),
      ...(lifecycle?.DeleteAfterDays ? { Lifecycle: { DeleteAfterDays: lifecycle.DeleteAfterDays } } : {}),
    }),
  );
  return `no backup job yet: started on-demand job ${job.BackupJobId} of ${resourceArn}`;
}

const drCopies: G = {
  name: 'dr-copies',
  description: 'Recovery points are copied to the DR vault: the newest copy job completed and the DR vault holds recovery points',
  live: true,
  timeoutMs: 120 * MIN,
  intervalMs: 60_000,
  after: ['backup-plan-assigned'],
  async check({ outputs, probes, clock }) {
    const ev = new Evidence();
    const drVault = outputs.backupVaultArns.dr;
    const drRegion = regionOfArn(drVault);
    if (drRegion !== outputs.drRegion) ev.problem(`the DR vault ${drVault} is in ${drRegion}, not the DR region ${outputs.drRegion}`, true);
    const since = new Date((clock?.now() ?? Date.now()) - 2 * DAY);
    const copies = (await probes.aws.client(BackupClient).send(new ListCopyJobsCommand({ ByDestinationVaultArn: drVault, ByCreatedAfter: since }))).CopyJobs ?? [];
    const last = newest(copies);
    if (!last) ev.problem(`no copy job into ${drVault} since ${since.toISOString()}: copies start when a backup completes`);
    else {
      const line = `newest copy job ${last.CopyJobId} of ${last.SourceRecoveryPointArn} (created ${when(last.CreationDate)}): ${last.State}${last.StatusMessage ? ` (${last.StatusMessage})` : ''}`;
      if (last.State === 'COMPLETED') ev.saw(line);
      else if (last.State === 'FAILED' || last.State === 'PARTIAL') ev.problem(line, true);
      else ev.problem(line);
    }
    const points = await probes.aws
      .client(BackupClient, { region: drRegion })
      .send(new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: vaultName(drVault), MaxResults: 20 }))
      .catch((e: unknown) => {
        ev.problem(`the DR vault ${vaultName(drVault)} cannot be listed in ${drRegion}: ${awsErrorText(e)}`, true);
        return undefined;
      });
    if (points) {
      const done = (points.RecoveryPoints ?? []).filter((p) => p.Status === 'COMPLETED');
      if (done.length === 0) ev.problem(`the DR vault ${vaultName(drVault)} in ${drRegion} holds no completed recovery point`);
      else ev.saw(`${done.length} completed recovery point(s) in ${vaultName(drVault)} (${drRegion}), newest ${when(newest(done)?.CreationDate)}`);
    }
    return ev.outcome(`aws backup list-copy-jobs --by-destination-vault-arn ${drVault}: a failed copy names its cause (the DR vault's key policy must let the backup role use it)`);
  },
};

const drClusterActive: G = {
  name: 'dr-cluster-active',
  description: 'The pilot-light cluster in the DR region is ACTIVE like the primary, with its node group ACTIVE (nodes joined) and its add-ons ACTIVE',
  live: true,
  timeoutMs: 30 * MIN,
  intervalMs: 30_000,
  async check({ env, outputs, probes }) {
    const ev = new Evidence();
    if (!outputs.drClusterName) {
      return { status: 'skipped', evidence: [`env ${env.name} has no pilot-light cluster (resilience.drCluster.enabled is false)`], hint: 'nothing to check' };
    }
    const eks = probes.aws.client(EKSClient, { region: outputs.drRegion });
    const name = outputs.drClusterName;
    const cluster = await eks.send(new DescribeClusterCommand({ name })).then(
      (r) => r.cluster,
      (e: unknown) => {
        ev.problem(`DR cluster ${name} cannot be described in ${outputs.drRegion}: ${awsErrorText(e)}`, true);
        return undefined;
      },
    );
    if (!cluster) return ev.outcome(`re-run phase 8: platform up --phase 8 --env ${env.name}`);
    const line = `DR cluster ${name} in ${outputs.drRegion}: ${cluster.status}, Kubernetes ${cluster.version}`;
    if (cluster.status === 'ACTIVE') ev.saw(line);
    else ev.problem(line, cluster.status === 'FAILED');
    if (cluster.version !== env.cluster.version) ev.problem(`DR cluster runs Kubernetes ${cluster.version}, the primary ${env.cluster.version} (cluster.version): a failover would change versions`, true);
    if (!(cluster.encryptionConfig ?? []).some((c) => c.resources?.includes('secrets') && c.provider?.keyArn)) ev.problem(`DR cluster ${name} does not encrypt Secrets with a KMS key`, true);
    const vpc = cluster.resourcesVpcConfig;
    if (vpc?.endpointPublicAccess !== env.cluster.endpointPublicAccess) ev.problem(`DR cluster API public access is ${String(vpc?.endpointPublicAccess)}, the primary's is ${String(env.cluster.endpointPublicAccess)}`, true);

    const groups = (await eks.send(new ListNodegroupsCommand({ clusterName: name }))).nodegroups ?? [];
    if (groups.length === 0) ev.problem(`DR cluster ${name} has no node group: no node can join`, true);
    for (const g of groups) {
      const ng = (await eks.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName: g }))).nodegroup;
      const issues = (ng?.health?.issues ?? []).map((i) => `${i.code}: ${i.message}`);
      const l = `node group ${g}: ${ng?.status}, ${ng?.scalingConfig?.desiredSize ?? '?'} desired${issues.length ? `; ${issues.join('; ')}` : ''}`;
      if (ng?.status === 'ACTIVE' && issues.length === 0) ev.saw(l);
      else ev.problem(l, ng?.status === 'CREATE_FAILED' || ng?.status === 'DEGRADED');
    }
    for (const addonName of DR_ADDONS) {
      const a = await eks.send(new DescribeAddonCommand({ clusterName: name, addonName })).then(
        (r) => r.addon,
        (e: unknown) => {
          ev.problem(`add-on ${addonName} of ${name}: ${awsErrorText(e)}`);
          return undefined;
        },
      );
      if (!a) continue;
      const issues = (a.health?.issues ?? []).map((i) => `${i.code}: ${i.message}`);
      const l = `add-on ${addonName} ${a.addonVersion ?? ''}: ${a.status}${issues.length ? `; ${issues.join('; ')}` : ''}`;
      if (a.status === 'ACTIVE') ev.saw(l);
      else ev.problem(l, a.status === 'CREATE_FAILED');
    }
    return ev.outcome(`aws eks describe-nodegroup --region ${outputs.drRegion} --cluster-name ${name}: NodeCreationFailure means instances could not join (node role access entry, subnets' routes to the EKS and ECR endpoints)`);
  },
};

const failoverHealth: G = {
  name: 'failover-health',
  description: "Route53's checkers find the primary ingress healthy, and each public host has a PRIMARY record with that check and a SECONDARY",
  live: true,
  timeoutMs: 15 * MIN,
  intervalMs: 30_000,
  async check({ outputs, probes }) {
    const ev = new Evidence();
    const r53 = probes.aws.client(Route53Client, { region: 'us-east-1' });
    const ids = outputs.route53HealthCheckIds;
    if (ids.length === 0) ev.problem('phase 8 recorded no health check', true);
    for (const id of ids) {
      const hc = await r53.send(new GetHealthCheckCommand({ HealthCheckId: id })).then(
        (r) => r.HealthCheck,
        (e: unknown) => {
          ev.problem(`health check ${id}: ${awsErrorText(e)}`, true);
          return undefined;
        },
      );
      if (!hc) continue;
      const cfg = hc.HealthCheckConfig;
      if (cfg?.Port !== GATEWAY_HEALTH.port || cfg?.ResourcePath !== GATEWAY_HEALTH.path) {
        ev.problem(`health check ${id} probes ${cfg?.FullyQualifiedDomainName}:${cfg?.Port}${cfg?.ResourcePath ?? ''}, not the gateway's readiness :${GATEWAY_HEALTH.port}${GATEWAY_HEALTH.path}`, true);
      }
      const obs = (await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }))).HealthCheckObservations ?? [];
      const ok = obs.filter((o) => o.StatusReport?.Status?.startsWith('Success')).length;
      const line = `health check ${id} (${cfg?.FullyQualifiedDomainName}): ${ok}/${obs.length} checkers report Success`;
      if (obs.length > 0 && ok * 2 > obs.length) ev.saw(line);
      else ev.problem(`${line}${obs[0]?.StatusReport?.Status ? `; e.g. ${obs[0].StatusReport.Status}` : ''}`);
    }
    const zones = (await r53.send(new ListHostedZonesCommand({}))).HostedZones ?? [];
    for (const host of outputs.failoverRecordNames) {
      const zone = zones.filter((z) => `${host}.`.endsWith(`.${z.Name}`) || `${host}.` === z.Name).sort((a, b) => (b.Name?.length ?? 0) - (a.Name?.length ?? 0))[0];
      if (!zone?.Id) {
        ev.problem(`no hosted zone holds ${host}`, true);
        continue;
      }
      const sets = (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.Id, StartRecordName: host, StartRecordType: 'A', MaxItems: 10 }))).ResourceRecordSets ?? [];
      const mine = sets.filter((s) => s.Name === `${host}.` && s.Type === 'A');
      const primary = mine.find((s) => s.Failover === 'PRIMARY' && s.SetIdentifier === PRIMARY_SET_ID);
      const secondary = mine.find((s) => s.Failover === 'SECONDARY' && s.SetIdentifier === SECONDARY_SET_ID);
      if (!primary) ev.problem(`${host} has no PRIMARY failover record (set ${PRIMARY_SET_ID}): ${mine.map((s) => s.Failover ?? 'simple').join(', ') || 'no A record'}`);
      else if (!ids.includes(primary.HealthCheckId ?? '')) ev.problem(`${host}'s PRIMARY record checks ${primary.HealthCheckId ?? 'no health check'}, not ${ids.join(', ')}`);
      if (!secondary) ev.problem(`${host} has no SECONDARY failover record (set ${SECONDARY_SET_ID})`);
      if (primary && secondary) ev.saw(`${host}: PRIMARY -> ${primary.AliasTarget?.DNSName ?? '?'} (checked), SECONDARY -> ${secondary.AliasTarget?.DNSName ?? '?'}`);
    }
    return ev.outcome('the primary gateway must answer :15021/healthz/ready through its NLB; missing records: look at the ExternalDNS logs (namespace external-dns) for the Gateway annotations and the dr-ingress-failover Service');
  },
};

export const gates: G[] = [backupPlanAssigned, drCopies, drClusterActive, failoverHealth];
