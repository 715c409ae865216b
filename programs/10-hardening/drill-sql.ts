/**
 * The restore drill's data comparison (pure SQL text and parsing; the drill runs it through psql in
 * the source's and the restored database's pods). Rules:
 * - Only append-only tables are compared (the env's `hardening.restoreDrill.tables`), each with the
 *   column that orders its rows in time. The source keeps taking writes after the recovery point, so
 *   both sides are compared up to one cutoff (inclusive): the recovery point's creation time less a margin (a
 *   row stamped before the snapshot may commit a little after it), and never later than the newest
 *   row the restore holds (clocks of AWS and the database may differ).
 * - Per table: the row count, and a checksum that is independent of row order and of the physical
 *   layout: the sum over rows of the first 60 bits of md5(row as text). It needs constant memory (no
 *   sorted aggregate over a large table), and a missing, extra or changed row changes it (two
 *   changes cancelling each other would need a 60-bit collision).
 * - Table and column names come from the env schema's lower-case identifier patterns; they are
 *   still quoted as identifiers here.
 * - Timestamps are compared in UTC (`SET TimeZone`), so a `timestamp without time zone` column is
 *   read the same way on both sides.
 */

/** One table the drill compares. */
export interface DrillTable {
  /** `schema.table`. */
  name: string;
  timestampColumn: string;
}

/** What one side holds of one table up to the cutoff. */
export interface TableFingerprint {
  rows: number;
  /** Decimal sum of the rows' 60-bit hashes. */
  checksum: string;
}

/** Milliseconds subtracted from the recovery point's creation time (rows committed just after it). */
export const CUTOFF_MARGIN_MS = 60_000;

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const qualified = (name: string) => name.split('.').map(ident).join('.');
const literal = (iso: string) => `'${iso.replace(/'/g, "''")}'::timestamptz`;

/** psql's arguments for one read-only statement, unaligned and tuples only, stopping on the first error. */
export function psqlArgs(database: string, sql: string): string[] {
  return ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', database, '-c', "SET TimeZone TO 'UTC'", '-c', sql];
}

/** The newest row's time (ISO, UTC) of a table, or an empty line when it has none. */
export function newestRowSql(t: DrillTable): string {
  return `SELECT to_char(max(${ident(t.timestampColumn)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') FROM ${qualified(t.name)}`;
}

/** Count and checksum of the rows stamped at or before `cutoffIso`. */
export function fingerprintSql(t: DrillTable, cutoffIso: string): string {
  const hash = `('x' || substr(md5(r::text), 1, 15))::bit(60)::bigint::numeric`;
  return `SELECT count(*) || '|' || coalesce(sum(${hash}), 0) FROM ${qualified(t.name)} AS r WHERE r.${ident(t.timestampColumn)} <= ${literal(cutoffIso)}`;
}

/** Parses `count|checksum`; throws naming the table on anything else. */
export function parseFingerprint(table: string, out: string): TableFingerprint {
  const m = /^(\d+)\|(\d+)$/.exec(out.trim());
  if (!m) throw new Error(`unexpected answer for ${table}: '${out.trim().slice(0, 200)}'`);
  return { rows: Number(m[1]), checksum: m[2]! };
}

/** The newest row's time, as the database printed it (microseconds) and in epoch ms; undefined for an empty table. */
export interface Newest {
  iso: string;
  ms: number;
}

/** Parses the newest row's time; undefined for an empty table. */
export function parseNewest(table: string, out: string): Newest | undefined {
  const s = out.trim();
  if (s === '') return undefined;
  const ms = Date.parse(s);
  if (Number.isNaN(ms) || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(s)) throw new Error(`unexpected newest-row time for ${table}: '${s.slice(0, 100)}'`);
  return { iso: s, ms };
}

/**
 * The cutoff both sides are compared up to (see the header), as a timestamp literal: the newest
 * restored row's own text when it is the earlier one (JavaScript dates hold milliseconds only; the
 * database's microseconds must not cut that row off).
 */
export function cutoffOf(recoveryPointMs: number, restoredNewest: Newest | undefined): string {
  const fromPoint = recoveryPointMs - CUTOFF_MARGIN_MS;
  return restoredNewest !== undefined && restoredNewest.ms <= fromPoint ? restoredNewest.iso : new Date(fromPoint).toISOString();
}

/** Undefined when both sides agree; otherwise the reason, naming the table and the numbers. */
export function compareFingerprints(table: string, cutoffIso: string, source: TableFingerprint, restored: TableFingerprint): string | undefined {
  if (source.rows === restored.rows && source.checksum === restored.checksum) return undefined;
  const upTo = `rows up to ${cutoffIso}`;
  if (source.rows > restored.rows) return `${table}: the restore is missing ${source.rows - restored.rows} of the source's ${source.rows} ${upTo} (restored ${restored.rows})`;
  if (source.rows < restored.rows) return `${table}: the restore has ${restored.rows - source.rows} more ${upTo} than the source (${restored.rows} vs ${source.rows}): rows were deleted from the source, or the table is not append-only`;
  return `${table}: same count (${source.rows} ${upTo}) but the checksums differ (source ${source.checksum}, restored ${restored.checksum}): a row's content differs (the table is not append-only, or the restore is corrupt)`;
}
