/**
 * The CDC transport in the cluster: SQL through `psql` in the database pod (the owner over the local
 * socket, as the official image's entrypoint does), the connector's state from the KafkaConnector
 * status that Strimzi keeps in step with the Connect REST API, and a topic read by Kafka's console
 * consumer inside a Connect pod with the worker's own TLS client settings
 * (`/tmp/strimzi-connect.properties`, written by Strimzi's config generator).
 */
import { randomUUID } from 'node:crypto';
import type { KubeProbe } from '../../src/gates/probes/k8s.js';
import { consoleConsumerArgs, parseConsumerLine, psqlArgs, psqlRows, type CdcTransport, type ConnectorStatus } from './cdc-transport.js';
import type { Phase4Outputs } from './phase.js';

/** The Connect worker properties Strimzi writes in every Connect pod (TLS truststore, client keystore). */
export const CONNECT_WORKER_PROPERTIES = '/tmp/strimzi-connect.properties';

export function clusterCdcTransport(k: KubeProbe, out: Phase4Outputs): CdcTransport {
  const ns = out.dataNamespace;
  const primary = `${out.postgres.serviceName}-0`;
  return {
    where: `KafkaConnector ${ns}/${out.debeziumConnectorNames[0]}`,
    async sql(db, statement) {
      const r = await k.exec({ namespace: ns, pod: primary, container: 'postgres' }, ['psql', '-U', 'postgres', ...psqlArgs(db, statement)], 30_000);
      if (r.code !== 0) throw new Error(`psql in ${ns}/${primary} exited ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
      return psqlRows(r.stdout);
    },
    async connector(name) {
      const kc = await k.read({ kind: 'KafkaConnector', namespace: ns, name });
      if (!kc) return {};
      const status = (kc.status as { connectorStatus?: ConnectorStatus } | undefined)?.connectorStatus;
      const spec = kc.spec as { config?: Record<string, unknown> } | undefined;
      const config = Object.fromEntries(Object.entries(spec?.config ?? {}).map(([key, v]) => [key, String(v)]));
      return { ...(status ? { status } : {}), config };
    },
    async readTopic(topic, until, timeoutMs) {
      const pods = await k.list('Pod', { namespace: ns, labelSelector: `strimzi.io/cluster=${out.kafkaConnectName},strimzi.io/kind=KafkaConnect` });
      const pod = pods.find((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running');
      if (!pod) throw new Error(`no running Kafka Connect pod of ${out.kafkaConnectName} in ${ns}`);
      const args = consoleConsumerArgs({
        bootstrap: out.kafkaBootstrapServers.tls,
        topic,
        group: `cdc-gate-${randomUUID()}`,
        idleTimeoutMs: Math.min(timeoutMs, 20_000),
        consumerConfig: CONNECT_WORKER_PROPERTIES,
      });
      const r = await k.exec({ namespace: ns, pod: pod.metadata!.name!, container: `${out.kafkaConnectName}-connect` }, ['/opt/kafka/bin/kafka-console-consumer.sh', ...args], timeoutMs + 30_000);
      let read = 0;
      for (const line of r.stdout.split('\n')) {
        const rec = parseConsumerLine(line);
        if (!rec) continue;
        read++;
        if (until(rec)) return { matched: rec, read };
      }
      return { read };
    },
  };
}
