/**
 * Phase 4, data: PostgreSQL (official image, logical replication on), Kafka in KRaft mode through
 * Strimzi, and Kafka Connect with Debezium streaming the database's changes to CDC topics. Needs the
 * encrypted retaining gp3 StorageClass, the ClusterSecretStore and its KMS key, and the cluster (for
 * the backup job's Pod Identity) from phase 2; the data-backup bucket and its key from phase 1.
 */
import { z } from 'zod';
import { arn, byName, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import type { EnvConfig } from '../../src/core/env.js';
import { PlatformError } from '../../src/core/errors.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase2Outputs } from '../02-cluster/phase.js';
// Phase 0 names this role in every env account; phase 4 does not read phase 0's outputs.
import { deployerRoleArn } from '../../src/core/platform-names.js';

/** The outputs contract of phase 4 (reference/phases.md section D). */
export const phase4Outputs = z.object({
  postgres: z.object({
    host: text,
    port: z.number().int().min(1).max(65535),
    dbName: text,
    /** Name of the Kubernetes Secret holding the credentials (the name, never the password). */
    secretName: k8sName,
    serviceName: k8sName,
  }),
  kafkaClusterName: k8sName,
  /** Bootstrap addresses: TLS always, plain only inside the mesh when enabled. */
  kafkaBootstrapServers: z.object({ tls: text, plain: text.optional() }),
  kafkaClusterCaSecret: k8sName,
  /** KafkaUser name by purpose (connect, services...). */
  kafkaUsers: byName(k8sName),
  kafkaConnectName: k8sName,
  connectImage: text,
  debeziumConnectorNames: z.array(k8sName).min(1),
  cdcTopics: z.array(text).min(1),
  dataNamespace: k8sName,
});
export type Phase4Outputs = z.infer<typeof phase4Outputs>;

/** What phase 4 reads from phase 1: the backup bucket and the key it is encrypted with. */
const fromFoundation = z.object({
  dataBackupBucket: text,
  kmsKeyArns: z.object({ s3: arn }),
});

/** What phase 4 reads from phase 2. */
const fromCluster = phase2Outputs.pick({
  clusterName: true,
  clusterArn: true,
  kubeconfig: true,
  retainStorageClass: true,
  clusterSecretStoreName: true,
  clusterSecretStoreNamespaceLabel: true,
  secretsManagerKmsKeyArn: true,
  monitoringNamespace: true,
  istio: true,
});

/** Inputs of the phase 4 program (plain JSON). `kubeconfig` is secret. */
export interface Phase4Inputs {
  env: string;
  accountId: string;
  region: string;
  /** Role the explicit aws.Provider assumes (phase 0's deploy role in the env account). */
  deployRoleArn: string;
  tags: Record<string, string>;
  kubeconfig: string;
  clusterName: string;
  clusterArn: string;
  /** Encrypted gp3 class with reclaimPolicy Retain, for the database and broker volumes. */
  storageClass: string;
  clusterSecretStoreName: string;
  clusterSecretStoreNamespaceLabel: { key: string; value: string };
  /** The key Secrets Manager secrets must use for the ClusterSecretStore to read them. */
  secretsKmsKeyArn: string;
  monitoringNamespace: string;
  istioRevision: string;
  backupBucket: string;
  backupKmsKeyArn: string;
  /** Zones the env spans: more than one spreads brokers across racks (zones). */
  availabilityZones: number;
  sizes: NonNullable<EnvConfig['data']>;
}

/** Builds the program inputs from the env file and the outputs of phases 1 and 2 (pure). */
export function phase4Inputs(ctx: PhaseContext): Phase4Inputs {
  const { env } = ctx;
  const foundation = readUpstream(ctx, 4, 1, fromFoundation);
  const cluster = readUpstream(ctx, 4, 2, fromCluster);
  if (!env.data) {
    throw new PlatformError('config-missing', `env ${env.name} has no data section (phase 4 sizes)`, {
      value: 'data',
      hint: `add data: { postgres, kafka, connect, cdcTables } to stacks/${env.name}.yaml (see stacks/dev.yaml)`,
    });
  }
  return {
    env: env.name,
    accountId: env.accountId,
    region: env.regions.primary,
    deployRoleArn: deployerRoleArn(env.accountId),
    tags: { ...env.tags, 'platform:env': env.name, 'platform:phase': '04-data' },
    kubeconfig: cluster.kubeconfig,
    clusterName: cluster.clusterName,
    clusterArn: cluster.clusterArn,
    storageClass: cluster.retainStorageClass,
    clusterSecretStoreName: cluster.clusterSecretStoreName,
    clusterSecretStoreNamespaceLabel: { ...cluster.clusterSecretStoreNamespaceLabel },
    secretsKmsKeyArn: cluster.secretsManagerKmsKeyArn,
    monitoringNamespace: cluster.monitoringNamespace,
    istioRevision: cluster.istio.revision,
    backupBucket: foundation.dataBackupBucket,
    backupKmsKeyArn: foundation.kmsKeyArns.s3,
    availabilityZones: env.network.availabilityZones,
    sizes: structuredClone(env.data),
  };
}

export const phase: PhaseDefinition<Phase4Inputs, Phase4Outputs> = {
  id: 4,
  slug: 'data',
  title: 'Data: PostgreSQL, Kafka (KRaft), Debezium CDC',
  module: import.meta.url,
  dependsOn: [1, 2],
  inputs: phase4Inputs,
  outputs: phase4Outputs,
  secretOutputs: [],
  loadGates: () => import('./gates.js').then((m) => m.gates),
  loadProgram: () => import('./program.js').then((m) => m.program),
  planChanges: [
    {
      what: 'Kafka runs in KRaft mode with KafkaNodePools instead of Kafka + ZooKeeper',
      why: 'Strimzi 1.x is KRaft-only and serves only the kafka.strimzi.io/v1 API; ZooKeeper support was removed',
    },
    {
      what: 'PostgreSQL uses the official postgres image and Kafka uses Strimzi, not Bitnami charts',
      why: 'since 2025-08-28 versioned Bitnami images moved to bitnamilegacy and receive no updates',
    },
  ],
};
