/**
 * The load test: autocannon (MIT) drives each public route from the runner at the route's target
 * rate (`overallRate`, requests per second across all connections) for the env's duration, and the
 * result is judged against the service's SLO. Rules (`judgeLoad`):
 * - every answer that is not 2xx, every connection error and every timeout is an error; the error
 *   rate is errors / (answers + connection errors), and must not exceed the error budget
 *   (1 - availability, e.g. 0.1 %);
 * - p99 latency must not exceed the objective (autocannon's histogram has p90, p97.5 and p99: p95 is
 *   not among its percentiles, so the evidence shows p90 and p97.5 beside p99);
 * - the achieved rate must reach 80 % of the target (MIN_RATE_SHARE): a route that cannot be driven at its target rate
 *   (the server or the runner falls behind) has not shown it meets its SLO at that rate;
 * - a run with no answer at all is a failure, never a pass.
 */
import autocannon from 'autocannon';
import type { LoadTarget } from './phase.js';

/** What one run measured (numbers from autocannon's result; latencies in ms). */
export interface LoadMeasure {
  url: string;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  durationSeconds: number;
  achievedRps: number;
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  max: number;
}

export interface LoadVerdict {
  ok: boolean;
  /** One evidence line: what was measured against what. */
  summary: string;
  problems: string[];
}

/**
 * Share of the target rate a run must achieve. autocannon's measured duration includes connection
 * set-up and draining (a 2 s run at 40 rps on an idle loopback server measured 121 answers in 3.21 s,
 * 37.7 rps): 80 % tells a route that keeps up from one that falls behind without failing on that.
 */
export const MIN_RATE_SHARE = 0.8;

/** Runs autocannon against `target.url` at its rate; resolves with the measures. */
export async function driveLoad(target: Pick<LoadTarget, 'url' | 'rate'>, opts: { durationSeconds: number; connections: number; timeoutSeconds?: number; signal?: AbortSignal }): Promise<LoadMeasure> {
  const instance = autocannon({
    url: target.url,
    connections: opts.connections,
    duration: opts.durationSeconds,
    overallRate: target.rate,
    timeout: opts.timeoutSeconds ?? 10,
    headers: { 'user-agent': 'platform-verify-load' },
  });
  const stop = () => (instance as unknown as { stop(): void }).stop();
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    const r = await instance;
    const answered = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
    return {
      url: target.url,
      requests: answered,
      errors: r.errors,
      timeouts: r.timeouts,
      non2xx: r.non2xx,
      durationSeconds: r.duration,
      achievedRps: r.duration > 0 ? answered / r.duration : 0,
      p50: r.latency.p50,
      p90: r.latency.p90,
      p97_5: r.latency.p97_5,
      p99: r.latency.p99,
      max: r.latency.max,
    };
  } finally {
    opts.signal?.removeEventListener('abort', stop);
  }
}

const pct = (x: number) => `${(x * 100).toFixed(3)}%`;

/** Judges one run against its route's SLO (see the header). */
export function judgeLoad(target: LoadTarget, m: LoadMeasure): LoadVerdict {
  const errors = m.non2xx + m.errors;
  const attempts = m.requests + m.errors;
  const errorRate = attempts > 0 ? errors / attempts : 1;
  const problems: string[] = [];
  if (m.requests === 0) problems.push(`${target.service} ${target.url}: no answer at all (${m.errors} connection errors, ${m.timeouts} timeouts)`);
  else {
    if (errorRate > target.maxErrorRate) problems.push(`${target.service} ${target.url}: error rate ${pct(errorRate)} (${m.non2xx} non-2xx, ${m.errors} connection errors) exceeds the budget ${pct(target.maxErrorRate)}`);
    if (m.p99 > target.p99Ms) problems.push(`${target.service} ${target.url}: p99 ${m.p99} ms exceeds the objective ${target.p99Ms} ms`);
    if (m.achievedRps < target.rate * MIN_RATE_SHARE) problems.push(`${target.service} ${target.url}: served ${m.achievedRps.toFixed(1)} rps, under ${MIN_RATE_SHARE * 100}% of the target ${target.rate} rps`);
  }
  const summary =
    `${target.service} ${target.url}: ${m.requests} answers in ${m.durationSeconds} s at ${m.achievedRps.toFixed(1)}/${target.rate} rps, ` +
    `p50 ${m.p50} ms, p90 ${m.p90} ms, p97.5 ${m.p97_5} ms, p99 ${m.p99} ms (objective ${target.p99Ms} ms), max ${m.max} ms, ` +
    `errors ${errors} (${pct(errorRate)}, budget ${pct(target.maxErrorRate)})`;
  return { ok: problems.length === 0, summary, problems };
}
