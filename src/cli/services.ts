/**
 * Builds what a command needs: repo root, env file, registry, engine, records, journal, locks,
 * host. The only place that chooses implementations; commands stay thin.
 */
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PlatformError } from '../core/errors.js';
import type { EnvConfig } from '../core/env.js';
import { stackName, type AnyPhase, type PhaseId } from '../core/phase.js';
import type { Engine, Host, LockHandle, Locker, RecordStore } from '../core/ports.js';
import type { OrchestratorPorts } from '../orchestrator/ports.js';
import type { RunOutcome } from '../orchestrator/context.js';
import { findRepoRoot } from '../config/repo-root.js';
import { listEnvs, loadEnv } from '../config/load-env.js';
import { checkEnvInOrganization, loadOrganization } from '../config/load-organization.js';
import { isOrganizationTargetName, organizationTarget, usesLocalOrganization, type OrganizationConfig } from '../core/organization.js';
import type { EnvPorts, OrganizationPorts } from '../orchestrator/scope.js';
import { statePaths, type StatePaths } from '../state/paths.js';
import { FileRecordStore } from '../state/file-records.js';
import { FileJournal, newRunId, phaseHistory } from '../state/journal.js';
import { FileLocker } from '../state/file-lock.js';
import { DirSourceHasher } from '../state/source-hasher.js';
import { systemClock } from '../state/clock.js';
import { PlainHost } from '../ui/plain-host.js';
import { JsonHost } from '../ui/json-host.js';
import type { GlobalOptions } from './main.js';
import { checkResources, costOfChange, gateRunner } from './runners.js';
import { installSignals } from './signals.js';
import { deployerRoleArn } from '../core/platform-names.js';

export interface Session {
  repoRoot: string;
  env: EnvConfig;
  /** The organization file the env shares (stacks/organization.yaml; organization.local.yaml for `local`). */
  organization: OrganizationConfig;
  /** The organization as a deployment target: its stacks, records and engine (organization-scoped phases). */
  orgTarget: EnvConfig;
  orgPaths: StatePaths;
  orgEngine: Engine;
  registry: readonly AnyPhase[];
  paths: StatePaths;
  engine: Engine;
  runId: string;
  /** The engine kind the command line asked for (--engine), if any. */
  engineOverride?: 'simulate' | 'pulumi';
}

/**
 * The phases the CLI runs: `programs/registry.ts`, or the module named by PLATFORM_REGISTRY (a path,
 * relative to the working folder, to a module exporting `phases` the same way). That is how test
 * phases (fixture programs) run through the real CLI; see docs/engine.md.
 */
export async function loadRegistry(): Promise<readonly AnyPhase[]> {
  const other = process.env.PLATFORM_REGISTRY;
  if (!other) {
    const { phases } = await import('../../programs/registry.js');
    return phases;
  }
  const file = isAbsolute(other) ? other : resolve(process.cwd(), other);
  let mod: { phases?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { phases?: unknown };
  } catch (e) {
    throw new PlatformError('usage', `PLATFORM_REGISTRY names a module that cannot be loaded: ${(e as Error).message.split('\n')[0]}`, {
      value: file,
      hint: 'point PLATFORM_REGISTRY at a module exporting `phases` (like programs/registry.ts), or unset it',
      cause: e,
    });
  }
  if (!Array.isArray(mod.phases)) {
    throw new PlatformError('usage', 'PLATFORM_REGISTRY names a module without a `phases` array export', {
      value: file,
      hint: 'export `phases` (an array of phase definitions, like programs/registry.ts), or unset PLATFORM_REGISTRY',
    });
  }
  return mod.phases as readonly AnyPhase[];
}

