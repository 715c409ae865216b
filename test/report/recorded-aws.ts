/**
 * A loopback HTTP server that answers AWS REST-JSON calls with recorded responses, for the APIs the
 * moto emulator (5.2.1) does not serve: GuardDuty's GetFindingsStatistics (and, to keep one
 * detector's story in one place, ListDetectors and GetDetector) and AWS Backup's ListBackupJobs and
 * ListBackupVaults. The bodies follow the wire shapes of the AWS API references (GuardDuty: camelCase
 * members; Backup: PascalCase members, timestamps as epoch seconds); they were written from those
 * references, not captured from an account. Every request is kept, so a test can assert what the
 * client asked for.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  status?: number;
  body: unknown;
  /** For errors: the x-amzn-errortype header. */
  errorType?: string;
}

export interface RecordedServer {
  endpoint: string;
  requests: { method: string; path: string; query: URLSearchParams; body: string; /** The SigV4 credential scope's region. */ region: string }[];
  close(): Promise<void>;
}

/** `routes` maps "METHOD /path" (path without query) to a recorded response. */
export async function startRecordedAws(routes: Record<string, Recorded>): Promise<RecordedServer> {
  const requests: RecordedServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body, region: /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '' });
      const r = routes[`${req.method} ${url.pathname}`];
      if (!r) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
        res.end(JSON.stringify({ message: `no recorded response for ${req.method} ${url.pathname}` }));
        return;
      }
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...(r.errorType ? { 'x-amzn-errortype': r.errorType } : {}) });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
