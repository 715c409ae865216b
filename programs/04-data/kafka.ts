/**
 * Kafka for phase 4, through Strimzi 1.2 (KRaft only, API kafka.strimzi.io/v1), as plain manifests:
 * - the operator's chart values (watching only the data namespace, two replicas with leader
 *   election, the restricted Pod Security provider for every pod it creates, its PDB);
 * - a controller and a broker KafkaNodePool on the encrypted retaining gp3 class (claims kept on
 *   delete), with rack awareness across zones when the env spans more than one;
 * - the Kafka cluster: one TLS listener with mutual TLS, simple authorization, replication settings
 *   derived from the broker count (3/2 in a three-broker cluster), no topic auto-creation;
 * - the Connect user (mutual TLS) with ACLs limited to its storage topics, the CDC topics and the
 *   gate's consumer groups; KafkaTopics for the CDC topics (probe topic compacted);
 * - the KafkaConnect (image with the Debezium plugin, TLS to the brokers, the worker settings from
 *   cdc-config.ts, Strimzi's Kubernetes secret config provider) and the Debezium KafkaConnector.
 */
import { capturedTables, cdcNames, cdcTopic, connectWorkerConfig, debeziumConnector } from './cdc-config.js';
import { DATA_NAMES } from './names.js';
import type { Phase4Inputs } from './phase.js';
import { KAFKA_METADATA_VERSION, KAFKA_VERSION } from './versions.js';

type Manifest = Record<string, any>;
const N = DATA_NAMES;
const ns = N.namespace;
const clusterLabel = { 'strimzi.io/cluster': N.kafka };
const noSidecar = { 'sidecar.istio.io/inject': 'false' };
const ZONE = 'topology.kubernetes.io/zone';

/** Bootstrap address of the TLS listener. */
export const KAFKA_BOOTSTRAP_TLS = `${N.kafka}-kafka-bootstrap.${ns}.svc:9093`;
export const KAFKA_CLUSTER_CA_SECRET = `${N.kafka}-cluster-ca-cert`;

export function strimziValues(): Record<string, unknown> {
  return {
    replicas: 2,
    watchNamespaces: [ns],
    leaderElection: { enable: true },
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
    // Every pod the operator creates (brokers, Connect, entity operator) gets the restricted profile.
    extraEnvs: [{ name: 'STRIMZI_POD_SECURITY_PROVIDER_CLASS', value: 'restricted' }],
    podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    resources: { requests: { cpu: '200m', memory: '384Mi' }, limits: { memory: '384Mi' } },
    generateNetworkPolicy: true,
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { name: 'strimzi-cluster-operator' } } },
    ],
  };
}

/** Replication settings for `brokers` brokers: 3 copies and 2 in sync where there are 3 brokers. */
export function replication(brokers: number): { rf: number; minIsr: number } {
  const rf = Math.min(3, brokers);
  return { rf, minIsr: rf >= 3 ? 2 : 1 };
}

const multiZone = (inputs: Phase4Inputs) => inputs.availabilityZones > 1;

export function nodePools(inputs: Phase4Inputs): Manifest[] {
  const k = inputs.sizes.kafka;
  const mem = `${Math.round(k.memoryGiB * 1024)}Mi`;
  const pool = (name: string, role: 'controller' | 'broker', replicas: number, sizeGiB: number): Manifest => ({
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaNodePool',
    metadata: { name, namespace: ns, labels: { ...clusterLabel } },
    spec: {
      replicas,
      roles: [role],
      storage: {
        type: 'jbod',
        volumes: [{ id: 0, type: 'persistent-claim', size: `${sizeGiB}Gi`, class: inputs.storageClass, deleteClaim: false, kraftMetadata: 'shared' }],
      },
      resources: { requests: { cpu: role === 'broker' ? '500m' : '250m', memory: mem }, limits: { memory: mem } },
      template: {
        pod: {
          metadata: { labels: { ...noSidecar } },
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'strimzi.io/pool-name': name } } } },
              ],
            },
          },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'strimzi.io/pool-name': name } } }],
        },
      },
    },
  });
  return [pool('controller', 'controller', k.controllers, Math.min(20, k.storageGiB)), pool('broker', 'broker', k.brokers, k.storageGiB)];
}

export function kafkaManifest(inputs: Phase4Inputs): Manifest {
  const { rf, minIsr } = replication(inputs.sizes.kafka.brokers);
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'Kafka',
    metadata: { name: N.kafka, namespace: ns, annotations: { 'pulumi.com/waitFor': 'condition=Ready' } },
    spec: {
      kafka: {
        version: KAFKA_VERSION,
        metadataVersion: KAFKA_METADATA_VERSION,
        listeners: [{ name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'tls' } }],
        authorization: { type: 'simple' },
        ...(multiZone(inputs) ? { rack: { topologyKey: ZONE } } : {}),
        config: {
          'offsets.topic.replication.factor': rf,
          'transaction.state.log.replication.factor': rf,
          'transaction.state.log.min.isr': minIsr,
          'default.replication.factor': rf,
          'min.insync.replicas': minIsr,
          'auto.create.topics.enable': false,
          ...(multiZone(inputs) ? { 'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector' } : {}),
        },
        template: { pod: { metadata: { labels: { ...noSidecar } } } },
      },
      entityOperator: {
        topicOperator: {},
        userOperator: {},
        template: { pod: { metadata: { labels: { ...noSidecar } } } },
      },
    },
  };
}