export async function openSession(globals: GlobalOptions, envName: string): Promise<Session> {
  const repoRoot = await findRepoRoot(process.cwd());
  const env = await loadEnv(repoRoot, envName);
  const organization = await loadOrganization(repoRoot, { local: usesLocalOrganization(env.name) });
  checkEnvInOrganization(env, organization, usesLocalOrganization(env.name));
  const registry = await loadRegistry();
  const engineKind = globals.engine ?? env.engine;
  const paths = statePaths(repoRoot, env, engineKind);
  const baseEngine = await createEngine(engineKind, repoRoot, paths, Boolean(globals.verbose));
  let engine = baseEngine;
  if (engine.kind === 'pulumi') {
    // Phases that talk to Kubernetes first check that the cluster API can be reached from here.
    const { withClusterPreflight } = await import('../preflight/engine-preflight.js');
    const { describeClusterEndpoint } = await import('../preflight/describe-cluster.js');
    const awsEndpoint = process.env.PLATFORM_AWS_ENDPOINT;
    engine = withClusterPreflight(engine, registry, {
      describeEndpoint: (e) =>
        e.accountGuard === false
          ? Promise.resolve(undefined)
          : describeClusterEndpoint(e, { roleArn: deployerRoleArn(e.accountId), ...(awsEndpoint ? { endpoint: awsEndpoint } : {}) }),
    });
  }
  const orgTarget = organizationTarget(organization, env);
  const orgEngineKind = globals.engine ?? orgTarget.engine;
  const orgPaths = statePaths(repoRoot, orgTarget, orgEngineKind);
  // The real engine takes its backend per call, so one instance serves both (the organization's
  // phases talk to no cluster, so no preflight); the simulate engine keeps state in a folder per target.
  const orgEngine = orgEngineKind === engineKind && engineKind === 'pulumi' ? baseEngine : await createEngine(orgEngineKind, repoRoot, orgPaths, Boolean(globals.verbose));
  return { repoRoot, env, organization, orgTarget, orgPaths, orgEngine, registry, paths, engine, runId: newRunId(new Date()), engineOverride: globals.engine };
}

async function createEngine(kind: 'simulate' | 'pulumi', repoRoot: string, paths: StatePaths, verbose = false): Promise<Engine> {
  if (kind === 'simulate') {
    const { createSimulateEngine } = await import('../engine/simulate/simulate-engine.js');
    // --verbose: a program's exception comes back with its stack trace (report() prints it).
    return createSimulateEngine({ stateDir: paths.simulateDir, verbose });
  }
  const [{ createPulumiEngine }, { assertAccount }] = await Promise.all([import('../engine/pulumi/engine.js'), import('../engine/pulumi/account-guard.js')]);
  const endpoint = process.env.PLATFORM_AWS_ENDPOINT;
  return createPulumiEngine({
    repoRoot,
    cacheDir: join(repoRoot, '.cache'),
    notice: (message) => process.stderr.write(`warning: ${message}\n`),
    // Before any mutating operation: the caller (after assuming the env's deploy role for phases 1+)
    // must be in the env file's account; phase 0 runs in the management account.
    beforeMutation: async (env, stack) => {
      if (env.accountGuard === false) return;
      // The organization's stacks run with the management account's own credentials; env stacks
      // through the env account's deploy role.
      await assertAccount(env, stack.phase, {
        roleArn: isOrganizationTargetName(env.name) ? undefined : deployerRoleArn(env.accountId),
        sts: endpoint ? { endpoint } : undefined,
      });
    },
  });
}

export type OutputMode = 'fancy' | 'plain' | 'json';

/**
 * Whether the ink UI can be drawn: it moves the cursor, so it needs stderr to be a terminal that
 * understands that (`TERM=dumb` says it does not: Emacs shells, some CI log viewers).
 */
export function canDrawInk(stderr: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  return stderr.isTTY === true && env.TERM !== 'dumb';
}

/**
 * The progress display: `--json`/`--output json`; else `--output plain|fancy`; else fancy on a
 * terminal outside CI. Fancy is never drawn where it cannot be (see canDrawInk): `--output fancy`
 * there gives plain lines, with one warning line saying why (`fancyRefused`).
 */
