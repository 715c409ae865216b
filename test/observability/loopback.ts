/**
 * Loopback helpers for the observability suite: a recording HTTP sink (webhook receiver, SNS API
 * stand-in), a free port, and a child process that is always stopped. Everything binds 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** An HTTP server on 127.0.0.1 that records every request and answers with `reply`. */
export class Sink {
  readonly received: Received[] = [];
  private server?: Server;
  url = '';
  constructor(private readonly reply: (r: Received) => { status: number; body: string; type?: string } = () => ({ status: 200, body: '' })) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.received.push(r);
        const out = this.reply(r);
        res.writeHead(out.status, { 'content-type': out.type ?? 'text/plain' });
        res.end(out.body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
    this.server = undefined;
  }

  /** Waits until `pred` holds for some request (polling every 100 ms), or throws after `timeoutMs`. */
  async waitFor(pred: (r: Received) => boolean, timeoutMs: number, what: string): Promise<Received> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${this.received.length} request(s)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A long-running child (prometheus, alertmanager) with its output kept for failure messages. */
export class Daemon {
  private child?: ChildProcess;
  output = '';
  constructor(private readonly cmd: string, private readonly args: string[], private readonly env: NodeJS.ProcessEnv = process.env) {}

  start(): void {
    this.child = spawn(this.cmd, this.args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => (this.output = (this.output + b.toString('utf8')).slice(-20_000));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  get exited(): boolean {
    return this.child?.exitCode !== null && this.child?.exitCode !== undefined;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }
}

/** Polls `url` until it answers 200 (or the daemon exits, or `timeoutMs` passes). */
export async function waitReady(url: string, daemon: Daemon, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (daemon.exited) throw new Error(`daemon exited before ${url} was ready:\n${daemon.output}`);
    try {
      const r = await fetch(url);
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error(`${url} not ready after ${timeoutMs} ms:\n${daemon.output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
