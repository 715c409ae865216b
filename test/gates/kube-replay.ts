/**
 * A loopback Kubernetes API server replaying recorded responses (test/fixtures/k8s/*.json).
 * Requests are matched by method and path; repeated entries are served in order and the last one
 * repeats. Unmatched requests get the API server's 404 Status. Every request is recorded.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

export interface RecordedResponse {
  method: string;
  path: string;
  query?: string;
  status: number;
  body: unknown;
}

export interface ReplayRequest {
  method: string;
  path: string;
  query: string;
  body: string;
  authorization?: string;
}

export function loadScenario(name: string): RecordedResponse[] {
  const file = fileURLToPath(new URL(`../fixtures/k8s/${name}.json`, import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { responses: RecordedResponse[] }).responses;
}

export class KubeReplay {
  readonly requests: ReplayRequest[] = [];
  private server?: Server;
  private served = new Map<string, number>();
  constructor(private responses: RecordedResponse[]) {}

  /** Adds responses (e.g. from another scenario) after the current ones. */
  add(responses: RecordedResponse[]): void {
    this.responses = [...this.responses, ...responses];
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search, body, authorization: req.headers.authorization });
        const candidates = this.responses.filter(
          (r) => r.method === req.method && r.path === url.pathname && (r.query === undefined || url.search.includes(r.query)),
        );
        res.setHeader('content-type', 'application/json');
        if (candidates.length === 0) {
          res.statusCode = 404;
          res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `the server could not find the requested resource (${url.pathname})`, reason: 'NotFound', code: 404 }));
          return;
        }
        const key = `${req.method} ${url.pathname}`;
        const i = this.served.get(key) ?? 0;
        this.served.set(key, i + 1);
        const r = candidates[Math.min(i, candidates.length - 1)]!;
        res.statusCode = r.status;
        res.end(JSON.stringify(r.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A kubeconfig pointing at the replay server with a bearer token. */
export function kubeconfigFor(server: string, token = 'replay-token-0123456789'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: replay\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
    'users:',
    `- name: gate\n  user:\n    token: ${token}`,
    'contexts:',
    '- name: replay\n  context:\n    cluster: replay\n    user: gate',
    'current-context: replay',
    '',
  ].join('\n');
}
