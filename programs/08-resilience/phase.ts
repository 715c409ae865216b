/**
 * Phase 8, resilience: HPAs for the phase-5 services, AWS Backup plans with cross-region copy, EBS
 * snapshot lifecycle for the phase-4 volumes, ECR replication, and the pilot-light DR cluster in the
 * DR region (its own KMS key and public subnets from phase 1) with Route53 health checks and failover
 * records in phase 1's zones, pointing at phase 2's ingress load balancer. The DR cluster's kubeconfig
 * is a secret output. Karpenter's NodePools are phase 2's (it owns `on-demand` and `spot`): phase 8
 * reads their names and never declares a NodePool of the same name.
 */
import { z } from 'zod';
import { arn, byName, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase1Outputs } from '../01-foundation/phase.js';
import { phase2Outputs } from '../02-cluster/phase.js';
import { phase4Outputs } from '../04-data/phase.js';
import { phase5Outputs } from '../05-apps/phase.js';

/** The outputs contract of phase 8 (reference/phases.md section D). */
export const phase8Outputs = z.object({
  /** HPA name by service. */
  hpaNames: byName(k8sName),
  backupPlanId: text,
  backupSelectionIds: z.array(text).min(1),
  backupVaultArns: z.object({ primary: arn, dr: arn }),
  dlmPolicyIds: z.array(text),
  drRegion: text,
  drClusterName: text,
  drClusterEndpoint: z.string().regex(/^https:\/\/\S+$/, 'an https endpoint'),
  /** Secret: admin access to the DR cluster. */
  drKubeconfig: text,
  ecrReplicationRules: z.array(text),
  route53HealthCheckIds: z.array(text),
  failoverRecordNames: z.array(text),
});
export type Phase8Outputs = z.infer<typeof phase8Outputs>;

/** What phase 8 reads from phase 1 (foundation): vaults, keys, zones and the DR-region network. */
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
  });
/** What phase 8 reads from phase 2 (cluster): its NodePools (phase 2 owns them) and the ingress NLB for failover. */
const fromCluster = phase2Outputs.pick({ kubeconfig: true, clusterName: true, volumeSnapshotClass: true, karpenter: true, istio: true });
/** What phase 8 reads from phase 4 (data): what to protect. */
const fromData = phase4Outputs.pick({ dataNamespace: true, kafkaClusterName: true, postgres: true });
/** What phase 8 reads from phase 5 (apps): what to autoscale and replicate. */
const fromApps = phase5Outputs.pick({ ecrRepositoryUrls: true, appNamespaces: true });

/** Inputs of the phase 8 program. `kubeconfig` is secret. */
export interface Phase8Inputs {
  envName: string;
  regions: { primary: string; dr: string };
  tags: Record<string, string>;
  /** Phase 2's Karpenter NodePools, which HPAs scale onto (phase 8 creates none). */
  nodePools: string[];
  backupRetentionDays: number;
  backup: { vaultArn: string; drVaultArn: string; roleArn: string; kmsKeyArn: string };
  dr: { region: string; vpcId: string; privateSubnetIds: string[]; publicSubnetIds: string[]; kmsKeyArn: string };
  /** Zones for the health checks and failover records. */
  hostedZoneIds: { apex: string; api: string };
  /** The primary ingress load balancer the failover records point at first. */
  primaryIngressLbHostname: string;
  kubeconfig: string;
  clusterName: string;
  volumeSnapshotClass: string;
  data: { namespace: string; kafkaClusterName: string; postgresServiceName: string };
  services: string[];
  appNamespaces: Record<string, string>;
}

/** Builds the program inputs from the env file and the outputs of phases 1, 2, 4 and 5 (pure). */
export function phase8Inputs(ctx: PhaseContext): Phase8Inputs {
  const foundation = readUpstream(ctx, 8, 1, fromFoundation);
  const cluster = readUpstream(ctx, 8, 2, fromCluster);
  const data = readUpstream(ctx, 8, 4, fromData);
  const apps = readUpstream(ctx, 8, 5, fromApps);
  const { env } = ctx;
  return {
    envName: env.name,
    regions: { primary: env.regions.primary, dr: env.regions.dr },
    tags: { ...env.tags },
    nodePools: [...cluster.karpenter.nodePools],
    backupRetentionDays: env.backupRetentionDays,
    backup: {
      vaultArn: foundation.backupVaultArn,
      drVaultArn: foundation.drBackupVaultArn,
      roleArn: foundation.backupRoleArn,
      kmsKeyArn: foundation.kmsKeyArns.backup,
    },
    dr: {
      region: foundation.drRegion,
      vpcId: foundation.drVpcId,
      privateSubnetIds: foundation.drPrivateSubnetIds,
      publicSubnetIds: foundation.drPublicSubnetIds,
      kmsKeyArn: foundation.drKmsKeyArn,
    },
    hostedZoneIds: { ...foundation.hostedZoneIds },
    primaryIngressLbHostname: cluster.istio.ingressLbHostname,
    kubeconfig: cluster.kubeconfig,
    clusterName: cluster.clusterName,
    volumeSnapshotClass: cluster.volumeSnapshotClass,
    data: { namespace: data.dataNamespace, kafkaClusterName: data.kafkaClusterName, postgresServiceName: data.postgres.serviceName },
    services: Object.keys(apps.ecrRepositoryUrls).sort(),
    appNamespaces: apps.appNamespaces,
  };
}

export const phase: PhaseDefinition<Phase8Inputs, Phase8Outputs> = {
  id: 8,
  slug: 'resilience',
  title: 'Resilience: HPA, backups and cross-region copy, DR pilot light',
  module: import.meta.url,
  dependsOn: [1, 2, 4, 5],
  inputs: phase8Inputs,
  outputs: phase8Outputs,
  secretOutputs: ['drKubeconfig'],
  gates: [],
};
