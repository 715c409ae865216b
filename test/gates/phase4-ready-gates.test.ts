/**
 * Phase 4's readiness gates over an in-memory Kubernetes probe with the objects Strimzi and the
 * StatefulSet controller report (status shapes of Strimzi 1.2 and apps/v1), and a CDC transport
 * whose SQL answers like psql: they pass on a ready data layer and name what is not ready.
 */
import { strict as assert } from 'node:assert';
import type { KubeProbe, Kind } from '../../src/gates/probes/k8s.js';
import type { KubeObject } from '../../src/gates/k8s/readiness.js';
import type { CdcTransport } from '../../programs/04-data/cdc-transport.js';
import { kafkaReady, postgresReady } from '../../programs/04-data/gates-ready.js';
import type { Phase4Outputs } from '../../programs/04-data/phase.js';
import { devEnv } from '../helpers/env-fixtures.js';

const outputs: Phase4Outputs = {
  postgres: { host: 'postgres.data.svc', port: 5432, dbName: 'app', secretName: 'postgres-admin', serviceName: 'postgres' },
  kafkaClusterName: 'kafka',
  kafkaBootstrapServers: { tls: 'kafka-kafka-bootstrap.data.svc:9093' },
  kafkaClusterCaSecret: 'kafka-cluster-ca-cert',
  kafkaUsers: { connect: 'cdc-connect' },
  kafkaConnectName: 'cdc',
  connectImage: 'example/connect:1',
  debeziumConnectorNames: ['postgres-cdc'],
  cdcTopics: ['dev.public.cdc_probe'],
  dataNamespace: 'data',
};

const ready = { conditions: [{ type: 'Ready', status: 'True' }], observedGeneration: 1 };
function world(patch: (o: Record<string, KubeObject[]>) => void = () => {}): Record<string, KubeObject[]> {
  const objs: Record<string, KubeObject[]> = {
    StatefulSet: [{ kind: 'StatefulSet', metadata: { name: 'postgres', namespace: 'data', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'r1', updateRevision: 'r1' } }],
    PersistentVolumeClaim: [{ kind: 'PersistentVolumeClaim', metadata: { name: 'data-postgres-0' }, spec: { storageClassName: 'gp3-encrypted-retain' }, status: { phase: 'Bound' } }],
    Kafka: [{ kind: 'Kafka', metadata: { name: 'kafka', generation: 1 }, status: { ...ready, kafkaVersion: '4.3.1', clusterId: 'abc' } }],
    KafkaNodePool: [
      { kind: 'KafkaNodePool', metadata: { name: 'controller' }, spec: { replicas: 3 }, status: { nodeIds: [0, 1, 2] } },
      { kind: 'KafkaNodePool', metadata: { name: 'broker' }, spec: { replicas: 3 }, status: { nodeIds: [3, 4, 5] } },
    ],
    KafkaConnect: [{ kind: 'KafkaConnect', metadata: { name: 'cdc', generation: 1 }, status: { ...ready, connectorPlugins: [{ class: 'io.debezium.connector.postgresql.PostgresConnector', type: 'source' }] } }],
    KafkaTopic: [{ kind: 'KafkaTopic', metadata: { name: 'dev-public-cdc-probe', generation: 1 }, status: ready }],
  };
  patch(objs);
  return objs;
}

function probe(objs: Record<string, KubeObject[]>): KubeProbe {
  return {
    server: 'https://test',
    read: async (r) => (objs[r.kind] ?? []).find((o) => o.metadata?.name === r.name),
    list: async (kind: Kind) => objs[kind] ?? [],
    create: async () => { throw new Error('not used'); },
    delete: async () => {},
    evict: async () => { throw new Error('not used'); },
    exec: async () => { throw new Error('not used'); },
    proxyGet: async () => { throw new Error('not used'); },
    proxyPost: async () => { throw new Error('not used'); },
  };
}

const sql = (answer: string): CdcTransport => ({ where: 'test', sql: async () => [answer], connector: async () => ({}), readTopic: async () => ({ read: 0 }) });
const ctx = (objs: Record<string, KubeObject[]>, answer = '1') => ({ env: devEnv, outputs, probes: { k8s: probe(objs), cdc: sql(answer) }, signal: new AbortController().signal });

describe('phase 4 readiness gates', () => {
  it('postgres-ready passes on a rolled-out StatefulSet with a Bound PVC that answers SELECT 1', async () => {
    const r = await postgresReady.check(ctx(world()));
    assert.equal(r.status, 'pass', r.evidence.join('\n'));
    assert.ok(r.evidence.some((e) => /accepts a connection and answers SELECT 1/.test(e)));
  });

  it('postgres-ready names a Pending PVC and does not query a database that is not up', async () => {
    let queried = false;
    const c = ctx(world((o) => (o.PersistentVolumeClaim![0]!.status = { phase: 'Pending' })));
    c.probes.cdc.sql = async () => ((queried = true), ['1']);
    const r = await postgresReady.check(c);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence[0]!, /PVC data-postgres-0 is Pending/);
    assert.equal(queried, false);
  });

  it('kafka-ready passes with every pool at its replicas and the Debezium plugin loaded', async () => {
    const r = await kafkaReady.check(ctx(world()));
    assert.equal(r.status, 'pass', r.evidence.join('\n'));
    assert.ok(r.evidence.some((e) => /Kafka 4\.3\.1, cluster id abc/.test(e)));
  });

  it('kafka-ready names a short node pool and a Connect image without the plugin (terminal)', async () => {
    const r = await kafkaReady.check(ctx(world((o) => {
      o.KafkaNodePool![1]!.status = { nodeIds: [3] };
      o.KafkaConnect![0]!.status = { ...ready, connectorPlugins: [{ class: 'org.apache.kafka.connect.mirror.MirrorSourceConnector' }] };
    })));
    assert.equal(r.status, 'fail');
    const ev = r.evidence.join('\n');
    assert.match(ev, /KafkaNodePool broker: 1 of 3 nodes/);
    assert.match(ev, /KafkaConnect cdc has no io\.debezium\.connector\.postgresql\.PostgresConnector plugin \(image example\/connect:1\)/);
    assert.equal(r.terminal, true);
  });
});
