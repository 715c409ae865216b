/**
 * Phase 4, data: PostgreSQL (official image, logical replication on), Kafka in KRaft mode through
 * Strimzi, and Kafka Connect with Debezium streaming the database's changes to CDC topics. Needs the
 * encrypted gp3 StorageClass, the ClusterSecretStore, monitoring CRDs and the Istio revision from
 * phase 2.
 */
import { z } from 'zod';
import { byName, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase2Outputs } from '../02-cluster/phase.js';

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

/** What phase 4 reads from phase 2. */
const fromCluster = phase2Outputs.pick({
  kubeconfig: true,
  defaultStorageClass: true,
  clusterSecretStoreName: true,
  monitoringNamespace: true,
  istio: true,
});

/** Inputs of the phase 4 program. `kubeconfig` is secret. */
export interface Phase4Inputs {
  envName: string;
  tags: Record<string, string>;
  kubeconfig: string;
  /** Encrypted gp3 class for the database and broker volumes. */
  storageClass: string;
  clusterSecretStoreName: string;
  monitoringNamespace: string;
  istioRevision: string;
  /** Spot capacity may host Connect workers, never brokers or the database. */
  spot: boolean;
}

/** Builds the program inputs from the env file and phase 2's outputs (pure). */
export function phase4Inputs(ctx: PhaseContext): Phase4Inputs {
  const cluster = readUpstream(ctx, 4, 2, fromCluster);
  return {
    envName: ctx.env.name,
    tags: { ...ctx.env.tags },
    kubeconfig: cluster.kubeconfig,
    storageClass: cluster.defaultStorageClass,
    clusterSecretStoreName: cluster.clusterSecretStoreName,
    monitoringNamespace: cluster.monitoringNamespace,
    istioRevision: cluster.istio.revision,
    spot: ctx.env.cluster.spot,
  };
}

export const phase: PhaseDefinition<Phase4Inputs, Phase4Outputs> = {
  id: 4,
  slug: 'data',
  title: 'Data: PostgreSQL, Kafka (KRaft), Debezium CDC',
  module: import.meta.url,
  dependsOn: [2],
  inputs: phase4Inputs,
  outputs: phase4Outputs,
  secretOutputs: [],
  gates: [],
  loadGates: () => import('./gates.js').then((m) => m.gates),
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
