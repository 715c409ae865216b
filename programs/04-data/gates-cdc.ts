/**
 * Phase 4's CDC gates (reference/phases.md, phase 4 "Gate" 2 and 3), over the CdcTransport port:
 *
 * - `connector-running`: the Debezium connector is RUNNING with every task RUNNING (a connector can
 *   be RUNNING while its only task FAILED: counterparts-lab 1.8), the database runs wal_level=logical,
 *   and the publication the connector names exists and covers the probe table. A STOPPED or PAUSED
 *   connector and a missing publication are terminal (waiting cannot fix them); a FAILED task is
 *   retried until the timeout (Strimzi's auto-restart may recover it).
 * - `cdc-end-to-end`: inserts a row carrying a run-unique marker into the probe table, reads the
 *   probe topic until the Debezium `op: c` event with that marker arrives (within the deadline),
 *   deletes the row whatever happened, and reports the lag: the record's broker timestamp minus the
 *   insert's clock_timestamp() (both server clocks).
 *
 * The transport is `probes.cdc` when the caller hands one in (the local CDC test and benchmark), else
 * the cluster transport built from phase 2's kubeconfig.
 */
import { randomUUID } from 'node:crypto';
import type { Gate, GateContext } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { CDC_PROBE_TABLE, cdcNames } from './cdc-config.js';
import { sqlLiteral, type CdcTransport, type TopicRecord } from './cdc-transport.js';
import type { Phase4Outputs } from './phase.js';

/** Probes of phase 4: the shared ones, plus an optional CDC transport (local tests hand one in). */
export type DataProbes = Partial<Probes> & { cdc?: CdcTransport };
type G = Gate<Phase4Outputs, DataProbes>;
type Ctx = GateContext<Phase4Outputs, DataProbes>;

const transports = new WeakMap<object, CdcTransport>();

/** The transport of this gate run: the one handed in, or the cluster one (built once per probes object). */
export async function transportOf(ctx: Ctx): Promise<CdcTransport> {
  if (ctx.probes.cdc) return ctx.probes.cdc;
  let t = transports.get(ctx.probes);
  if (!t) {
    const { clusterCdcTransport } = await import('./cdc-transport-k8s.js');
    if (!ctx.probes.k8s) throw new Error('phase 4 gates need the Kubernetes probe or a CDC transport');
    t = clusterCdcTransport(ctx.probes.k8s, ctx.outputs);
    transports.set(ctx.probes, t);
  }
  return t;
}

const firstLine = (s: string | undefined): string => (s ?? '').split('\n')[0]!.trim();

export const connectorRunning: G = {
  name: 'connector-running',
  description: 'The Debezium connector and all its tasks RUNNING; wal_level=logical; its publication exists and covers the probe table',
  live: true,
  after: ['postgres-ready', 'kafka-ready'],
  timeoutMs: 10 * 60_000,
  intervalMs: 10_000,
  async check(ctx) {
    const t = await transportOf(ctx);
    const ev = new Evidence();
    const name = ctx.outputs.debeziumConnectorNames[0]!;
    const db = ctx.outputs.postgres.dbName;
    const { status, config } = await t.connector(name);
    if (!status) {
      ev.problem(`connector ${name} does not exist (${t.where})`);
    } else {
      const tasks = status.tasks.map((k) => `${k.id}=${k.state}`).join(', ') || 'none';
      ev.saw(`connector ${name} (${t.where}): ${status.connector.state}, tasks: ${tasks}`);
      const state = status.connector.state;
      if (state !== 'RUNNING') {
        const why = state === 'FAILED' && status.connector.trace ? `: ${firstLine(status.connector.trace)}` : '';
        ev.problem(`connector ${name} is ${state}, not RUNNING${why}`, state === 'STOPPED' || state === 'PAUSED');
      } else if (status.tasks.length === 0) {
        ev.problem(`connector ${name} is RUNNING but has no task`);
      }
      for (const k of status.tasks.filter((k) => k.state !== 'RUNNING')) {
        ev.problem(`connector ${name} task ${k.id} is ${k.state}${k.trace ? `: ${firstLine(k.trace)}` : ''}`);
      }
    }
    const wal = (await t.sql(db, 'SHOW wal_level'))[0];
    if (wal !== 'logical') ev.problem(`database ${db} runs wal_level=${wal}, Debezium needs logical`, true);
    else ev.saw(`database ${db}: wal_level=logical`);
    const pub = config?.['publication.name'];
    if (config && !pub) ev.problem(`connector ${name} names no publication.name`, true);
    if (pub) {
      const exists = await t.sql(db, `SELECT count(*) FROM pg_publication WHERE pubname = ${sqlLiteral(pub)}`);
      if (exists[0] !== '1') {
        ev.problem(`publication '${pub}' (publication.name of connector ${name}) does not exist in database ${db}`, true);
      } else {
        const [schema, table] = CDC_PROBE_TABLE.split('.');
        const covered = await t.sql(db, `SELECT count(*) FROM pg_publication_tables WHERE pubname = ${sqlLiteral(pub)} AND schemaname = ${sqlLiteral(schema!)} AND tablename = ${sqlLiteral(table!)}`);
        if (covered[0] !== '1') ev.problem(`publication '${pub}' does not include ${CDC_PROBE_TABLE}, so the end-to-end probe cannot stream`, true);
        else ev.saw(`publication '${pub}' exists and includes ${CDC_PROBE_TABLE}`);
      }
      const slotName = config['slot.name'];
      if (slotName) {
        const slot = await t.sql(db, `SELECT active FROM pg_replication_slots WHERE slot_name = ${sqlLiteral(slotName)}`);
        ev.saw(slot.length === 0 ? `replication slot '${slotName}' not created yet` : `replication slot '${slotName}' active=${slot[0]}`);
      }
    }
    return ev.outcome(
      ev.ok ? '' : `resume a STOPPED/PAUSED connector (KafkaConnector spec.state: running); a missing publication is created by the phase-4 init SQL (CREATE PUBLICATION ... FOR TABLE ${CDC_PROBE_TABLE}) and must match the connector's publication.name; then restart the connector`,
    );
  },
};

