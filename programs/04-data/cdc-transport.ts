/**
 * How the CDC gates reach PostgreSQL, Kafka Connect and a Kafka topic: a small port with two
 * implementations. In the cluster (cdc-transport-k8s.ts) SQL runs as `psql` inside the database pod,
 * the connector's state is the KafkaConnector's status (Strimzi copies the Connect REST status into
 * it) and a topic is read by Kafka's own console consumer inside the Connect pod. Locally
 * (test/cdc/local-transport.ts) the same commands run as child processes and the status comes from
 * the Connect REST API. The commands and the parsing of their output are built here, once.
 */

/** The Connect REST status of one connector (`GET /connectors/<name>/status`), as Strimzi mirrors it. */
export interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

/** One record of a topic: the broker timestamp (CreateTime, epoch ms) and the value (null: tombstone). */
export interface TopicRecord {
  timestamp: number;
  value: string | null;
}

export interface CdcTransport {
  /** What is being looked at (evidence), never a credential. */
  readonly where: string;
  /** Runs one SQL statement as the database owner on `db`; returns the unaligned output rows. */
  sql(db: string, statement: string): Promise<string[]>;
  /** The connector's status and (unresolved, so secret-free) config; undefined fields when it does not exist. */
  connector(name: string): Promise<{ status?: ConnectorStatus; config?: Record<string, string> }>;
  /**
   * Reads `topic` from its beginning until `until` accepts a record (returned as `matched`) or
   * `timeoutMs` passes; `read` counts the records seen.
   */
  readTopic(topic: string, until: (r: TopicRecord) => boolean, timeoutMs: number): Promise<{ matched?: TopicRecord; read: number }>;
}

/** psql arguments (after the connection options) that run `statement` and print bare rows. */
export function psqlArgs(db: string, statement: string): string[] {
  return ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-A', '-t', '-d', db, '-c', statement];
}

/** Rows of psql -At output. */
export function psqlRows(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.length > 0);
}

/**
 * Arguments of Kafka's console consumer (class org.apache.kafka.tools.consumer.ConsoleConsumer,
 * `kafka-console-consumer.sh`): from the beginning, with a throw-away group under the `cdc-gate-`
 * prefix (the ACL the gate's user holds), one record per line as `CreateTime:<ms>\t<value>`.
 */
export function consoleConsumerArgs(opts: { bootstrap: string; topic: string; group: string; idleTimeoutMs: number; consumerConfig?: string }): string[] {
  return [
    '--bootstrap-server', opts.bootstrap,
    '--topic', opts.topic,
    '--group', opts.group,
    '--from-beginning',
    '--timeout-ms', String(opts.idleTimeoutMs),
    '--formatter-property', 'print.timestamp=true',
    '--formatter-property', 'print.key=false',
    ...(opts.consumerConfig ? ['--consumer.config', opts.consumerConfig] : []),
  ];
}

/** Parses one console-consumer line; undefined for anything else (log lines, blanks). */
export function parseConsumerLine(line: string): TopicRecord | undefined {
  const m = /^(?:CreateTime|LogAppendTime):(\d+)\t(.*)$/.exec(line);
  if (!m) return undefined;
  return { timestamp: Number(m[1]), value: m[2] === 'null' ? null : m[2]! };
}

/** Quotes a SQL string literal. */
export function sqlLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
