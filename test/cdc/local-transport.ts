/**
 * The CDC transport on this machine: the same psql and console-consumer commands the cluster
 * transport runs in pods (programs/04-data/cdc-transport.ts builds them), run as child processes,
 * and the connector state from the Connect REST API that Strimzi mirrors into the KafkaConnector.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { consoleConsumerArgs, parseConsumerLine, psqlArgs, psqlRows, type CdcTransport, type ConnectorStatus, type TopicRecord } from '../../programs/04-data/cdc-transport.js';

export interface LocalTransportOptions {
  java: string;
  classpath: string;
  log4j: string;
  bootstrap: string;
  connectUrl: string;
  /** Unix socket folder and port of the database (the owner connects over the socket, trusted). */
  psql: { host: string; port: number };
}

export function localCdcTransport(o: LocalTransportOptions): CdcTransport {
  const getJson = async (path: string): Promise<unknown> => {
    const r = await fetch(`${o.connectUrl}${path}`);
    if (r.status === 404) {
      await r.arrayBuffer();
      return undefined;
    }
    if (!r.ok) throw new Error(`Connect GET ${path} -> HTTP ${r.status}: ${await r.text()}`);
    return r.json();
  };
  return {
    where: `Connect REST ${o.connectUrl}`,
    async sql(db, statement) {
      const r = spawnSync('psql', ['-h', o.psql.host, '-p', String(o.psql.port), '-U', 'postgres', ...psqlArgs(db, statement)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`psql exited ${r.status}: ${r.stderr.trim().split('\n')[0]}`);
      return psqlRows(r.stdout);
    },
    async connector(name) {
      const status = (await getJson(`/connectors/${encodeURIComponent(name)}/status`)) as ConnectorStatus | undefined;
      const config = (await getJson(`/connectors/${encodeURIComponent(name)}/config`)) as Record<string, string> | undefined;
      return { ...(status ? { status } : {}), ...(config ? { config } : {}) };
    },
    async readTopic(topic, until, timeoutMs) {
      const args = consoleConsumerArgs({ bootstrap: o.bootstrap, topic, group: `cdc-gate-${randomUUID()}`, idleTimeoutMs: timeoutMs });
      const child = spawn(o.java, [`-Dlog4j2.configurationFile=${o.log4j}`, '-Dlog4j2.level=WARN', '-cp', o.classpath, 'org.apache.kafka.tools.consumer.ConsoleConsumer', ...args], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const exited = once(child, 'exit');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 15_000);
      let read = 0;
      let matched: TopicRecord | undefined;
      try {
        for await (const line of createInterface({ input: child.stdout! })) {
          const rec = parseConsumerLine(line);
          if (!rec) continue;
          read++;
          if (until(rec)) {
            matched = rec;
            break;
          }
        }
      } finally {
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      }
      return { ...(matched ? { matched } : {}), read };
    },
  };
}