/** Parses a Debezium JSON change event (schemas disabled); undefined when it is not one. */
function changeEvent(value: string | null): { op?: string; after?: Record<string, unknown> } | undefined {
  if (value === null) return undefined;
  try {
    const v = JSON.parse(value) as { op?: string; after?: Record<string, unknown>; payload?: { op?: string; after?: Record<string, unknown> } };
    return v.payload ?? v;
  } catch {
    return undefined;
  }
}

export const cdcEndToEnd: G = {
  name: 'cdc-end-to-end',
  description: 'A row inserted into the probe table arrives on its CDC topic as a Debezium create event; the row is deleted; the lag is reported',
  live: true,
  timeoutMs: 5 * 60_000,
  intervalMs: 15_000,
  after: ['connector-running'],
  async check(ctx) {
    const t = await transportOf(ctx);
    const ev = new Evidence();
    const db = ctx.outputs.postgres.dbName;
    const topic = cdcNames(ctx.env.name).probeTopic;
    const marker = `gate-${randomUUID()}`;
    const rows = await t.sql(db, `INSERT INTO ${CDC_PROBE_TABLE} (marker) VALUES (${sqlLiteral(marker)}) RETURNING id, (extract(epoch from clock_timestamp()) * 1000)::bigint`);
    const [id, insertedAt] = (rows[0] ?? '').split('|');
    if (!id || !insertedAt) return ev.problem(`the insert into ${CDC_PROBE_TABLE} returned '${rows.join(' ')}'`).outcome('check the probe table exists (phase-4 init SQL)');
    ev.saw(`inserted ${CDC_PROBE_TABLE} id=${id} marker=${marker}`);
    const budget = Math.max(5_000, Math.min(60_000, (ctx.deadline ?? Date.now() + 60_000) - (ctx.clock?.now() ?? Date.now())));
    let found: { matched?: TopicRecord; read: number };
    try {
      found = await t.readTopic(topic, (r) => {
        const e = changeEvent(r.value);
        return e?.op === 'c' && e.after?.marker === marker;
      }, budget);
    } finally {
      await t.sql(db, `DELETE FROM ${CDC_PROBE_TABLE} WHERE id = ${Number(id)}`);
      ev.saw(`deleted ${CDC_PROBE_TABLE} id=${id}`);
    }
    if (!found.matched) {
      return ev
        .problem(`no create event for marker ${marker} on topic ${topic} within ${Math.round(budget / 1000)} s (${found.read} records read)`)
        .outcome('look at the connector task (KafkaConnector status, Connect logs) and the replication slot (pg_replication_slots)');
    }
    const lag = found.matched.timestamp - Number(insertedAt);
    ev.saw(`create event for the marker on ${topic} after ${lag} ms (record timestamp minus insert time; ${found.read} records read)`);
    return ev.outcome('');
  },
};

/** The CDC gates, in report order. */
export const cdcGates: G[] = [connectorRunning, cdcEndToEnd];
