/**
 * Phase 8, resilience: autoscaling on the request rate (the custom metric the services' HPAs read),
 * AWS Backup plans with cross-region copy for the data volumes and the databases' logical backups,
 * ECR replication, and the pilot-light DR cluster in the DR region (its own KMS key and subnets from
 * phase 1) with Route53 health checks and failover records for phase 6's public hosts. The DR
 * cluster's kubeconfig is a secret output.
 *
 * Ownership (one owner per object): the HPAs and PDBs are rendered per service by the GitOps service
 * chart (gitops/charts/service, values from programs/shared/services.ts), which Argo CD owns; phase 8
 * serves the request-rate metric they scale on and checks them. Karpenter's NodePools are phase 2's
 * (their disruption budgets come from the env file's cluster.karpenterDisruption); phase 8 declares
 * no NodePool. The public records are ExternalDNS's (phase 2, from phase 6's Gateway): phase 8 adds
 * the failover annotations to that Gateway and a SECONDARY source for the DR load balancer, so the
 * PRIMARY and SECONDARY records change in one Route53 batch.
 */
import { z } from 'zod';
import { PlatformError } from '../../src/core/errors.js';
import { arn, byName, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { deployerRoleArn, VERIFIER_ROLE_NAME } from '../../src/core/platform-names.js';
import { phase1Outputs } from '../01-foundation/phase.js';
import { phase2Outputs } from '../02-cluster/phase.js';
import { phase4Outputs } from '../04-data/phase.js';
import { phase5Outputs } from '../05-apps/phase.js';
import { phase6Outputs } from '../06-edge/phase.js';
import { SERVICES } from '../shared/services.js';

/** The outputs contract of phase 8 (reference/phases.md section D). */
export const phase8Outputs = z.object({
  /** HPA name by service (rendered by the service chart; phase 8 serves their request-rate metric). */
  hpaNames: byName(k8sName),
  backupPlanId: text,
  backupSelectionIds: z.array(text).min(1),
  backupVaultArns: z.object({ primary: arn, dr: arn }),
  /** Empty: AWS Backup protects the volumes (a DLM policy beside it would protect them twice). */
  dlmPolicyIds: z.array(text),
  drRegion: text,
  /** The pilot-light cluster; absent when the env has none (resilience.drCluster.enabled: false). */
  drClusterName: text.optional(),
  drClusterEndpoint: z.string().regex(/^https:\/\/\S+$/, 'an https endpoint').optional(),
  /** Secret: admin access to the DR cluster (as the deploy role). */
  drKubeconfig: text.optional(),
  ecrReplicationRules: z.array(text),
  route53HealthCheckIds: z.array(text),
  failoverRecordNames: z.array(text),
});
export type Phase8Outputs = z.infer<typeof phase8Outputs>;

/** What phase 8 reads from phase 1 (foundation): vaults, keys, roles, zones and the DR-region network. */
const fromFoundation = phase1Outputs.pick({
  backupVaultArn: true,
  drBackupVaultArn: true,
  backupRoleArn: true,
  kmsKeyArns: true,
  hostedZoneIds: true,
  drRegion: true,
  drVpcId: true,
  drPrivateSubnetIds: true,
  // The DR cluster's own key and its load balancers' subnets (review C3).
  drKmsKeyArn: true,
  drPublicSubnetIds: true,
  clusterRoleArn: true,
  nodeRoleArn: true,
  dataBackupBucket: true,
});
/** What phase 8 reads from phase 2 (cluster): the cluster, its NodePools (phase 2 owns them), Prometheus and the ingress NLB. */
const fromCluster = phase2Outputs.pick({
  kubeconfig: true,
  clusterName: true,
  volumeSnapshotClass: true,
  karpenter: true,
  istio: true,
  monitoringNamespace: true,
  prometheusService: true,
  podIdentityRoleArns: true,
});
/** What phase 8 reads from phase 4 (data): what to protect. */
const fromData = phase4Outputs.pick({ dataNamespace: true, kafkaClusterName: true, postgres: true });
/** What phase 8 reads from phase 5 (apps): what to autoscale and replicate. */
const fromApps = phase5Outputs.pick({ ecrRepositoryUrls: true, appNamespaces: true });
/** What phase 8 reads from phase 6 (edge): the Gateway whose hosts fail over. */
const fromEdge = phase6Outputs.pick({ gatewayName: true, gatewayNamespace: true, hostnames: true });

/** Inputs of the phase 8 program. `kubeconfig` is secret. */
export interface Phase8Inputs {
  envName: string;
  accountId: string;
  deployRoleArn: string;
  verifierRoleArn: string;
  regions: { primary: string; dr: string };
  tags: Record<string, string>;
  /** Phase 2's Karpenter NodePools, which the scaled pods land on (phase 8 creates none). */
  nodePools: string[];
  backupRetentionDays: number;
  backup: {
    vaultArn: string;
    drVaultArn: string;
    roleArn: string;
    kmsKeyArn: string;
    /** AWS Backup cron (UTC). */
    schedule: string;
    coldStorageAfterDays?: number;
    /** Phase 4's logical PostgreSQL backups. */
    dataBackupBucket: string;
  };
  dr: { region: string; vpcId: string; privateSubnetIds: string[]; publicSubnetIds: string[]; kmsKeyArn: string };
  /** The pilot-light cluster, or null when the env has none. */
  drCluster: null | {
    name: string;
    version: string;
    endpointPublicAccess: boolean;
    publicAccessCidrs: string[];
    clusterRoleArn: string;
    nodeRoleArn: string;
    ebsCsiRoleArn: string;
    nodes: { instanceTypes: string[]; min: number; desired: number; max: number; diskSizeGiB: number };
    deletionProtection: boolean;
  };
  /** Zones for the failover records. */
  hostedZoneIds: { apex: string; api: string };
  /** The primary ingress load balancer (phase 2) the health check probes. */
  primaryIngressLbHostname: string;
  /** Phase 6's Gateway and its public hosts. */
  edge: { gatewayName: string; gatewayNamespace: string; hosts: { name: string; zone: 'apex' | 'api' }[] };
  kubeconfig: string;
  clusterName: string;
  volumeSnapshotClass: string;
  prometheus: { namespace: string; url: string; port: number };
  data: { namespace: string; kafkaClusterName: string; postgresServiceName: string };
  services: { name: string; minReplicas: number; maxReplicas: number; cpuTargetPercent: number; requestsPerSecondTarget: number }[];
  appNamespace: string;
}

/** `host:port` or a bare Service name (port 9090) -> the adapter's URL and port. */
export function prometheusEndpoint(service: string, namespace: string): { url: string; port: number } {
  const [host, port] = service.includes(':') ? [service.slice(0, service.lastIndexOf(':')), Number(service.slice(service.lastIndexOf(':') + 1))] : [service, 9090];
  const fqdn = host.includes('.') ? host : `${host}.${namespace}.svc`;
  return { url: `http://${fqdn}`, port };
}

/** Builds the program inputs from the env file and the outputs of phases 1, 2, 4, 5 and 6 (pure). */
export function phase8Inputs(ctx: PhaseContext): Phase8Inputs {
  const { env } = ctx;
  const r = env.resilience;
  if (!r) {
    throw new PlatformError('config-missing', `stacks/${env.name}.yaml has no resilience block, which phase 8 plans from`, {
      value: 'resilience',
      hint: `add resilience.backup and resilience.drCluster to stacks/${env.name}.yaml (see stacks/stg.yaml)`,
    });
  }
  const foundation = readUpstream(ctx, 8, 1, fromFoundation);
  const cluster = readUpstream(ctx, 8, 2, fromCluster);
  const data = readUpstream(ctx, 8, 4, fromData);
  const apps = readUpstream(ctx, 8, 5, fromApps);
  const edge = readUpstream(ctx, 8, 6, fromEdge);
  const appNamespace = apps.appNamespaces[env.name];
  if (appNamespace === undefined) {
    throw new PlatformError('dependency-check', `phase 5 output 'appNamespaces' has no namespace for env ${env.name}`, {
      value: 'appNamespaces',
      hint: `re-run phase 5: platform up --phase 5 --env ${env.name}`,
    });
  }
  const c = env.cluster;
  return {
    envName: env.name,
    accountId: env.accountId,
    deployRoleArn: deployerRoleArn(env.accountId),
    verifierRoleArn: `arn:aws:iam::${env.accountId}:role/${VERIFIER_ROLE_NAME}`,
    regions: { primary: env.regions.primary, dr: env.regions.dr },
    tags: { ...env.tags, 'platform:env': env.name, 'platform:phase': '08-resilience' },
    nodePools: [...cluster.karpenter.nodePools],
    backupRetentionDays: env.backupRetentionDays,
    backup: {
      vaultArn: foundation.backupVaultArn,
      drVaultArn: foundation.drBackupVaultArn,
      roleArn: foundation.backupRoleArn,
      kmsKeyArn: foundation.kmsKeyArns.backup,
      schedule: r.backup.schedule,
      ...(r.backup.coldStorageAfterDays !== undefined ? { coldStorageAfterDays: r.backup.coldStorageAfterDays } : {}),
      dataBackupBucket: foundation.dataBackupBucket,
    },
    dr: {
      region: foundation.drRegion,
      vpcId: foundation.drVpcId,
      privateSubnetIds: foundation.drPrivateSubnetIds,
      publicSubnetIds: foundation.drPublicSubnetIds,
      kmsKeyArn: foundation.drKmsKeyArn,
    },
    drCluster: r.drCluster.enabled
      ? {
          name: `${c.name}-dr`,
          version: c.version,
          endpointPublicAccess: c.endpointPublicAccess,
          publicAccessCidrs: [...c.publicAccessCidrs],
          clusterRoleArn: foundation.clusterRoleArn,
          nodeRoleArn: foundation.nodeRoleArn,
          ebsCsiRoleArn: cluster.podIdentityRoleArns.ebsCsi,
          nodes: structuredClone(r.drCluster.nodes),
          deletionProtection: c.deletionProtection ?? false,
        }
      : null,
    hostedZoneIds: { ...foundation.hostedZoneIds },
    primaryIngressLbHostname: cluster.istio.ingressLbHostname,
    edge: {
      gatewayName: edge.gatewayName,
      gatewayNamespace: edge.gatewayNamespace,
      hosts: [...edge.hostnames.frontend.map((name) => ({ name, zone: 'apex' as const })), { name: edge.hostnames.api, zone: 'api' as const }],
    },
    kubeconfig: cluster.kubeconfig,
    clusterName: cluster.clusterName,
    volumeSnapshotClass: cluster.volumeSnapshotClass,
    prometheus: { namespace: cluster.monitoringNamespace, ...prometheusEndpoint(cluster.prometheusService, cluster.monitoringNamespace) },
    data: { namespace: data.dataNamespace, kafkaClusterName: data.kafkaClusterName, postgresServiceName: data.postgres.serviceName },
    services: SERVICES.map((s) => ({ name: s.name, ...s.scaling })),
    appNamespace,
  };
}

export const phase: PhaseDefinition<Phase8Inputs, Phase8Outputs> = {
  id: 8,
  slug: 'resilience',
  title: 'Resilience: request-rate autoscaling, backups and cross-region copy, DR pilot light and failover',
  module: import.meta.url,
  dependsOn: [1, 2, 4, 5, 6],
  inputs: phase8Inputs,
  outputs: phase8Outputs,
  secretOutputs: ['drKubeconfig'],
  loadGates: () => import('./gates.js').then((m) => m.gates),
  loadProgram: () => import('./program.js').then((m) => m.program),
  planChanges: [
    {
      what: 'HPAs and PDBs are rendered by the GitOps service chart; phase 8 serves the request-rate metric they scale on',
      why: 'Argo CD already owns an HPA and a PDB per service: a second copy from Pulumi would fight it over the same objects',
    },
    {
      what: "Karpenter disruption budgets are set on phase 2's NodePools from the env file (cluster.karpenterDisruption); phase 8 declares no NodePool",
      why: 'two phases declaring the same NodePools fight over them (review C3)',
    },
    {
      what: 'Phase 8 also depends on phase 6',
      why: "the failover records are ExternalDNS's records of phase 6's Gateway hosts: the Gateway must exist before phase 8 annotates it",
    },
    {
      what: 'No DLM policy: AWS Backup alone protects the volumes',
      why: 'protecting the same volumes with DLM and AWS Backup doubles the snapshots and their cost',
    },
  ],
};
