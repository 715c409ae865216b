/**
 * What phase 7's logs and Grafana gates ask Loki and Grafana, over any HTTP GET (the API server's
 * service proxy in the cluster; a loopback server replaying recorded responses in the tests: Loki and
 * Grafana are AGPL, so they are never built or linked here). Like prom-api.ts, each function returns
 * evidence and problems; it throws only for an answer that is not the API's shape.
 *
 * Logs flow (Loki's HTTP API): `GET /ready` answers 200 `ready`; for every required namespace,
 * `GET /loki/api/v1/query_range` with the stream selector `{namespace="<ns>"}` over the last
 * `sinceMinutes` (Alloy, phase 2, sets the `namespace` label from the pod's namespace) returns at
 * least one stream with at least one line: logs are shipped and queryable.
 * Grafana: `GET /api/health` answers 200 with `database: "ok"` (Grafana's own health endpoint,
 * unauthenticated; 503 with `database: "failing"` when its database is down).
 */
import type { FlowReport, HttpGet } from './prom-api.js';

function parse(path: string, r: { status: number; body: string }): unknown {
  try {
    return JSON.parse(r.body);
  } catch {
    throw new Error(`GET ${path} answered HTTP ${r.status} with a body that is not JSON: ${r.body.slice(0, 200)}`);
  }
}

interface LokiStreams {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: { stream?: Record<string, string>; values?: [string, string][] }[] };
}

/** The query_range path for the newest line of one namespace in the last `sinceMinutes`. */
export function lokiQueryPath(namespace: string, sinceMinutes: number): string {
  const q = new URLSearchParams({ query: `{namespace="${namespace}"}`, limit: '1', since: `${sinceMinutes}m`, direction: 'backward' });
  return `/loki/api/v1/query_range?${q.toString()}`;
}

/** Loki: ready, and recent log lines from every required namespace. */
export async function logsFlow(get: HttpGet, want: { namespaces: readonly string[]; sinceMinutes: number }): Promise<FlowReport> {
  const out: FlowReport = { saw: [], problems: [] };
  const ready = await get('/ready');
  if (ready.status !== 200 || ready.body.trim() !== 'ready') {
    out.problems.push(`Loki is not ready: HTTP ${ready.status} ${ready.body.trim().slice(0, 200)}`);
    return out;
  }
  out.saw.push('Loki /ready: ready');
  for (const ns of want.namespaces) {
    const path = lokiQueryPath(ns, want.sinceMinutes);
    const r = await get(path);
    // Loki answers a refused query with a plain-text reason (HTTP 400/5xx), not JSON.
    if (r.status !== 200) {
      out.problems.push(`Loki query for namespace ${ns} failed: HTTP ${r.status} ${r.body.trim().slice(0, 200)}`);
      continue;
    }
    const body = parse(path, r) as LokiStreams;
    if (body.status !== 'success') {
      out.problems.push(`Loki query for namespace ${ns} failed: status ${String(body.status)}${body.error ? `: ${body.error}` : ''}`);
      continue;
    }
    if (body.data?.resultType !== 'streams' || !Array.isArray(body.data.result)) {
      throw new Error(`GET ${path}: expected resultType streams, got ${String(body.data?.resultType)}`);
    }
    const lines = body.data.result.flatMap((s) => s.values ?? []);
    if (lines.length === 0) {
      out.problems.push(`no log line from namespace ${ns} in the last ${want.sinceMinutes}m (is Alloy shipping its pods' logs to Loki?)`);
      continue;
    }
    const newestNs = lines.map(([t]) => BigInt(t)).reduce((a, b) => (a > b ? a : b));
    out.saw.push(`namespace ${ns}: logs in Loki, newest at ${new Date(Number(newestNs / 1_000_000n)).toISOString()}`);
  }
  return out;
}

/** Grafana: up, with its database. */
export async function grafanaFlow(get: HttpGet): Promise<FlowReport> {
  const out: FlowReport = { saw: [], problems: [] };
  const r = await get('/api/health');
  const body = parse('/api/health', r) as { database?: string; version?: string; commit?: string };
  if (r.status === 200 && body.database === 'ok') out.saw.push(`Grafana ${body.version ?? '?'} healthy (database ok)`);
  else out.problems.push(`Grafana is not healthy: HTTP ${r.status}, database ${body.database ?? 'unknown'}`);
  return out;
}
