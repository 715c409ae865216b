/**
 * CDC benchmark: the local pipeline (test/cdc/pipeline.ts: PostgreSQL, KRaft Kafka, Connect with the
 * Debezium connector exactly as the phase-4 program configures it, poll.interval.ms included).
 *
 * - lag: LAG_ROWS single-row transactions, LAG_GAP_MS apart; per row, the Kafka record's timestamp
 *   (set when Connect produced it) minus the row's clock_timestamp() at insert. Reported p50/p99/max.
 * - throughput: TP_BATCHES transactions of TP_ROWS rows each, inserted back to back; rows per second
 *   from the first insert to the last record's timestamp (database to broker, end to end).
 * Both clocks are this machine's. Prints one JSON line last. Without the CDC software installed it
 * says so plainly and measures nothing (exit 0; `npm run bench` reports it as not run).
 *
 * Run: `npx tsx bench/cdc.ts` (bench/run.mjs runs it when scripts/install-cdc.sh has run).
 */
import { cdcInstalled, startCdcPipeline } from '../test/cdc/pipeline.js';
import { cdcNames } from '../programs/04-data/cdc-config.js';

const LAG_ROWS = Number(process.env.CDC_BENCH_LAG_ROWS ?? 100);
const LAG_GAP_MS = Number(process.env.CDC_BENCH_LAG_GAP_MS ?? 50);
const TP_BATCHES = Number(process.env.CDC_BENCH_TP_BATCHES ?? 10);
const TP_ROWS = Number(process.env.CDC_BENCH_TP_ROWS ?? 5000);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<void> {
  if (!cdcInstalled()) {
    console.log('cdc: NOT RUN: the CDC software is not installed (run scripts/install-cdc.sh: Kafka and Debezium from Maven Central)');
    console.log(JSON.stringify({ name: 'cdc', ran: false, reason: 'scripts/install-cdc.sh has not run' }));
    return;
  }
  const env = 'local';
  const topic = cdcNames(env).probeTopic;
  const p = await startCdcPipeline({ env });
  try {
    const db = 'app';
    const sql = p.transport.sql.bind(p.transport);
    // 1. lag, one row per transaction
    const inserted = new Map<string, number>();
    for (let i = 0; i < LAG_ROWS; i++) {
      const marker = `bench-lag-${i}`;
      const [row] = await sql(db, `INSERT INTO public.cdc_probe (marker) VALUES ('${marker}') RETURNING (extract(epoch from clock_timestamp()) * 1000)::bigint`);
      inserted.set(marker, Number(row));
      await new Promise((r) => setTimeout(r, LAG_GAP_MS));
    }
    const lags: number[] = [];
    await p.transport.readTopic(topic, (r) => {
      const v = r.value ? (JSON.parse(r.value) as { op?: string; after?: { marker?: string } }) : undefined;
      const m = v?.op === 'c' ? v.after?.marker : undefined;
      if (m && inserted.has(m)) {
        lags.push(r.timestamp - inserted.get(m)!);
        inserted.delete(m);
      }
      return inserted.size === 0;
    }, 120_000);
    if (inserted.size > 0) throw new Error(`${inserted.size} of ${LAG_ROWS} lag rows never reached ${topic}`);
    lags.sort((a, b) => a - b);

    // 2. throughput, batches back to back
    const [start] = await sql(db, 'SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint');
    for (let b = 0; b < TP_BATCHES; b++) {
      await sql(db, `INSERT INTO public.cdc_probe (marker) SELECT 'bench-tp-${b}-' || g FROM generate_series(1, ${TP_ROWS}) g`);
    }
    const [insertsDone] = await sql(db, 'SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint');
    const total = TP_BATCHES * TP_ROWS;
    let seen = 0;
    let last = 0;
    await p.transport.readTopic(topic, (r) => {
      if (r.value && r.value.includes('"op":"c"') && r.value.includes('bench-tp-')) {
        seen++;
        last = Math.max(last, r.timestamp);
      }
      return seen === total;
    }, 300_000);
    if (seen < total) throw new Error(`only ${seen} of ${total} throughput rows reached ${topic}`);
    const seconds = (last - Number(start)) / 1000;
    const result = {
      name: 'cdc',
      ran: true,
      connector: { 'poll.interval.ms': p.connector.config['poll.interval.ms'], 'plugin.name': p.connector.config['plugin.name'] },
      startMs: p.timings,
      lagMs: { rows: LAG_ROWS, p50: pct(lags, 50), p99: pct(lags, 99), max: lags[lags.length - 1], min: lags[0] },
      throughput: { rows: total, batches: TP_BATCHES, insertSeconds: (Number(insertsDone) - Number(start)) / 1000, endToEndSeconds: seconds, rowsPerSecond: Math.round(total / seconds) },
    };
    console.log(`cdc: lag p50 ${result.lagMs.p50} ms, p99 ${result.lagMs.p99} ms (${LAG_ROWS} single-row transactions); throughput ${result.throughput.rowsPerSecond} rows/s end to end (${total} rows in ${TP_BATCHES} transactions, ${seconds.toFixed(1)} s)`);
    console.log(JSON.stringify(result));
  } finally {
    await p.stop();
  }
}

await main();