export function outputMode(globals: GlobalOptions, stderr: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): OutputMode {
  if (globals.json || globals.output === 'json') return 'json';
  if (globals.output === 'fancy') return canDrawInk(stderr, env) ? 'fancy' : 'plain';
  if (globals.output) return globals.output;
  return canDrawInk(stderr, env) && !env.CI ? 'fancy' : 'plain';
}

/** Why an explicit `--output fancy` is drawn as plain lines, or undefined when it is drawn. */
export function fancyRefused(globals: GlobalOptions, stderr: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (globals.output !== 'fancy' || globals.json || canDrawInk(stderr, env)) return undefined;
  return `--output fancy needs a terminal that can move the cursor (${stderr.isTTY ? 'TERM=dumb' : 'stderr is not a terminal'}); showing plain lines`;
}

export function interactive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

export interface HostOptions {
  /** Show each changed property's old -> new values. */
  diff?: boolean;
}

export async function createHost(globals: GlobalOptions, session: Session, onCancel: (force: boolean) => void, opts: HostOptions = {}): Promise<Host> {
  const slugs = new Map<PhaseId, string>(session.registry.map((p) => [p.id, p.slug]));
  const mode = outputMode(globals);
  if (mode === 'json') return new JsonHost(process.stdout);
  const refused = fancyRefused(globals);
  if (refused) process.stderr.write(`warning: ${refused}\n`);
  if (mode === 'fancy') {
    const createInkHost = await (await import('../ui/ink/load.js')).loadInkHost();
    return createInkHost({
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      verbose: Boolean(globals.verbose),
      noColor: process.env.NO_COLOR !== undefined,
      history: phaseHistory(session.paths.runsDir, session.env.name),
      names: Object.fromEntries(slugs),
      onCancel,
      diff: Boolean(opts.diff),
    });
  }
  return new PlainHost({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, verbose: Boolean(globals.verbose), quiet: Boolean(globals.quiet) && !globals.verbose, slugs, diff: Boolean(opts.diff) });
}

