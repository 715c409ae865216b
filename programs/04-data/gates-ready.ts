/**
 * Phase 4 readiness gates (reference/phases.md, phase 4 "Gate" 1 and 2), through the Kubernetes
 * probe and the CDC transport:
 * - `postgres-ready`: the primary (and replica) StatefulSets pass the rollout predicate, every data
 *   PVC is Bound, and the primary accepts a connection and answers a query (`psql` in the pod).
 * - `kafka-ready`: the Kafka cluster Ready with its version and cluster id, every KafkaNodePool has
 *   as many node ids as replicas, the KafkaConnect Ready with the Debezium PostgreSQL plugin loaded,
 *   and every KafkaTopic Ready.
 */
import type { Gate } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import { crReady, statefulSetReady } from '../../src/gates/k8s/readiness.js';
import { DEBEZIUM_POSTGRES_CLASS } from './cdc-config.js';
import { transportOf, type DataProbes } from './gates-cdc.js';
import { DATA_NAMES } from './names.js';
import type { Phase4Outputs } from './phase.js';

type G = Gate<Phase4Outputs, DataProbes>;

function kube(probes: DataProbes) {
  if (!probes.k8s) throw new Error('phase 4 readiness gates need the Kubernetes probe');
  return probes.k8s;
}

export const postgresReady: G = {
  name: 'postgres-ready',
  description: 'PostgreSQL StatefulSets rolled out, their PVCs Bound, and the primary accepts a connection and answers a query',
  live: true,
  timeoutMs: 15 * 60_000,
  intervalMs: 15_000,
  async check(ctx) {
    const k = kube(ctx.probes);
    const ns = ctx.outputs.dataNamespace;
    const ev = new Evidence();
    const sets = (await k.list('StatefulSet', { namespace: ns, labelSelector: 'app.kubernetes.io/name=postgres' }));
    if (!sets.some((s) => s.metadata?.name === ctx.outputs.postgres.serviceName)) ev.problem(`StatefulSet ${ns}/${ctx.outputs.postgres.serviceName} does not exist`);
    for (const s of sets) {
      const r = statefulSetReady(s);
      if (r.ready) ev.saw(r.message);
      else ev.problem(r.message, r.failed);
    }
    const pvcs = await k.list('PersistentVolumeClaim', { namespace: ns });
    for (const c of pvcs.filter((p) => p.metadata?.name?.startsWith('data-postgres'))) {
      const phase = (c.status as { phase?: string } | undefined)?.phase;
      if (phase === 'Bound') ev.saw(`PVC ${c.metadata!.name} Bound (${(c.spec as { storageClassName?: string }).storageClassName})`);
      else ev.problem(`PVC ${c.metadata!.name} is ${phase ?? 'pending'}`);
    }
    if (ev.ok) {
      const t = await transportOf(ctx);
      const rows = await t.sql(ctx.outputs.postgres.dbName, 'SELECT 1');
      if (rows[0] !== '1') ev.problem(`database ${ctx.outputs.postgres.dbName} answered '${rows.join(' ')}' to SELECT 1`);
      else ev.saw(`database ${ctx.outputs.postgres.dbName} accepts a connection and answers SELECT 1`);
    }
    return ev.outcome('kubectl -n data describe statefulset postgres / pvc; a Pending PVC points at the StorageClass or zone');
  },
};

export const kafkaReady: G = {
  name: 'kafka-ready',
  description: 'Kafka Ready (version, cluster id), every node pool at its replicas, KafkaConnect Ready with the Debezium plugin, every KafkaTopic Ready',
  live: true,
  timeoutMs: 20 * 60_000,
  intervalMs: 20_000,
  async check(ctx) {
    const k = kube(ctx.probes);
    const ns = ctx.outputs.dataNamespace;
    const ev = new Evidence();
    const kafka = await k.read({ kind: 'Kafka', namespace: ns, name: ctx.outputs.kafkaClusterName });
    if (!kafka) ev.problem(`Kafka ${ns}/${ctx.outputs.kafkaClusterName} does not exist`);
    else {
      const r = crReady(kafka);
      const st = (kafka.status ?? {}) as { kafkaVersion?: string; clusterId?: string };
      if (!r.ready) ev.problem(r.message, r.failed);
      else if (!st.kafkaVersion || !st.clusterId) ev.problem(`Kafka ${ctx.outputs.kafkaClusterName} is Ready but reports no kafkaVersion or clusterId`);
      else ev.saw(`${r.message}; Kafka ${st.kafkaVersion}, cluster id ${st.clusterId}`);
    }
    for (const pool of await k.list('KafkaNodePool', { namespace: ns, labelSelector: `strimzi.io/cluster=${ctx.outputs.kafkaClusterName}` })) {
      const want = (pool.spec as { replicas?: number } | undefined)?.replicas ?? 0;
      const ids = ((pool.status as { nodeIds?: number[] } | undefined)?.nodeIds ?? []).length;
      if (ids < want) ev.problem(`KafkaNodePool ${pool.metadata!.name}: ${ids} of ${want} nodes`);
      else ev.saw(`KafkaNodePool ${pool.metadata!.name}: ${ids} nodes`);
    }
    const connect = await k.read({ kind: 'KafkaConnect', namespace: ns, name: ctx.outputs.kafkaConnectName });
    if (!connect) ev.problem(`KafkaConnect ${ns}/${ctx.outputs.kafkaConnectName} does not exist`);
    else {
      const r = crReady(connect);
      const plugins = ((connect.status as { connectorPlugins?: { class?: string }[] } | undefined)?.connectorPlugins ?? []).map((p) => p.class);
      if (!r.ready) ev.problem(r.message, r.failed);
      else if (!plugins.includes(DEBEZIUM_POSTGRES_CLASS)) ev.problem(`KafkaConnect ${ctx.outputs.kafkaConnectName} has no ${DEBEZIUM_POSTGRES_CLASS} plugin (image ${ctx.outputs.connectImage})`, true);
      else ev.saw(`${r.message}; plugin ${DEBEZIUM_POSTGRES_CLASS} loaded`);
    }
    for (const t of await k.list('KafkaTopic', { namespace: ns, labelSelector: `strimzi.io/cluster=${ctx.outputs.kafkaClusterName}` })) {
      const r = crReady(t);
      if (r.ready) ev.saw(r.message);
      else ev.problem(r.message, r.failed);
    }
    return ev.outcome(`kubectl -n ${ns} get kafka,kafkanodepool,kafkaconnect,kafkatopic; the Strimzi operator's log (namespace ${DATA_NAMES.strimziNamespace}) names the reason`);
  },
};

export const readyGates: G[] = [postgresReady, kafkaReady];
