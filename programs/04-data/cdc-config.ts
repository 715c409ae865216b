/**
 * The CDC configuration of phase 4, as pure data: the PostgreSQL server settings for logical
 * decoding, the SQL that creates the replication role, the probe table and the publication, the
 * Kafka Connect worker settings, and the Debezium connector. The program renders these into the
 * StatefulSet, the init ConfigMap, the KafkaConnect and the KafkaConnector; the CDC test and the CDC
 * benchmark (test/cdc/, bench/cdc.ts) configure a real local PostgreSQL, Kafka and Connect worker
 * from the SAME functions, so what is proven locally is what the cluster runs.
 *
 * Rules:
 * - The publication is created by the init SQL (as the database owner) and the connector never
 *   creates one (`publication.autocreate.mode: disabled`): the replication role needs no table
 *   ownership, and a missing publication is a visible error, not a silent re-creation.
 * - Credentials are never values here: the connector reads them through the worker's `secrets`
 *   config provider (`${secrets:<namespace>/<secret>:<key>}`), which Strimzi's
 *   KubernetesSecretConfigProvider resolves in the cluster; SQL takes the password as a psql variable.
 */

/** The probe table the end-to-end gate writes to (schema public). */
export const CDC_PROBE_TABLE = 'public.cdc_probe';
/** The database role Debezium connects as (LOGIN REPLICATION, SELECT on the captured tables). */
export const CDC_ROLE = 'debezium';
/** The connector's name (KafkaConnector metadata.name and Connect REST name). */
export const CDC_CONNECTOR_NAME = 'postgres-cdc';
export const DEBEZIUM_POSTGRES_CLASS = 'io.debezium.connector.postgresql.PostgresConnector';

/** Names derived from the env (slot and publication names allow [a-z0-9_] only). */
export interface CdcNames {
  publication: string;
  slot: string;
  /** Debezium `topic.prefix`; topics are `<prefix>.<schema>.<table>`. */
  topicPrefix: string;
  probeTopic: string;
  connector: string;
}

export function cdcNames(env: string): CdcNames {
  const id = env.replace(/[^a-z0-9]/g, '_');
  return {
    publication: `dbz_${id}`,
    slot: `debezium_${id}`,
    topicPrefix: env,
    probeTopic: `${env}.${CDC_PROBE_TABLE}`,
    connector: CDC_CONNECTOR_NAME,
  };
}

/** The topic Debezium writes a table's changes to. */
export function cdcTopic(env: string, table: string): string {
  return `${cdcNames(env).topicPrefix}.${table}`;
}

/** Tables captured: the probe table first, then the env's tables (schema-qualified, deduplicated). */
export function capturedTables(tables: readonly string[]): string[] {
  return [...new Set([CDC_PROBE_TABLE, ...tables])];
}

/**
 * PostgreSQL server settings for CDC (passed as `-c key=value` to the server in the pod, appended to
 * postgresql.conf locally). Slots and senders leave room for the replica and a second connector.
 */
export function postgresSettings(): Record<string, string> {
  return {
    wal_level: 'logical',
    max_wal_senders: '10',
    max_replication_slots: '10',
    // A slot whose consumer is gone must not fill the volume: cap the WAL it may retain.
    max_slot_wal_keep_size: '4GB',
    wal_keep_size: '512MB',
    hot_standby: 'on',
    password_encryption: 'scram-sha-256',
  };
}