/** Phase records beside the state: a folder, or the target's S3 backend bucket. */
export async function recordStoreAt(paths: StatePaths, target: EnvConfig): Promise<RecordStore> {
  const loc = paths.records;
  if (loc.kind === 'file') return new FileRecordStore(loc.dir);
  const [{ S3Client }, { S3RecordStore, parseS3Url }] = await Promise.all([import('@aws-sdk/client-s3'), import('../state/s3-records.js')]);
  const endpoint = process.env.PLATFORM_AWS_ENDPOINT;
  const client = new S3Client({ region: target.regions.primary, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
  return new S3RecordStore(client, parseS3Url(loc.url), target.name);
}

/** The env's phase records. */
export async function createRecordStore(session: Session): Promise<RecordStore> {
  return recordStoreAt(session.paths, session.env);
}

/** The organization's stacks as the orchestrator reaches them (records beside the organization's state). */
export async function organizationPorts(session: Session): Promise<OrganizationPorts> {
  return { config: session.organization, target: session.orgTarget, engine: session.orgEngine, records: await recordStoreAt(session.orgPaths, session.orgTarget) };
}

/**
 * Every env sharing the session's organization (every env file in stacks/ but `local`, or just
 * `local`), with its engine and records, for `destroy` of an organization-scoped phase. An env file
 * that does not load stops the command: it cannot be known not to depend on the organization.
 */
export function sharingEnvs(session: Session): () => Promise<EnvPorts[]> {
  return async () => {
    const local = usesLocalOrganization(session.env.name);
    const out: EnvPorts[] = [];
    for (const name of await listEnvs(session.repoRoot)) {
      if (usesLocalOrganization(name) !== local) continue;
      const env = name === session.env.name ? session.env : await loadEnv(session.repoRoot, name);
      const kind = session.engineOverride ?? env.engine;
      const paths = statePaths(session.repoRoot, env, kind);
      const engine = name === session.env.name ? session.engine : await createEngine(kind, session.repoRoot, paths);
      out.push({ env, engine, records: await recordStoreAt(paths, env) });
    }
    return out;
  };
}

/** Locks this process holds now, so that a fatal error anywhere can still release them. */
const heldLocks = new Set<LockHandle>();

function trackLocks(inner: Locker): Locker {
  return {
    async acquire(key, purpose) {
      const h = await inner.acquire(key, purpose);
      const handle: LockHandle = {
        release: async () => {
          heldLocks.delete(handle);
          await h.release();
        },
      };
      heldLocks.add(handle);
      return handle;
    },
  };
}

/** Releases every lock still held (a bug escaped the run, or the process must end now). */
export async function releaseHeldLocks(): Promise<void> {
  await Promise.all([...heldLocks].map((h) => h.release().catch(() => {})));
}

/**
 * A closed stdout or stderr (`platform up ... | head -3`): EPIPE. Like SIGPIPE, it ends the run, but
 * gracefully (the orchestrator stops, in-flight operations finish or cancel, locks are released),
 * never as an unhandled 'error' event with a stack trace. Returns the uninstall function.
 */
export function onClosedOutput(stop: (stream: 'stdout' | 'stderr') => void): () => void {
  const make = (name: 'stdout' | 'stderr') => (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') stop(name);
  };
  const out = make('stdout');
  const err = make('stderr');
  process.stdout.on('error', out);
  process.stderr.on('error', err);
  return () => {
    process.stdout.off('error', out);
    process.stderr.off('error', err);
  };
}

/**
 * Where a target's stack locks live: in its S3 backend when the real engine runs against an s3://
 * backend (everyone sharing the backend sees them; src/state/s3-lock.ts), else files under
 * `.platform/locks` on this machine.
 */
export async function lockerAt(target: EnvConfig, engineKind: string, locksDir: string, runId: string, notice: (m: string) => void): Promise<Locker> {
  const url = target.backend.url;
  if (engineKind !== 'pulumi' || !url.startsWith('s3://')) return new FileLocker(locksDir, runId, notice);
  const [{ S3Client }, { parseS3Url }, { S3Locker, DEFAULT_LEASE_SECONDS }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('../state/s3-records.js'),
    import('../state/s3-lock.js'),
  ]);
  const endpoint = process.env.PLATFORM_AWS_ENDPOINT;
  const client = new S3Client({ region: target.regions.primary, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
  return new S3Locker(client, parseS3Url(url), runId, { leaseSeconds: target.backend.lockLeaseSeconds ?? DEFAULT_LEASE_SECONDS, onNotice: notice });
}

/** The run's locker: the organization's stacks lock where the organization's state is, the env's where the env's is. */
export async function createLocker(session: Session, notice: (m: string) => void = () => {}): Promise<Locker> {
  const envLocker = await lockerAt(session.env, session.engine.kind, session.paths.locksDir, session.runId, notice);
  const orgLocker = await lockerAt(session.orgTarget, session.orgEngine.kind, session.orgPaths.locksDir, session.runId, notice);
  const orgStacks = new Set(session.registry.filter((p) => p.scope === 'organization').map((p) => stackName(session.orgTarget.name, p)));
  return { acquire: (key, purpose) => (orgStacks.has(key) ? orgLocker : envLocker).acquire(key, purpose) };
}

export async function buildPorts(session: Session, host: Host): Promise<OrchestratorPorts> {
  const journal = new FileJournal(session.paths.runsDir, session.runId);
  // A lock left by a killed run is cleared with one line in the journal and on the host.
  const notice = (message: string) => {
    const event = { type: 'diagnostic', severity: 'warning', message, at: new Date().toISOString() } as const;
    journal.append(event);
    host.notify(event);
  };
  return {
    engine: session.engine,
    records: await createRecordStore(session),
    journal,
    locker: trackLocks(await createLocker(session, notice)),
    host,
    clock: systemClock,
    sources: new DirSourceHasher(join(session.repoRoot, 'programs')),
    gates: gateRunner({ awsEndpoint: process.env.PLATFORM_AWS_ENDPOINT }),
    checks: checkResources,
    cost: costOfChange,
    organization: await organizationPorts(session),
    envs: sharingEnvs(session),
    promotion: await (await import('./promotion-port.js')).promotionPort(session),
  };
}

function forceStop(engine: Engine): void {
  const real = engine as Partial<{ running(): { pid: number; args: readonly string[] }[]; forceStop(): void }>;
  const inflight = real.running?.() ?? [];
  for (const c of inflight) process.stderr.write(`killing engine process ${c.pid} (pulumi ${c.args.slice(0, 1).join(' ')}); its stack may be left with pending operations\n`);
  real.forceStop?.();
}

/** How long a forced stop waits for the run to write its journal and records before exiting anyway. */
const FORCED_EXIT_GRACE_MS = 5_000;

/**
 * The second Ctrl-C: the engine and its providers are killed now; the run then unwinds on its own
 * (the killed operation fails as 'cancelled', the record says so, the journal gets run-finished,
 * exit 130), and if it has not within a few seconds the process exits with 130 anyway.
 */
function forceExit(engine: Engine, sig: string): void {
  forceStop(engine);
  process.stderr.write(`${sig} again: forcing exit; operations in flight may be left pending (the next run names the repair command)\n`);
  process.exitCode = 130;
  setTimeout(() => process.exit(130), FORCED_EXIT_GRACE_MS).unref();
}

export { hostname };

/**
 * The shape every run-like command shares: open the session, make the host, install the signal
 * handlers, build the ports, run, close the host, report the deciding error (humans get it as the
 * last line; --json already ended with run-finished, which carries it) and return the exit code.
 */
export async function runCommand(
  globals: GlobalOptions,
  envName: string,
  body: (session: Session, ports: OrchestratorPorts, signal: AbortSignal) => Promise<RunOutcome>,
  before?: () => void | Promise<void>,
  hostOptions?: (session: Session) => HostOptions,
): Promise<number> {
  const { report } = await import('./report.js');
  try {
    await before?.();
    const session = await openSession(globals, envName);
    const controller = new AbortController();
    const host = await createHost(globals, session, (force) => {
      if (!force) return controller.abort();
      forceExit(session.engine, 'Ctrl-C');
    }, hostOptions?.(session));
    // A second Ctrl-C kills the real engine's children now and reports what was in flight.
    const uninstall = installSignals(controller, (sig) => forceExit(session.engine, sig));
    const unpipe = onClosedOutput((stream) => {
      if (controller.signal.aborted) return;
      if (stream === 'stdout') process.stderr.write(`${stream} was closed: stopping gracefully; in-flight operations finish or cancel\n`);
      controller.abort(new PlatformError('cancelled', `${stream} was closed`));
    });
    // A bug that escapes the run (an exception in a host's timer, a rejected promise nobody awaits)
    // still releases the locks before the process ends.
    const fatal = (e: unknown) => {
      void releaseHeldLocks().finally(() => {
        report(e, process.argv);
        process.exit(1);
      });
    };
    process.on('uncaughtException', fatal);
    process.on('unhandledRejection', fatal);
    let outcome: RunOutcome;
    try {
      outcome = await body(session, await buildPorts(session, host), controller.signal);
    } finally {
      await host.close().catch(() => {});
      await releaseHeldLocks();
      uninstall();
      process.off('uncaughtException', fatal);
      process.off('unhandledRejection', fatal);
      unpipe();
    }
    if (outcome.error && outputMode(globals) !== 'json') report(outcome.error, process.argv, { json: false });
    return outcome.exitCode;
  } catch (e) {
    return report(e, process.argv);
  }
}
