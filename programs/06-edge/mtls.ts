/**
 * Judging a plain-text call to a meshed service. Under STRICT mTLS the service's sidecar accepts
 * only Istio mTLS: a plain-text HTTP request is reset or closed, or meets TLS bytes where an HTTP
 * response should be. Any HTTP response from the service itself means plain text got through.
 *
 * The call is made by the API server's service proxy (the API server is outside the mesh and dials
 * the pod in plain HTTP); when that dial fails it answers 503 with `error trying to reach service:
 * <Go error>` (k8s.io/apimachinery pkg/util/proxy/transport.go). The same judgement applies to a
 * direct call that fails with a Node socket error (the tests' loopback stand-ins).
 *
 * Rules:
 * - reset / EOF / broken pipe / a malformed (non-HTTP) response / a TLS error  -> refused (pass);
 * - connection refused, no endpoints, a timeout -> inconclusive: nothing answered, so nothing was
 *   proven (fail, retried: the service may not be up yet);
 * - any other HTTP status, 2xx to 5xx, from the service -> plain text accepted (fail).
 */

/** What the caller saw: an HTTP answer, or a socket error. */
export type PlaintextAnswer = { status: number; body: string } | { error: string };

export interface PlaintextVerdict {
  verdict: 'refused' | 'accepted' | 'inconclusive';
  detail: string;
}

const REFUSED = /connection reset by peer|ECONNRESET|socket hang up|\bEOF\b|broken pipe|EPIPE|malformed HTTP|HPE_|Parse Error|tls:|first record does not look like|unexpected message/i;
const NOTHING = /connection refused|ECONNREFUSED|no endpoints available|timed out|timeout|i\/o timeout|no route to host|EHOSTUNREACH/i;

function apiServerReason(body: string): string | undefined {
  try {
    const status = JSON.parse(body) as { kind?: string; message?: string };
    if (status.kind === 'Status' && typeof status.message === 'string') return status.message;
  } catch {
    /* not a Status object: the service's own body */
  }
  return undefined;
}

export function plaintextVerdict(a: PlaintextAnswer): PlaintextVerdict {
  if ('error' in a) {
    if (NOTHING.test(a.error)) return { verdict: 'inconclusive', detail: `nothing answered: ${a.error}` };
    if (REFUSED.test(a.error)) return { verdict: 'refused', detail: `connection refused plain text: ${a.error}` };
    return { verdict: 'inconclusive', detail: `unexpected error: ${a.error}` };
  }
  const reason = apiServerReason(a.body);
  if (reason !== undefined && /error trying to reach service/i.test(reason)) {
    if (NOTHING.test(reason)) return { verdict: 'inconclusive', detail: `nothing answered: ${reason}` };
    if (REFUSED.test(reason)) return { verdict: 'refused', detail: `the sidecar refused plain text: ${reason}` };
    return { verdict: 'inconclusive', detail: `the API server could not reach the service: ${reason}` };
  }
  if (reason !== undefined && a.status === 503 && /no endpoints available/i.test(reason)) return { verdict: 'inconclusive', detail: `nothing answered: ${reason}` };
  return { verdict: 'accepted', detail: `plain text got an HTTP ${a.status} answer from the service` };
}