/** The Connect user: mutual TLS, ACLs on exactly what Connect and the CDC gate touch. */
export function connectUser(inputs: Phase4Inputs): Manifest {
  const env = inputs.env;
  const acl = (type: string, name: string, patternType: 'literal' | 'prefix', operations: string[]) => ({ resource: { type, name, patternType }, operations, host: '*' });
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaUser',
    metadata: { name: N.connectUser, namespace: ns, labels: { ...clusterLabel } },
    spec: {
      authentication: { type: 'tls' },
      authorization: {
        type: 'simple',
        acls: [
          // Connect's own storage topics and group.
          acl('topic', `${env}-connect-`, 'prefix', ['Create', 'Describe', 'DescribeConfigs', 'Read', 'Write']),
          acl('group', `${env}-connect`, 'literal', ['Read', 'Describe']),
          // Debezium's change topics (<prefix>.<schema>.<table>) and heartbeats; reads for the gate's consumer.
          acl('topic', `${cdcNames(env).topicPrefix}.`, 'prefix', ['Create', 'Describe', 'DescribeConfigs', 'Read', 'Write']),
          acl('topic', `__debezium-heartbeat.${cdcNames(env).topicPrefix}`, 'literal', ['Create', 'Describe', 'Write']),
          acl('group', 'cdc-gate-', 'prefix', ['Read', 'Describe']),
        ],
      },
    },
  };
}

/** A KafkaTopic per captured table (the probe topic compacted: its rows are deleted at once). */
export function cdcTopics(inputs: Phase4Inputs): Manifest[] {
  const { rf, minIsr } = replication(inputs.sizes.kafka.brokers);
  return capturedTables(inputs.sizes.cdcTables).map((table) => {
    const name = cdcTopic(inputs.env, table);
    const probe = name === cdcNames(inputs.env).probeTopic;
    return {
      apiVersion: 'kafka.strimzi.io/v1',
      kind: 'KafkaTopic',
      // KafkaTopic names are DNS names; the Kafka topic name goes in spec.topicName.
      metadata: { name: name.replace(/[._]/g, '-'), namespace: ns, labels: { ...clusterLabel } },
      spec: {
        topicName: name,
        partitions: probe ? 1 : 3,
        replicas: rf,
        config: {
          'min.insync.replicas': minIsr,
          ...(probe ? { 'cleanup.policy': 'compact,delete', 'retention.ms': 86_400_000 } : { 'retention.ms': 604_800_000 }),
        },
      },
    };
  });
}

export function kafkaConnect(inputs: Phase4Inputs): Manifest {
  const worker = connectWorkerConfig(inputs.env);
  const { ['group.id']: groupId, ['config.storage.topic']: configTopic, ['offset.storage.topic']: offsetTopic, ['status.storage.topic']: statusTopic, ...config } = worker;
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaConnect',
    metadata: { name: N.connect, namespace: ns, annotations: { 'strimzi.io/use-connector-resources': 'true', 'pulumi.com/waitFor': 'condition=Ready' } },
    spec: {
      version: KAFKA_VERSION,
      replicas: inputs.sizes.connect.replicas,
      image: inputs.sizes.connect.image,
      bootstrapServers: `${N.kafka}-kafka-bootstrap:9093`,
      groupId,
      configStorageTopic: configTopic,
      offsetStorageTopic: offsetTopic,
      statusStorageTopic: statusTopic,
      tls: { trustedCertificates: [{ secretName: KAFKA_CLUSTER_CA_SECRET, pattern: '*.crt' }] },
      authentication: { type: 'tls', certificateAndKey: { secretName: N.connectUser, certificate: 'user.crt', key: 'user.key' } },
      config,
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } },
      ...(multiZone(inputs) ? { rack: { topologyKey: ZONE } } : {}),
      template: {
        pod: {
          metadata: { labels: { ...noSidecar } },
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'strimzi.io/cluster': N.connect } } } },
              ],
            },
          },
        },
      },
    },
  };
}

/** The Debezium connector as a KafkaConnector (credentials by reference through the secrets provider). */
export function kafkaConnector(inputs: Phase4Inputs): Manifest {
  const spec = debeziumConnector({
    env: inputs.env,
    database: { host: `${N.postgres}.${ns}.svc`, port: 5432, dbName: N.dbName },
    credentials: { namespace: ns, name: N.cdcSecret },
    tables: inputs.sizes.cdcTables,
  });
  return {
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaConnector',
    metadata: { name: spec.name, namespace: ns, labels: { 'strimzi.io/cluster': N.connect } },
    spec: { class: spec.class, tasksMax: spec.tasksMax, state: 'running', autoRestart: { enabled: true }, config: spec.config },
  };
}

/** Lets the Connect pods read the Debezium credentials through KubernetesSecretConfigProvider. */
export function connectSecretRbac(): Manifest[] {
  const name = `${N.connect}-connect-read-cdc-secret`;
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: ns },
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [N.cdcSecret], verbs: ['get'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      // Strimzi names the Connect service account <name>-connect.
      subjects: [{ kind: 'ServiceAccount', name: `${N.connect}-connect`, namespace: ns }],
    },
  ];
}
