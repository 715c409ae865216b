/**
 * Throw-away PostgreSQL servers on loopback for the restore drill tests (Debian's server, as the
 * CDC pipeline uses): `startPostgres` makes a fresh cluster; `server.baseBackup(dir)` takes a real
 * physical backup with pg_basebackup (the local counterpart of an EBS snapshot: a copy of the data
 * directory PostgreSQL recovers from); `startFromBackup` starts a second server on a copy of one, as
 * the drill's scratch pod does with a restored volume.
 *
 * Rules: the servers run as the OS user `postgres` when the tests run as root (the server refuses
 * root), listen on 127.0.0.1 and a private socket folder, and are stopped by `stop()` (fast
 * shutdown) or killed by the exit hook if the test process dies first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { freePort, pgBin, start } from './pipeline.js';

const asRoot = process.getuid?.() === 0;
function ids(): { uid?: number; gid?: number } {
  if (!asRoot) return {};
  return { uid: Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout), gid: Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout) };
}
/** Gives folders to the OS user `postgres` when the tests run as root (the server and pg_basebackup run as it). */
export function own(...dirs: string[]): void {
  const i = ids();
  if (asRoot) for (const d of dirs) spawnSync('chown', ['-R', `${i.uid}:${i.gid}`, d]);
}

export interface LocalPostgres {
  readonly port: number;
  readonly socketDir: string;
  readonly dataDir: string;
  readonly pid: number;
  /** psql with the given arguments as `postgres`; rejects with psql's stderr on a non-zero exit. */
  psql(args: string[]): Promise<string>;
  /** Runs SQL in `db` (ON_ERROR_STOP) and returns the unaligned output. */
  sql(db: string, sql: string): Promise<string>;
  /** pg_basebackup into `dir` (plain format, WAL streamed): a real physical backup. */
  baseBackup(dir: string): void;
  /** Kills the server with `signal` (SIGKILL: a crash). */
  kill(signal: NodeJS.Signals): void;
  readonly running: boolean;
  /** Stops the server (fast shutdown) and removes its folder. */
  stop(): Promise<void>;
}

async function launch(work: string, dataDir: string): Promise<LocalPostgres> {
  const bin = pgBin();
  const sock = join(work, 'sock');
  mkdirSync(sock, { recursive: true });
  const port = await freePort();
  appendFileSync(join(dataDir, 'postgresql.conf'), [`listen_addresses = '127.0.0.1'`, `port = ${port}`, `unix_socket_directories = '${sock}'`, 'fsync = off', ''].join('\n'));
  own(work);
  const log = join(work, 'postgres.log');
  const { child } = start('postgres', join(bin, 'postgres'), ['-D', dataDir], log, ids());
  const end = Date.now() + 30_000;
  while (spawnSync(join(bin, 'pg_isready'), ['-h', sock, '-p', String(port), '-q']).status !== 0) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`PostgreSQL did not start on ${dataDir}: ${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '(no log)'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const psql = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      const p = spawn('psql', ['-h', sock, '-p', String(port), '-U', 'postgres', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let so = '';
      let se = '';
      p.stdout.on('data', (d) => (so += d));
      p.stderr.on('data', (d) => (se += d));
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve(so) : reject(new Error(`psql exited ${code}: ${se.trim()}`))));
    });
  return {
    port,
    socketDir: sock,
    dataDir,
    pid: child.pid!,
    psql,
    sql: (db, sql) => psql(['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql]),
    baseBackup(dir) {
      mkdirSync(dir, { recursive: true });
      own(dir);
      const r = spawnSync(join(bin, 'pg_basebackup'), ['-h', sock, '-p', String(port), '-U', 'postgres', '-D', dir, '-X', 'stream', '-c', 'fast'], { encoding: 'utf8', ...ids() });
      if (r.status !== 0) throw new Error(`pg_basebackup failed: ${r.stderr}`);
    },
    kill(signal) {
      child.kill(signal);
    },
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGINT');
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** A fresh cluster with local trust (socket), as the official image's entrypoint leaves it. */
export async function startPostgres(): Promise<LocalPostgres> {
  const work = mkdtempSync(join(tmpdir(), 'platform-pg-'));
  own(work);
  const init = spawnSync(join(pgBin(), 'initdb'), ['-D', join(work, 'data'), '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8'], { encoding: 'utf8', ...ids() });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  return launch(work, join(work, 'data'));
}

/** A server on a copy of the backup in `backupDir` (PostgreSQL recovers it at start). */
export async function startFromBackup(backupDir: string): Promise<LocalPostgres> {
  const work = mkdtempSync(join(tmpdir(), 'platform-pg-restored-'));
  cpSync(backupDir, join(work, 'data'), { recursive: true });
  spawnSync('chmod', ['700', join(work, 'data')]);
  return launch(work, join(work, 'data'));
}
