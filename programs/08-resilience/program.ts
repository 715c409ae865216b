/**
 * Phase 8 program: the request-rate metric (prometheus-adapter in phase 2's cluster), AWS Backup with
 * cross-region copy and ECR replication (primary region), the pilot-light DR cluster (DR region, its
 * own provider), and DNS failover (Route53 health check, phase 6's Gateway annotated for ExternalDNS,
 * the DR ingress load balancer). Nothing runs at import.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { pinnedProvider } from '../shared/aws-provider.js';
import { createBackups } from './backup.js';
import { createDrCluster } from './dr-cluster.js';
import { createFailover } from './failover-dns.js';
import type { Phase8Inputs } from './phase.js';
import { installAdapter } from './scaling.js';

/** Logical names of the two AWS providers (a test checks every DR resource uses the DR one). */
export const PROVIDERS = { primary: 'aws-env', dr: 'aws-dr' } as const;

export async function program(inputs: Phase8Inputs): Promise<Record<string, unknown>> {
  const sessionName = `platform-${inputs.envName}-08-resilience`;
  const primary = pinnedProvider(PROVIDERS.primary, { region: inputs.regions.primary, accountId: inputs.accountId, roleArn: inputs.deployRoleArn, sessionName });
  const dr = pinnedProvider(PROVIDERS.dr, { region: inputs.dr.region, accountId: inputs.accountId, roleArn: inputs.deployRoleArn, sessionName });
  const k8sProvider = new k8s.Provider('k8s', { kubeconfig: inputs.kubeconfig, enableServerSideApply: true });

  installAdapter(inputs, k8sProvider);
  const backups = createBackups(inputs, primary);
  const failover = createFailover(inputs, primary, dr, k8sProvider);
  const drCluster = inputs.drCluster ? createDrCluster(inputs, inputs.drCluster, dr, primary) : undefined;

  return {
    hpaNames: Object.fromEntries(inputs.services.map((s) => [s.name, s.name])),
    backupPlanId: backups.plan.id,
    backupSelectionIds: backups.selections.map((s) => s.id),
    backupVaultArns: { primary: inputs.backup.vaultArn, dr: inputs.backup.drVaultArn },
    dlmPolicyIds: [],
    drRegion: inputs.dr.region,
    ...(drCluster ? { drClusterName: drCluster.name, drClusterEndpoint: drCluster.endpoint, drKubeconfig: pulumi.secret(drCluster.kubeconfig) } : {}),
    ecrReplicationRules: backups.ecrReplicationRules,
    route53HealthCheckIds: [failover.healthCheck.id],
    failoverRecordNames: failover.recordNames,
  };
}