/** `-c key=value` arguments for the postgres server (the container's args). */
export function postgresArgs(): string[] {
  return Object.entries(postgresSettings()).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

const IDENT = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/**
 * The SQL run once as the database owner on the application database, with psql variable
 * `cdc_password` (`psql -v cdc_password=...`), never a literal password. Creates the replication
 * role, the probe table, the grants and the publication over every captured table that exists
 * (application tables created later are added with ALTER PUBLICATION ... ADD TABLE by their migrations).
 */
export function cdcInitSql(opts: { env: string; dbName: string; tables: readonly string[] }): string {
  const names = cdcNames(opts.env);
  const tables = capturedTables(opts.tables);
  for (const t of [...tables, opts.dbName, names.publication]) {
    if (!IDENT.test(t)) throw new Error(`'${t}' is not a plain lower-case SQL identifier`);
  }
  const others = tables.filter((t) => t !== CDC_PROBE_TABLE);
  return [
    `CREATE ROLE ${CDC_ROLE} WITH LOGIN REPLICATION PASSWORD :'cdc_password';`,
    `CREATE TABLE IF NOT EXISTS ${CDC_PROBE_TABLE} (id bigserial PRIMARY KEY, marker text NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp());`,
    `GRANT CONNECT ON DATABASE ${opts.dbName} TO ${CDC_ROLE};`,
    `GRANT USAGE ON SCHEMA public TO ${CDC_ROLE};`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${CDC_ROLE};`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${CDC_ROLE};`,
    `CREATE PUBLICATION ${names.publication} FOR TABLE ${CDC_PROBE_TABLE};`,
    ...others.map(
      (t) => `DO $$ BEGIN IF to_regclass('${t}') IS NOT NULL THEN EXECUTE 'ALTER PUBLICATION ${names.publication} ADD TABLE ${t}'; END IF; END $$;`,
    ),
    '',
  ].join('\n');
}

/**
 * Kafka Connect worker settings the program sets on the KafkaConnect (`spec.config`); the local
 * worker uses them too and adds only what Strimzi owns in the cluster (bootstrap, listeners, plugin
 * path) and the local stand-in for the secrets provider class.
 */
export function connectWorkerConfig(env: string): Record<string, string | number | boolean> {
  return {
    'group.id': `${env}-connect`,
    'offset.storage.topic': `${env}-connect-offsets`,
    'config.storage.topic': `${env}-connect-configs`,
    'status.storage.topic': `${env}-connect-status`,
    // -1: the broker's default.replication.factor (3 in a 3-broker cluster, 1 locally).
    'config.storage.replication.factor': -1,
    'offset.storage.replication.factor': -1,
    'status.storage.replication.factor': -1,
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': false,
    'value.converter.schemas.enable': false,
    'offset.flush.interval.ms': 1000,
    // Debezium 3.6 ships ServiceLoader manifests: no reflective scan (worker ready in ~3 s, half the memory).
    'plugin.discovery': 'service_load',
    'config.providers': 'secrets',
    'config.providers.secrets.class': 'io.strimzi.kafka.KubernetesSecretConfigProvider',
  };
}

/** Where the connector's credentials live: a Secret with keys `username` and `password`. */
export interface SecretRef {
  namespace: string;
  name: string;
}

/** The Debezium connector: name, class, tasks and config (KafkaConnector spec / Connect REST body). */
export interface ConnectorSpec {
  name: string;
  class: string;
  tasksMax: number;
  config: Record<string, string>;
}

/**
 * The Debezium PostgreSQL connector. `poll.interval.ms` 100 (default 500): measured on this
 * machine, 500 gives a p50 of 300-800 ms from insert to topic, 50 gives ~60 ms (counterparts-lab 1.6).
 */
export function debeziumConnector(opts: {
  env: string;
  database: { host: string; port: number; dbName: string };
  credentials: SecretRef;
  tables: readonly string[];
}): ConnectorSpec {
  const names = cdcNames(opts.env);
  const secret = (key: string) => `\${secrets:${opts.credentials.namespace}/${opts.credentials.name}:${key}}`;
  return {
    name: names.connector,
    class: DEBEZIUM_POSTGRES_CLASS,
    tasksMax: 1,
    config: {
      'plugin.name': 'pgoutput',
      'database.hostname': opts.database.host,
      'database.port': String(opts.database.port),
      'database.user': secret('username'),
      'database.password': secret('password'),
      'database.dbname': opts.database.dbName,
      'topic.prefix': names.topicPrefix,
      'table.include.list': capturedTables(opts.tables).join(','),
      'publication.name': names.publication,
      'publication.autocreate.mode': 'disabled',
      'slot.name': names.slot,
      'snapshot.mode': 'initial',
      'poll.interval.ms': '100',
      // Keeps the slot's confirmed position moving while captured tables are idle (WAL is not retained).
      'heartbeat.interval.ms': '10000',
      'tombstones.on.delete': 'true',
      'decimal.handling.mode': 'string',
      'topic.creation.default.replication.factor': '-1',
      'topic.creation.default.partitions': '1',
    },
  };
}

/** The Connect REST body (`POST /connectors`) of a connector spec. */
export function connectRestBody(spec: ConnectorSpec): { name: string; config: Record<string, string> } {
  return { name: spec.name, config: { 'connector.class': spec.class, 'tasks.max': String(spec.tasksMax), ...spec.config } };
}
