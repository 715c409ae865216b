/**
 * A real CDC pipeline on loopback, configured by phase 4's own configuration functions
 * (programs/04-data/cdc-config.ts): a throw-away PostgreSQL cluster (Debian's server) with the
 * program's server settings and init SQL, a single-node KRaft Kafka broker, and a distributed Kafka
 * Connect worker with the program's worker settings and the Debezium connector the program ships.
 * Jars come from scripts/install-cdc.sh (.cache/cdc/...). Used by test/cdc/*.test.ts and bench/cdc.ts.
 *
 * Rules: every process is started here and stopped by `stop()` (PostgreSQL with a fast shutdown,
 * the JVMs with SIGTERM then SIGKILL), and an exit hook kills whatever is left if the test process
 * dies first. Everything listens on 127.0.0.1 only. The database password is random per run and
 * reaches Connect only through a file read by Kafka's DirectoryConfigProvider, the local stand-in
 * for Strimzi's KubernetesSecretConfigProvider (`${secrets:<namespace>/<secret>:<key>}` resolves the
 * same way, relative to the worker's working directory).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chownSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { cdcInitSql, connectRestBody, connectWorkerConfig, debeziumConnector, postgresSettings, type ConnectorSpec } from '../../programs/04-data/cdc-config.js';
import { DATA_NAMES } from '../../programs/04-data/names.js';
import { localCdcTransport } from './local-transport.js';
import type { CdcTransport } from '../../programs/04-data/cdc-transport.js';

const REPO = resolve(import.meta.dirname, '../..');

/** The install folder of scripts/install-cdc.sh for the pinned versions; throws naming the script when absent. */
export function cdcRoot(): string {
  const v = Object.fromEntries(
    readFileSync(join(REPO, 'scripts/cdc/versions.env'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=') as [string, string]),
  );
  const root = join(process.env.PLATFORM_CDC_CACHE ?? join(REPO, '.cache/cdc'), `kafka-${v.KAFKA_VERSION}_debezium-${v.DEBEZIUM_VERSION}`);
  if (!existsSync(join(root, 'STAMP'))) throw new Error(`the CDC software is not installed in ${root}: run scripts/install-cdc.sh`);
  return root;
}

/** True when scripts/install-cdc.sh has installed the pinned versions. */
export function cdcInstalled(): boolean {
  try {
    cdcRoot();
    return true;
  } catch {
    return false;
  }
}

/** The newest Debian PostgreSQL server's bin folder (also the restore drill's servers, local-postgres.ts). */
export function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? spawnSync('ls', [base], { encoding: 'utf8' }).stdout.split('\n').filter((x) => /^\d+$/.test(x)) : [];
  const v = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!v) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql: run scripts/install-cdc.sh');
  return join(base, v, 'bin');
}

export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  await once(s, 'close');
  return port;
}

const live = new Set<ChildProcess>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
}

