/**
 * What phase 7's traces-flow gate sends and asks (tracing.ts installs the collector and Tempo), over
 * any HTTP POST/GET (the API server's service proxy in the cluster; loopback servers in the tests).
 *
 * 1. One span with a fresh random trace id goes to the OpenTelemetry collector's OTLP/HTTP receiver:
 *    `POST /v1/traces`, `Content-Type: application/json`, an ExportTraceServiceRequest in OTLP's JSON
 *    encoding (trace and span ids as hex strings, times as decimal strings of nanoseconds). The
 *    receiver answers 200 with an ExportTraceServiceResponse (`{}`, or `partialSuccess` with
 *    `rejectedSpans` and an `errorMessage`), or 4xx/5xx with a google.rpc.Status.
 * 2. Tempo is asked for that trace, `GET /api/v2/traces/<traceId>` (Tempo's HTTP API, "Query V2":
 *    `{ "trace": { "resourceSpans": [...] } }` in OTLP JSON, whose ids Tempo writes base64), until the
 *    span is there or the deadline passes. 404 means not (yet) found.
 * The failure names the trace id and both endpoints, so the operator can look the trace up by hand.
 */
import { randomBytes } from 'node:crypto';
import type { FlowReport, HttpGet } from './prom-api.js';

export type HttpPost = (path: string, body: string, contentType: string) => Promise<{ status: number; body: string }>;

export interface ProbeSpanIds {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
}

/** The service name the gate's span carries (`service.name`), so it can be told apart in Grafana. */
export const PROBE_SERVICE = 'platform-traces-flow-gate';
export const PROBE_SPAN_NAME = 'traces-flow probe';

/** A fresh trace and span id (never all zeros: OTLP treats an all-zero id as invalid). */
export function newProbeIds(random: (n: number) => Buffer = randomBytes): ProbeSpanIds {
  const id = (n: number) => {
    for (;;) {
      const hex = random(n).toString('hex');
      if (!/^0+$/.test(hex)) return hex;
    }
  };
  return { traceId: id(16), spanId: id(8) };
}

/** The OTLP/JSON ExportTraceServiceRequest with the one probe span (started `nowMs`, 1 ms long). */
export function probeSpanRequest(ids: ProbeSpanIds, nowMs: number): Record<string, unknown> {
  const start = BigInt(Math.trunc(nowMs)) * 1_000_000n;
  const attr = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', PROBE_SERVICE)] },
        scopeSpans: [
          {
            scope: { name: 'platform/07-observability', version: '1' },
            spans: [
              {
                traceId: ids.traceId,
                spanId: ids.spanId,
                name: PROBE_SPAN_NAME,
                kind: 1, // SPAN_KIND_INTERNAL
                startTimeUnixNano: start.toString(),
                endTimeUnixNano: (start + 1_000_000n).toString(),
                attributes: [attr('platform.gate', 'traces-flow')],
              },
            ],
          },
        ],
      },
    ],
  };
}

/** An OTLP JSON id as lower-case hex: OTLP/HTTP writes hex, Tempo's JSON answers base64. */
export function idHex(id: string, bytes: number): string {
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(id)) return id.toLowerCase();
  const b = Buffer.from(id, 'base64');
  return b.length === bytes ? b.toString('hex') : '';
}

interface OtlpTrace {
  resourceSpans?: { scopeSpans?: { spans?: { traceId?: string; spanId?: string; name?: string }[] }[] }[];
}

/** The spans of a Tempo `/api/v2/traces/<id>` answer, ids in hex. */
export function spansOf(body: unknown): { traceId: string; spanId: string; name: string }[] {
  const trace = (body as { trace?: OtlpTrace } | null)?.trace;
  if (!trace || !Array.isArray(trace.resourceSpans)) throw new Error('expected { trace: { resourceSpans: [...] } }');
  return trace.resourceSpans.flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => ({ traceId: idHex(s.traceId ?? '', 16), spanId: idHex(s.spanId ?? '', 8), name: s.name ?? '' }))),
  );
}

export interface TracesFlowIo {
  post: HttpPost;
  get: HttpGet;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface TracesFlowWant {
  ids: ProbeSpanIds;
  /** The collector's OTLP/HTTP base URL and Tempo's query URL (evidence and failure text). */
  collectorUrl: string;
  storeUrl: string;
  /** Epoch ms (on `now`) by which the span must be found. */
  deadline: number;
  intervalMs: number;
}

const brief = (s: string) => s.trim().replace(/\s+/g, ' ').slice(0, 200);

/** Sends the probe span to the collector and waits for it in Tempo. */
export async function tracesFlow(io: TracesFlowIo, want: TracesFlowWant): Promise<FlowReport> {
  const out: FlowReport = { saw: [], problems: [] };
  const { traceId, spanId } = want.ids;
  const sentTo = `${want.collectorUrl}/v1/traces`;
  const sent = await io.post('/v1/traces', JSON.stringify(probeSpanRequest(want.ids, io.now())), 'application/json');
  if (sent.status !== 200) {
    out.problems.push(`the collector at ${sentTo} refused the span of trace ${traceId}: HTTP ${sent.status} ${brief(sent.body)}`);
    return out;
  }
  let accepted: { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } } = {};
  try {
    accepted = sent.body.trim() ? JSON.parse(sent.body) : {};
  } catch {
    throw new Error(`POST ${sentTo} answered HTTP 200 with a body that is not JSON: ${brief(sent.body)}`);
  }
  const rejected = Number(accepted.partialSuccess?.rejectedSpans ?? 0);
  if (rejected > 0) {
    out.problems.push(`the collector at ${sentTo} rejected the span of trace ${traceId}: ${accepted.partialSuccess?.errorMessage || `${rejected} span(s) rejected`}`);
    return out;
  }
  out.saw.push(`span ${spanId} of trace ${traceId} accepted by the collector at ${sentTo}`);

  const path = `/api/v2/traces/${traceId}`;
  const started = io.now();
  let last = 'no answer';
  for (;;) {
    const r = await io.get(path);
    if (r.status === 200) {
      let body: unknown;
      try {
        body = JSON.parse(r.body);
      } catch {
        throw new Error(`GET ${want.storeUrl}${path} answered HTTP 200 with a body that is not JSON: ${brief(r.body)}`);
      }
      const spans = spansOf(body);
      const hit = spans.find((s) => s.traceId === traceId && s.spanId === spanId);
      if (hit) {
        out.saw.push(`trace ${traceId} found in Tempo at ${want.storeUrl}${path} after ${Math.round((io.now() - started) / 1000)}s: span "${hit.name}"`);
        return out;
      }
      last = `HTTP 200 with ${spans.length} span(s), none of them ${spanId}`;
    } else {
      last = r.status === 404 ? 'HTTP 404 (trace not found)' : `HTTP ${r.status} ${brief(r.body)}`;
    }
    if (io.now() + want.intervalMs > want.deadline) break;
    await io.sleep(want.intervalMs);
  }
  out.problems.push(
    `span ${spanId} of trace ${traceId} never arrived in the trace store: ${want.storeUrl}${path} last answered ${last}, ` +
      `${Math.round((io.now() - started) / 1000)}s after the collector at ${sentTo} accepted it`,
  );
  return out;
}
