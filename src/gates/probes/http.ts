/**
 * The HTTP probe: a thin port over node:http/https. It follows redirects itself (up to a limit) so
 * gates can check each hop (HTTP -> HTTPS), and reports status and selected headers; bodies are
 * discarded. Trust for HTTPS is the system's or the given `ca`.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpHop {
  url: string;
  status: number;
  location?: string;
}

export interface HttpResult {
  /** Every response in order; the last is the final one. */
  hops: HttpHop[];
  status: number;
  finalUrl: string;
  headers: Record<string, string>;
}

export interface HttpProbe {
  get(url: string, opts?: { maxRedirects?: number; headers?: Record<string, string> }): Promise<HttpResult>;
}

export interface HttpProbeOptions {
  ca?: string | string[];
  timeoutMs?: number;
}

export function createHttpProbe(opts: HttpProbeOptions = {}): HttpProbe {
  const once = (url: URL, headers: Record<string, string>): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const fn = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = fn(url, { method: 'GET', headers, ...(url.protocol === 'https:' && opts.ca ? { ca: opts.ca } : {}) }, (res) => {
        res.resume();
        res.on('end', () => resolve(res));
        res.on('error', reject);
      });
      req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`GET ${url.href} timed out`)));
      req.on('error', (e) => reject(new Error(`GET ${url.href} failed: ${e.message}`)));
      req.end();
    });
  return {
    async get(url, call = {}) {
      const max = call.maxRedirects ?? 5;
      const hops: HttpHop[] = [];
      let current = new URL(url);
      for (;;) {
        const res = await once(current, call.headers ?? {});
        const status = res.statusCode ?? 0;
        const location = typeof res.headers.location === 'string' ? new URL(res.headers.location, current).href : undefined;
        hops.push({ url: current.href, status, ...(location ? { location } : {}) });
        if (status >= 300 && status < 400 && location) {
          if (hops.length > max) throw new Error(`GET ${url}: more than ${max} redirects (${hops.map((h) => h.url).join(' -> ')})`);
          current = new URL(location);
          continue;
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
        return { hops, status, finalUrl: current.href, headers };
      }
    },
  };
}