/** Starts a process whose output goes to `log`, killed by the exit hook if the test process dies first. */
export function start(name: string, bin: string, args: string[], log: string, opts: { uid?: number; gid?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  hookExit();
  const out = createWriteStream(log, { flags: 'a' });
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  live.add(child);
  child.once('exit', () => live.delete(child));
  return { name, child, log };
}

async function stopProc(p: Proc, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
  const c = p.child;
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = once(c, 'exit');
  c.kill(signal);
  const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

async function until<T>(what: string, p: Proc | undefined, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (p && (p.child.exitCode !== null || p.child.signalCode !== null)) {
      throw new Error(`${p.name} exited while waiting for ${what}; log ${p.log}:\n${tail(p.log)}`);
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${p ? `; log ${p.log}:\n${tail(p.log)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface CdcPipeline {
  env: string;
  /** The phase-4 connector spec the worker runs (database host/port pointed at loopback). */
  connector: ConnectorSpec;
  transport: CdcTransport;
  connectUrl: string;
  bootstrap: string;
  /** Timings of the start (ms), for the benchmark. */
  timings: Record<string, number>;
  /** POSTs a connector (default: the program's) and waits until it and its task leave UNASSIGNED. */
  createConnector(spec?: ConnectorSpec): Promise<void>;
  /** PUT /connectors/<name>/<action>. */
  connectorAction(name: string, action: 'stop' | 'resume' | 'pause'): Promise<number>;
  deleteConnector(name: string): Promise<void>;
  /** Stops everything this pipeline started and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL, Kafka and Connect and creates the program's connector. `env` is the env name
 * the configuration is generated for (topic prefix, publication and slot names).
 */
export async function startCdcPipeline(opts: { env: string; tables?: string[]; createConnector?: boolean }): Promise<CdcPipeline> {
  const root = cdcRoot();
  const bin = pgBin();
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin/java') : 'java';
  const cp = `${join(root, 'libs')}/*`;
  const work = mkdtempSync(join(tmpdir(), 'platform-cdc-'));
  const logs = join(work, 'logs');
  mkdirSync(logs);
  const procs: Proc[] = [];
  const timings: Record<string, number> = {};
  const stop = async () => {
    for (const p of [...procs].reverse()) await stopProc(p, p.name === 'postgres' ? 'SIGINT' : 'SIGTERM');
    if (!process.env.PLATFORM_CDC_KEEP) rmSync(work, { recursive: true, force: true });
  };
  try {
    // 1. PostgreSQL, as the postgres OS user when we are root (the server refuses root).
    let t0 = Date.now();
    const asRoot = process.getuid?.() === 0;
    const ids = asRoot ? { uid: Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout), gid: Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout) } : {};
    const pgDir = join(work, 'pg');
    const sock = join(work, 'pg-sock');
    mkdirSync(pgDir);
    mkdirSync(sock);
    if (asRoot) for (const d of [work, pgDir, sock]) chownSync(d, ids.uid!, ids.gid!);
    const init = spawnSync(join(bin, 'initdb'), ['-D', join(pgDir, 'data'), '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8'], { encoding: 'utf8', ...ids });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const pgPort = await freePort();
    const settings = { ...postgresSettings(), listen_addresses: "'127.0.0.1'", port: String(pgPort), unix_socket_directories: `'${sock}'`, fsync: 'off' };
    appendFileSync(join(pgDir, 'data/postgresql.conf'), Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
    const pg = start('postgres', join(bin, 'postgres'), ['-D', join(pgDir, 'data')], join(logs, 'postgres.log'), ids);
    procs.push(pg);
    const pgReady = () => spawnSync(join(bin, 'pg_isready'), ['-h', sock, '-p', String(pgPort), '-q']).status === 0 || undefined;
    await until('PostgreSQL to accept connections', pg, 30_000, pgReady);
    const psql = (db: string, args: string[], input?: string) => {
      const r = spawnSync('psql', ['-h', sock, '-p', String(pgPort), '-U', 'postgres', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, ...args], { encoding: 'utf8', input });
      if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
      return r.stdout;
    };
    const names = DATA_NAMES;
    psql('postgres', ['-c', `CREATE DATABASE ${names.dbName}`]);
    const password = randomBytes(18).toString('base64url');
    psql(names.dbName, ['-v', `cdc_password=${password}`, '-f', '-'], cdcInitSql({ env: opts.env, dbName: names.dbName, tables: opts.tables ?? [] }));
    timings.postgresMs = Date.now() - t0;

    // 2. Kafka, single node KRaft (combined broker + controller).
    t0 = Date.now();
    const kPort = await freePort();
    const cPort = await freePort();
    const bootstrap = `127.0.0.1:${kPort}`;
    const log4j = join(work, 'log4j2.properties');
    writeFileSync(log4j, ['status = warn', 'appender.console.type = Console', 'appender.console.name = OUT', 'appender.console.layout.type = PatternLayout',
      'appender.console.layout.pattern = [%d] %p %m (%c)%n', 'rootLogger.level = INFO', 'rootLogger.appenderRef.out.ref = OUT', 'logger.reflections.name = org.reflections', 'logger.reflections.level = ERROR', ''].join('\n'));
    const serverProps = join(work, 'server.properties');
    writeFileSync(serverProps, [
      'process.roles=broker,controller', 'node.id=1', `controller.quorum.voters=1@127.0.0.1:${cPort}`,
      `listeners=PLAINTEXT://${bootstrap},CONTROLLER://127.0.0.1:${cPort}`, `advertised.listeners=PLAINTEXT://${bootstrap}`,
      'controller.listener.names=CONTROLLER', 'inter.broker.listener.name=PLAINTEXT', 'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${join(work, 'kafka-data')}`, 'num.partitions=1', 'default.replication.factor=1', 'auto.create.topics.enable=true',
      'offsets.topic.replication.factor=1', 'transaction.state.log.replication.factor=1', 'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1', 'share.coordinator.state.topic.min.isr=1', 'group.initial.rebalance.delay.ms=0', '',
    ].join('\n'));
    const jvm = ['-XX:+UseG1GC', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4j}`, '-cp', cp];
    const fmt = spawnSync(java, [...jvm, 'kafka.tools.StorageTool', 'format', '-t', randomClusterId(), '-c', serverProps], { encoding: 'utf8' });
    if (fmt.status !== 0) throw new Error(`kafka storage format failed: ${fmt.stdout}${fmt.stderr}`);
    const kafka = start('kafka', java, ['-Xms256m', '-Xmx512m', ...jvm, 'kafka.Kafka', serverProps], join(logs, 'kafka.log'));
    procs.push(kafka);
    await until('the Kafka broker to start', kafka, 90_000, () => (existsSync(kafka.log) && readFileSync(kafka.log, 'utf8').includes('Kafka Server started') ? true : undefined));
    timings.kafkaMs = Date.now() - t0;

    // 3. Kafka Connect (distributed) with the program's worker settings.
    t0 = Date.now();
    const restPort = await freePort();
    const connectUrl = `http://127.0.0.1:${restPort}`;
    const secretsCwd = join(work, 'connect-cwd');
    const secretDir = join(secretsCwd, names.namespace, names.cdcSecret);
    mkdirSync(secretDir, { recursive: true });
    writeFileSync(join(secretDir, 'username'), 'debezium', { mode: 0o600 });
    writeFileSync(join(secretDir, 'password'), password, { mode: 0o600 });
    const worker: Record<string, string | number | boolean> = {
      ...connectWorkerConfig(opts.env),
      // What Strimzi sets itself in the cluster, and the local stand-in for its secrets provider.
      'bootstrap.servers': bootstrap,
      listeners: connectUrl,
      'rest.advertised.host.name': '127.0.0.1',
      'rest.advertised.port': restPort,
      'plugin.path': join(root, 'plugins'),
      'config.providers.secrets.class': 'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
    };
    const connectProps = join(work, 'connect.properties');
    writeFileSync(connectProps, Object.entries(worker).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    const connect = start('connect', java, ['-Xms256m', '-Xmx512m', ...jvm, 'org.apache.kafka.connect.cli.ConnectDistributed', connectProps], join(logs, 'connect.log'), { cwd: secretsCwd });
    procs.push(connect);
    await until('Kafka Connect /health', connect, 120_000, async () => ((await fetch(`${connectUrl}/health`).catch(() => undefined))?.ok ? true : undefined));
    timings.connectMs = Date.now() - t0;

    const transport = localCdcTransport({ java, classpath: cp, log4j, bootstrap, connectUrl, psql: { host: sock, port: pgPort } });
    const connector = debeziumConnector({
      env: opts.env,
      database: { host: '127.0.0.1', port: pgPort, dbName: names.dbName },
      credentials: { namespace: names.namespace, name: names.cdcSecret },
      tables: opts.tables ?? [],
    });
    const pipeline: CdcPipeline = {
      env: opts.env,
      connector,
      transport,
      connectUrl,
      bootstrap,
      timings,
      async createConnector(spec = connector) {
        const r = await fetch(`${connectUrl}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(connectRestBody(spec)) });
        if (r.status !== 201) throw new Error(`POST /connectors ${spec.name} -> HTTP ${r.status}: ${await r.text()}`);
        await until(`connector ${spec.name} to start its task`, connect, 60_000, async () => {
          // Right after a POST, Connect may answer 409/500 "a rebalance is expected" (or "in progress")
          // until the worker has rebalanced: not an answer yet (a fresh-clone CI run of 2026-11-30 met it).
          const c = await transport.connector(spec.name).catch((e: Error) => {
            if (/HTTP (409|500): .*rebalance/i.test(e.message)) return undefined;
            throw e;
          });
          const s = c?.status;
          return s && s.tasks.length > 0 && s.tasks.every((k) => k.state === 'RUNNING' || k.state === 'FAILED') ? true : undefined;
        });
      },
      async connectorAction(name, action) {
        const r = await fetch(`${connectUrl}/connectors/${name}/${action}`, { method: 'PUT' });
        await r.arrayBuffer();
        return r.status;
      },
      async deleteConnector(name) {
        const r = await fetch(`${connectUrl}/connectors/${name}`, { method: 'DELETE' });
        await r.arrayBuffer();
      },
      stop,
    };
    if (opts.createConnector !== false) {
      t0 = Date.now();
      await pipeline.createConnector();
      timings.connectorMs = Date.now() - t0;
    }
    return pipeline;
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (what StorageTool random-uuid prints). */
/**
 * A KRaft cluster id: 16 random bytes, base64url. Never one that starts with '-', which the storage
 * tool's argument parser reads as an option ("--cluster-id: expected one argument"; one id in 64,
 * seen in a fresh-clone CI run). Kafka's own Uuid.randomUuid() skips those for the same reason.
 */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
