/**
 * A loopback AWS endpoint for gate tests: answers chosen API calls with recorded responses
 * (test/fixtures/aws/*.json) and forwards every other call to an upstream emulator (moto), so one
 * probe endpoint can mix what moto does well with what it cannot do (SCP denials, EKS add-ons,
 * provisioning status filters).
 *
 * Calls are identified the way AWS routes them:
 * - service and region from the SigV4 credential scope (`Credential=AKID/date/region/service/...`);
 * - the operation from `X-Amz-Target` (JSON protocols), the `Action` form field (query protocols:
 *   EC2, STS), or the HTTP method plus path (REST protocols: EKS, Route53), matched by a route's
 *   `method`/`path`.
 * Routes are tried in order; a route's responses are served in order and the last one repeats.
 * Unrouted calls go upstream, or get a 501 naming the call when there is no upstream.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';

/** One recorded HTTP response of an AWS API. */
export interface RecordedAwsResponse {
  status: number;
  contentType: string;
  /** The body exactly as AWS sent it (XML or JSON text); `{{var}}` placeholders are filled on load. */
  body: string;
}

/** A recorded call: what it matches and what it answers. */
export interface AwsRoute {
  /** SigV4 service name: `ec2`, `sso`, `eks`, `sts`... */
  service: string;
  /** Operation name (`DescribeVpcs`, `ListPermissionSetsProvisionedToAccount`) for query/JSON protocols. */
  operation?: string;
  /** For REST protocols: method and a path regex (e.g. `^/clusters/[^/]+/addons$`). */
  method?: string;
  path?: string;
  /** Only requests signed for this region. */
  region?: string;
  /** Only requests whose body contains this text (e.g. an AccountId). */
  bodyIncludes?: string;
  responses: RecordedAwsResponse[];
}

/** What the server saw. */
export interface AwsCall {
  service: string;
  region: string;
  operation: string;
  method: string;
  path: string;
  body: string;
  /** True when a recorded response answered it; false when it went upstream. */
  replayed: boolean;
}

/** Loads `test/fixtures/aws/<name>.json` (`{ description, routes }`), filling `{{var}}` placeholders. */
export function loadAwsRoutes(name: string, vars: Record<string, string> = {}): AwsRoute[] {
  const file = fileURLToPath(new URL(`../fixtures/aws/${name}.json`, import.meta.url));
  let text = readFileSync(file, 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.split(`{{${k}}}`).join(v);
  const left = /\{\{([a-zA-Z0-9_.-]+)\}\}/.exec(text);
  if (left) throw new Error(`fixture ${name}.json: no value for placeholder {{${left[1]}}}`);
  return (JSON.parse(text) as { routes: AwsRoute[] }).routes;
}

function scopeOf(req: IncomingMessage): { region: string; service: string } {
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
  return { region: m?.[1] ?? '', service: m?.[2] ?? '' };
}

function operationOf(req: IncomingMessage, body: string): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const action = new URLSearchParams(body).get('Action') ?? new URL(req.url ?? '/', 'http://x').searchParams.get('Action');
  return action ?? '';
}

export class AwsReplay {
  readonly calls: AwsCall[] = [];
  private server?: Server;
  private readonly served = new Map<AwsRoute, number>();

  /** `upstream`: the emulator to forward unrouted calls to (e.g. moto's endpoint). */
  constructor(
    private readonly routes: AwsRoute[],
    private readonly upstream?: string,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = raw.toString('utf8');
        const { region, service } = scopeOf(req);
        const url = new URL(req.url ?? '/', 'http://x');
        const operation = operationOf(req, body);
        const route = this.routes.find(
          (r) =>
            r.service === service &&
            (r.region === undefined || r.region === region) &&
            (r.operation === undefined || r.operation === operation) &&
            (r.method === undefined || r.method === req.method) &&
            (r.path === undefined || new RegExp(r.path).test(url.pathname)) &&
            (r.bodyIncludes === undefined || body.includes(r.bodyIncludes)),
        );
        this.calls.push({ service, region, operation, method: req.method ?? 'GET', path: url.pathname, body, replayed: Boolean(route) });
        if (route) {
          const i = this.served.get(route) ?? 0;
          this.served.set(route, i + 1);
          const r = route.responses[Math.min(i, route.responses.length - 1)]!;
          res.writeHead(r.status, { 'content-type': r.contentType, 'x-amzn-requestid': `replay-${this.calls.length}` });
          res.end(r.body);
          return;
        }
        if (!this.upstream) {
          res.writeHead(501, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ __type: 'NotRecorded', message: `no recorded response for ${service} ${operation || `${req.method} ${url.pathname}`}` }));
          return;
        }
        const up = new URL(this.upstream);
        const fwd = httpRequest(
          { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host } },
          (upRes) => {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
          },
        );
        fwd.on('error', (e) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`upstream error: ${e.message}`);
        });
        fwd.end(raw);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The calls of one operation (replayed or forwarded). */
  callsOf(operation: string): AwsCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  async stop(): Promise<void> {
    // Clients keep connections alive; close them too, or the server (and the test process) lingers.
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
