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

/** Loads a scenario; `vars` fill `{{name}}` placeholders (e.g. the per-run object names gates use). */
export function loadScenario(name: string, vars: Record<string, string> = {}): RecordedResponse[] {
  const file = fileURLToPath(new URL(`../fixtures/k8s/${name}.json`, import.meta.url));
  let text = readFileSync(file, 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.split(`{{${k}}}`).join(v);
  const left = /\{\{([a-zA-Z0-9_.-]+)\}\}/.exec(text);
  if (left) throw new Error(`scenario ${name}.json: no value for placeholder {{${left[1]}}}`);
  return (JSON.parse(text) as { responses: RecordedResponse[] }).responses;
}

export class KubeReplay {
  readonly requests: ReplayRequest[] = [];
  private server?: Server;
  private served = new Map<string, number>();
  /** `onRequest` runs before each response is sent (e.g. to play a controller's side effect in moto). */
  constructor(
    private responses: RecordedResponse[],
    private readonly onRequest?: (req: ReplayRequest) => Promise<void>,
  ) {}

  /** Adds responses (e.g. from another scenario) after the current ones. */
  add(responses: RecordedResponse[]): void {
    this.responses = [...this.responses, ...responses];
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const seen: ReplayRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.search, body, authorization: req.headers.authorization };
        this.requests.push(seen);
        if (this.onRequest) {
          try {
            await this.onRequest(seen);
          } catch (e) {
            // A failing side effect is a test bug: answer (never hang the client) and say so.
            res.statusCode = 500;
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify({ kind: 'Status', status: 'Failure', code: 500, message: `replay onRequest hook failed: ${(e as Error).message}` }));
            return;
          }
        }
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
    // Clients keep connections alive; close them too, or the server (and the test process) lingers.
    this.server?.closeAllConnections();
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
