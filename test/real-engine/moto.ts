/**
 * Starts the moto AWS API emulator (PyPI `moto[server]`) on a free loopback port for the account
 * guard and doctor tests. If moto is not installed the suite fails with the install command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Moto {
  endpoint: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * `serialized`: moto with one request at a time (scripts/moto-serialized.py), where a conditional
 * write is atomic as on S3; plain moto checks and writes without a lock between them.
 */
export async function startMoto(opts: { serialized?: boolean } = {}): Promise<Moto> {
  const port = await freePort();
  const bin = opts.serialized ? (process.env.PYTHON ?? 'python3') : (process.env.MOTO_SERVER ?? 'moto_server');
  const args = opts.serialized ? [new URL('../../scripts/moto-serialized.py', import.meta.url).pathname, String(port)] : ['-H', '127.0.0.1', '-p', String(port)];
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e) =>
      reject(new Error(`cannot start ${bin} (${e.message}): install it with \`pip install 'moto[server]'\` or set MOTO_SERVER`)),
    ),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 150; i++) {
      if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr.slice(-500)}`);
      try {
        const r = await fetch(`${endpoint}/moto-api/`);
        if (r.status < 500) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`moto_server did not answer on ${endpoint}: ${stderr.slice(-500)}`);
  })();
  await Promise.race([ready, spawnError]);
  return {
    endpoint,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

/** STS client settings pointing at moto with dummy credentials. */
export function motoSts(endpoint: string) {
  return { endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
}
