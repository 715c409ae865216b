/**
 * The real engine: Pulumi's Automation API with each phase's inline program. The only importer of
 * '@pulumi/pulumi/automation/index.js' (with its helpers in this folder).
 *
 * Rules:
 * - project `platform`, stack `<env>-<NN>-<slug>`, backend and secrets provider from the env file;
 *   PULUMI_HOME and the per-stack workspace folders live in the cache folder.
 * - Only `up` creates a stack. preview, destroy, refresh, outputs select it and fail with
 *   'stack-not-found' otherwise, so a wrong backend URL never yields a silently empty stack.
 * - Before up, destroy and refresh: refuse a stack with pending operations ('recovery-needed', exit 5,
 *   naming `platform repair`), refuse a stack whose lock is held ('locked', exit 4, naming the holder),
 *   run the caller's account guard, and export the checkpoint to a dated backup beside the state.
 * - Cancellation: the request's AbortSignal sends SIGINT to the CLI (graceful: in-flight steps finish,
 *   the lock is released); `forceStop()` sends SIGKILL and the error names the URNs in flight.
 * - Secrets: outputs keep Pulumi's secret flag, the phase's `secretOutputs` are made secret inside the
 *   program as well, and every text we build passes through `redact` with the known secret strings.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEvent, PulumiCommand, Stack } from '@pulumi/pulumi/automation/index.js';
import type { EnvConfig } from '../../core/env.js';
import { PlatformError, isPlatformError } from '../../core/errors.js';
import type { DriftedResource, EngineRequest, EngineResult, PlannedResource, StackInfo, StackRef } from '../../core/ports.js';
import { collectDrift } from './drift.js';
import type { CreatePulumiEngineOptions, PulumiEngine } from './types.js';
import { redact as redactWith } from '../../core/secrets.js';
import { CliFailure, CommandTracker, installRunner } from './command.js';
import { mapPulumiError } from './errors-map.js';
import { EventMapper } from './events-map.js';
import {
  backendDir,
  backendUrl,
  compareVersions,
  engineEnv,
  findEngineRoot,
  INSTALL_HINT,
  MIN_CLI_VERSION,
  secretsProvider,
} from './settings.js';
import { collectResource, countsFromPreview, plannedOutputMap, stackOutputsFrom, toOutputMap } from './results.js';
import { describeHolder, pendingOperations, PROJECT, readLocks, removeBrokenSidecars, resourceCount, writeBackup, type Deployment } from './state.js';
import { WorkspaceDirs } from './workspace-dirs.js';
import { StackStateReader } from './stack-state.js';
import { findSetpriv } from './process-tree.js';
import { isolateProgramChannels } from './grpc-channels.js';

export type { CreatePulumiEngineOptions, PulumiEngine } from './types.js';

// The SDK is loaded on first use (about 0.5 s of imports): a no-op `up` reads checkpoints only and
// never needs it (issue 21).
let sdk: Promise<typeof import('@pulumi/pulumi/automation/index.js')> | undefined;
const automation = () => (sdk ??= import('@pulumi/pulumi/automation/index.js'));

type Mutation = 'up' | 'destroy' | 'refresh';

/** Builds the real engine. The CLI calls `createPulumiEngine({ repoRoot, cacheDir })`. */
export function createPulumiEngine(opts: CreatePulumiEngineOptions): PulumiEngine {
  const tracker = new CommandTracker();
  const now = opts.now ?? Date.now;
  isolateProgramChannels();
  let cmdPromise: Promise<{ cmd: PulumiCommand; root: string }> | undefined;
  let forced = false;
  const workspaces = new WorkspaceDirs(opts.cacheDir);
  let warnedNoSetpriv = false;
  // Skip decisions read the checkpoint directly (no CLI) where the backend allows (stack-state.ts).
  const stateReader = new StackStateReader({ repoRoot: opts.repoRoot, exportViaCli: (stack, env) => exportForState(stack, env) });

  const command = () =>
    (cmdPromise ??= (async () => {
      const root = findEngineRoot(opts);
      if (!root) {
        throw new PlatformError('engine-missing', 'the Pulumi CLI was not found', { value: 'pulumi', hint: INSTALL_HINT });
      }
      let cmd: PulumiCommand;
      try {
        cmd = await (await automation()).PulumiCommand.get({ root, skipVersionCheck: false });
      } catch (e) {
        cmdPromise = undefined;
        throw new PlatformError('engine-missing', `the Pulumi CLI at ${root}/bin/pulumi could not be run or is too old`, {
          value: `${root}/bin/pulumi`,
          hint: INSTALL_HINT,
          cause: e,
        });
      }
      const v = cmd.version?.version ?? '0.0.0';
      if (compareVersions(v, MIN_CLI_VERSION) < 0) {
        cmdPromise = undefined;
        throw new PlatformError('engine-missing', `the Pulumi CLI ${v} is older than ${MIN_CLI_VERSION}`, { value: v, hint: INSTALL_HINT });
      }
      return { cmd: installRunner(cmd, tracker), root };
    })());

  async function workspaceOpts(env: EnvConfig, stack: StackRef) {
    const { cmd, root } = await command();
    const workDir = workspaces.forStack(stack.name);
    return {
      workDir,
      pulumiCommand: cmd,
      envVars: engineEnv(env, opts, root),
      projectSettings: { name: PROJECT, runtime: 'nodejs' as const },
    };
  }

  function context(stack: StackRef, env: EnvConfig, operation: string, secrets: string[] = [], cancelled?: { inFlight: string[]; forced: boolean }) {
    return {
      stack,
      operation,
      backendUrl: backendUrl(env, opts.repoRoot),
      locks: () => readLocks(backendDir(env, opts.repoRoot), stack.name),
      redact: (t: string) => redactWith(t, secrets),
      cancelled,
    };
  }

  /** Selects an existing stack; never creates. */
  async function select(stack: StackRef, env: EnvConfig, program?: () => Promise<Record<string, unknown>>): Promise<Stack> {
    const wsOpts = await workspaceOpts(env, stack);
    const dir = backendDir(env, opts.repoRoot);
    if (dir && !existsSync(dir)) {
      throw new PlatformError('stack-not-found', `stack ${stack.name} does not exist: the backend folder ${dir} does not exist`, {
        value: env.backend.url,
        hint: `check backend.url in stacks/${env.name}.yaml; only \`platform up --phase ${stack.phase} --env ${stack.env}\` creates a stack`,
      });
    }
    for (const f of removeBrokenSidecars(dir, stack.name)) {
      opts.notice?.(`removed ${f}: an empty metadata file left by a killed engine (it made every read of the stack fail with "EOF"; the file it describes is intact)`);
    }
    const noop = async () => ({});
    try {
      return await (await automation()).LocalWorkspace.selectStack({ stackName: stack.name, projectName: PROJECT, program: program ?? noop }, wsOpts);
    } catch (e) {
      throw mapPulumiError(e, context(stack, env, 'select'));
    }
  }

  /** Selects, or creates when (and only when) the stack does not exist: for `up`. */
  async function selectOrCreate(stack: StackRef, env: EnvConfig, program: () => Promise<Record<string, unknown>>): Promise<Stack> {
    try {
      return await select(stack, env, program);
    } catch (e) {
      if (!isPlatformError(e) || e.code !== 'stack-not-found') throw e;
    }
    const wsOpts = await workspaceOpts(env, stack);
    // Only here (up creating a stack) may a missing file backend folder be created.
    const dir = backendDir(env, opts.repoRoot);
    if (dir) mkdirSync(dir, { recursive: true });
    try {
      const s = await (await automation()).LocalWorkspace.createStack(
        { stackName: stack.name, projectName: PROJECT, program },
        { ...wsOpts, secretsProvider: secretsProvider(env) },
      );
      return s;
    } catch (e) {
      // Another process (another checkout on the same backend) created it between our select and
      // our create: select what it created; its lock then decides who proceeds.
      if (/stack .*already exists/.test(e instanceof CliFailure ? e.stderr + e.stdout : String(e))) return select(stack, env, program);
      throw mapPulumiError(e, context(stack, env, 'stack init'));
    }
  }

  /** The program run by the engine: the phase's function with its inputs; secret outputs wrapped. */
  async function programFor(req: EngineRequest): Promise<() => Promise<Record<string, unknown>>> {
    if (!req.phase.loadProgram) {
      throw new PlatformError('no-program', `phase ${req.phase.id} has no program yet`, { value: String(req.phase.id), hint: 'run `platform phases` to see which phases have one' });
    }
    const fn = await req.phase.loadProgram();
    const pulumi = await import('@pulumi/pulumi');
    const secretKeys = new Set<string>(req.phase.secretOutputs);
    return async () => {
      const out = await fn(req.inputs);
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, secretKeys.has(k) ? pulumi.secret(v) : v]));
    };
  }

  /**
   * `stack export` without `--show-secrets` (the SDK's exportStack adds it, which would put plaintext
   * secrets into our backups): secrets stay ciphertext. `s` proves the stack was selected.
   */
  async function exportDeployment(s: Stack, stack: StackRef, env: EnvConfig): Promise<Deployment> {
    const { cmd, root } = await command();
    try {
      const r = await tracker.run(cmd.command, ['stack', 'export', '--stack', s.name], workspaces.forStack(stack.name), engineEnv(env, opts, root));
      return JSON.parse(r.stdout) as Deployment;
    } catch (e) {
      throw mapPulumiError(e, context(stack, env, 'stack export'));
    }
  }

  /**
   * `stack export --stack <name>` for a backend whose checkpoint we do not read directly: one CLI
   * call (after the once-per-process `version`), no `stack select`; undefined when it does not exist.
   */
  async function exportForState(stack: StackRef, env: EnvConfig): Promise<string | undefined> {
    const ws = await workspaceOpts(env, stack);
    await (await automation()).LocalWorkspace.create(ws); // writes Pulumi.yaml into the workspace folder; runs nothing
    try {
      return (await tracker.run(ws.pulumiCommand.command, ['stack', 'export', '--stack', stack.name], ws.workDir, ws.envVars)).stdout;
    } catch (e) {
      const mapped = mapPulumiError(e, context(stack, env, 'stack export'));
      if (mapped.code === 'stack-not-found') return undefined;
      throw mapped;
    }
  }

  /** The state hash after an up; a read that fails leaves it unset, with a warning (the next skip then asks the CLI). */
  async function stateHashAfter(req: EngineRequest): Promise<string | undefined> {
    try {
      return (await stateReader.read(req.stack, req.env)).stateHash || undefined;
    } catch (e) {
      req.emit({
        type: 'diagnostic', phase: req.stack.phase, severity: 'warning', at: new Date(now()).toISOString(),
        message: `could not read the checkpoint of ${req.stack.name} after the update (${e instanceof Error ? e.message : String(e)}); the next unchanged run reads it through the Pulumi CLI`,
      });
      return undefined;
    }
  }

  /**
   * Clears Pulumi lock files whose holder ran on this host and no longer exists (a killed engine),
   * saying so in one line; our own lock on the stack is held, so no run of this checkout is active.
   */
  async function clearStaleLocks(s: Stack, stack: StackRef, env: EnvConfig, emit?: (e: import('../../core/events.js').PlatformEvent) => void): Promise<string[]> {
    const locks = readLocks(backendDir(env, opts.repoRoot), stack.name);
    if (!locks.length || locks.some((l) => !l.stale)) return [];
    try {
      await s.cancel(); // on a file backend: removes the stack's lock files, nothing else
    } catch (e) {
      throw mapPulumiError(e, context(stack, env, 'cancel'));
    }
    const who = locks.map(describeHolder);
    for (const w of who) {
      emit?.({ type: 'diagnostic', phase: stack.phase, severity: 'warning', message: `cleared the engine lock of ${stack.name} left by ${w}`, at: new Date(now()).toISOString() });
    }
    return who;
  }

  /** The checks and backup every mutation starts with. */
  async function beforeMutation(s: Stack, stack: StackRef, env: EnvConfig, op: Mutation, allowPending = false, emit?: (e: import('../../core/events.js').PlatformEvent) => void): Promise<void> {
    const dep = await exportDeployment(s, stack, env);
    const pending = pendingOperations(dep);
    const locks = readLocks(backendDir(env, opts.repoRoot), stack.name);
    // A live holder first: its own in-flight steps show as pending operations while it runs.
    if (locks.some((l) => !l.stale)) throw mapPulumiError(new Error('the stack is currently locked by 1 lock(s)'), context(stack, env, op));
    if (pending.length && !allowPending) {
      throw new PlatformError(
        'recovery-needed',
        `stack ${stack.name} has ${pending.length} pending operation(s) from an interrupted update: ${pending.map((p) => `${p.op} ${p.urn}`).join(', ')}`,
        { value: stack.name, hint: `run \`platform repair --phase ${stack.phase} --env ${stack.env}\`` },
      );
    }
    await clearStaleLocks(s, stack, env, emit);
    if (dep.deployment && Object.keys(dep.deployment).length) {
      writeBackup(dep, { backendDir: backendDir(env, opts.repoRoot), cacheDir: opts.cacheDir }, stack.name, op, new Date(now()));
    }
  }

  /** Runs one engine operation with event mapping, cancellation and error mapping. */
  async function run<T>(
    req: Omit<EngineRequest, 'inputs'>,
    operation: string,
    secrets: string[],
    body: (onEvent: (e: EngineEvent) => void, signal: AbortSignal) => Promise<T>,
  ): Promise<{ value: T; mapper: EventMapper; resources: PlannedResource[]; planned?: Record<string, unknown> }> {
    const redact = (t: string) => redactWith(t, secrets);
    const mapper = new EventMapper(req.stack.phase, req.emit, redact, now);
    const resources: PlannedResource[] = [];
    let planned: Record<string, unknown> | undefined;
    const onEvent = (e: EngineEvent) => {
      collectResource(e, req.stack, resources);
      planned = stackOutputsFrom(e) ?? planned;
      mapper.handle(e);
    };
    forced = false;
    if (!warnedNoSetpriv && process.platform === 'linux' && !findSetpriv()) {
      warnedNoSetpriv = true;
      req.emit({
        type: 'diagnostic', phase: req.stack.phase, severity: 'warning', at: new Date(now()).toISOString(),
        message: 'setpriv (util-linux) is not on PATH: if this process is killed, the engine keeps running until it notices',
      });
    }
    try {
      const value = await body(onEvent, req.signal);
      return { value, mapper, resources, planned };
    } catch (e) {
      const cancelled = req.signal.aborted ? { inFlight: [...mapper.inFlight], forced } : undefined;
      mapper.closeOpen();
      throw mapPulumiError(e, { ...context(req.stack, req.env, operation, secrets, cancelled), diagnostics: mapper.errors });
    }
  }

  /** A request aborted before it started is cancelled before anything runs. */
  function notAborted(req: { signal: AbortSignal; stack: StackRef }, operation: string): void {
    if (req.signal.aborted) {
      throw new PlatformError('cancelled', `${operation} of ${req.stack.name} was cancelled before it started`, { value: req.stack.name, hint: 're-run the command to continue' });
    }
  }

  /**
   * Preview of a stack that does not exist yet: run it against a throwaway file backend (same project
   * and stack name, a random passphrase), so nothing is created or written in the real backend.
   */
  async function previewFresh(req: EngineRequest, program: () => Promise<Record<string, unknown>>): Promise<EngineResult> {
    const { cmd, root } = await command();
    mkdirSync(opts.cacheDir, { recursive: true });
    const scratch = mkdtempSync(join(opts.cacheDir, 'preview-'));
    try {
      const wsOpts = {
        workDir: scratch,
        pulumiCommand: cmd,
        envVars: {
          ...engineEnv({ ...req.env, secrets: { provider: 'passphrase' } }, { ...opts, processEnv: { ...(opts.processEnv ?? process.env), PULUMI_CONFIG_PASSPHRASE: randomUUID() } }, root),
          PULUMI_BACKEND_URL: `file://${join(scratch, 'state')}`,
        },
        projectSettings: { name: PROJECT, runtime: 'nodejs' as const },
        secretsProvider: 'passphrase',
      };
      mkdirSync(join(scratch, 'state'));
      let s: Stack;
      try {
        s = await (await automation()).LocalWorkspace.createStack({ stackName: req.stack.name, projectName: PROJECT, program }, wsOpts);
      } catch (e) {
        throw mapPulumiError(e, context(req.stack, req.env, 'preview'));
      }
      req.emit({
        type: 'diagnostic', phase: req.stack.phase, severity: 'info', at: new Date(now()).toISOString(),
        message: `stack ${req.stack.name} does not exist yet in ${backendUrl(req.env, opts.repoRoot)}: this preview shows it built from scratch`,
      });
      const { value, mapper, resources, planned } = await run(req, 'preview', [], (onEvent, signal) => s.preview({ onEvent, signal, color: 'never', diff: false }));
      return { changes: mapper.summary ?? countsFromPreview(value.changeSummary), resources, ...(planned ? { outputs: plannedOutputMap(planned, req.phase.secretOutputs) } : {}) };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  const engine: PulumiEngine = {
    kind: 'pulumi',

    async info(stack, env): Promise<StackInfo> {
      let s: Stack;
      try {
        s = await select(stack, env);
      } catch (e) {
        if (isPlatformError(e) && e.code === 'stack-not-found') return { exists: false, pendingOperations: [], resourceCount: 0 };
        throw e;
      }
      const dep = await exportDeployment(s, stack, env);
      let last: { result?: string; endTime?: Date; startTime?: Date } | undefined;
      try {
        last = (await s.history(1, 1, false))[0];
      } catch (e) {
        throw mapPulumiError(e, context(stack, env, 'stack history'));
      }
      const locks = readLocks(backendDir(env, opts.repoRoot), stack.name);
      const live = locks.filter((l) => !l.stale);
      const locked = locks.length > 0;
      const lastResult = locked ? 'in-progress' : last?.result === 'succeeded' || last?.result === 'failed' || last?.result === 'in-progress' ? last.result : last ? 'failed' : undefined;
      return {
        exists: true,
        ...(lastResult ? { lastResult } : {}),
        ...(last?.endTime || last?.startTime ? { lastUpdateAt: new Date(last.endTime ?? last.startTime!).toISOString() } : {}),
        pendingOperations: pendingOperations(dep),
        resourceCount: resourceCount(dep),
        ...(live.length ? { lockedBy: live.map(describeHolder).join('; ') } : {}),
      };
    },

    async preview(req) {
      const program = await programFor(req);
      notAborted(req, 'preview');
      let s: Stack;
      try {
        s = await select(req.stack, req.env, program);
      } catch (e) {
        if (isPlatformError(e) && e.code === 'stack-not-found') return previewFresh(req, program);
        throw e;
      }
      const { value, mapper, resources, planned } = await run(req, 'preview', [], (onEvent, signal) =>
        s.preview({ onEvent, signal, color: 'never', diff: false }),
      );
      return { changes: mapper.summary ?? countsFromPreview(value.changeSummary), resources, ...(planned ? { outputs: plannedOutputMap(planned, req.phase.secretOutputs) } : {}) };
    },

    async up(req) {
      const program = await programFor(req);
      notAborted(req, 'up');
      await opts.beforeMutation?.(req.env, req.stack); // before anything, even creating the stack
      const s = await selectOrCreate(req.stack, req.env, program);
      await beforeMutation(s, req.stack, req.env, 'up', false, req.emit);
      const { value, mapper, resources } = await run(req, 'up', [], (onEvent, signal) => s.up({ onEvent, signal, color: 'never' }));
      const outputs = toOutputMap(value.outputs, req.phase.secretOutputs);
      const stateHash = await stateHashAfter(req);
      return { changes: mapper.summary ?? countsFromPreview(value.summary.resourceChanges), outputs, resources, ...(stateHash ? { stateHash } : {}) };
    },

    async destroy(req) {
      notAborted(req, 'destroy');
      await opts.beforeMutation?.(req.env, req.stack);
      const s = await select(req.stack, req.env);
      await beforeMutation(s, req.stack, req.env, 'destroy', false, req.emit);
      const { value, mapper } = await run(req, 'destroy', [], (onEvent, signal) => s.destroy({ onEvent, signal, color: 'never' }));
      // Everything is gone: remove the stack too (its history stays in the backend's backups).
      const left = resourceCount(await exportDeployment(s, req.stack, req.env));
      if (left === 0) {
        try {
          await s.workspace.removeStack(req.stack.name);
        } catch (e) {
          throw mapPulumiError(e, context(req.stack, req.env, 'stack rm'));
        }
      }
      return { changes: mapper.summary ?? countsFromPreview(value.summary.resourceChanges) };
    },

    async refresh(req, ropts = {}) {
      notAborted(req, 'refresh');
      await opts.beforeMutation?.(req.env, req.stack);
      const s = await select(req.stack, req.env);
      await beforeMutation(s, req.stack, req.env, 'refresh', true, req.emit);
      const { value, mapper } = await run(req, 'refresh', [], (onEvent, signal) =>
        s.refresh({ onEvent, signal, color: 'never', ...(ropts.clearPendingCreates ? { clearPendingCreates: true } : {}) }),
      );
      return { changes: mapper.summary ?? countsFromPreview(value.summary.resourceChanges) };
    },

    async drift(req) {
      // A refresh in preview mode: providers read every resource; nothing is written (drift.ts).
      notAborted(req, 'drift');
      const s = await select(req.stack, req.env);
      // PULUMI_SKIP_CONFIRMATIONS (set for every other command) is `--yes` to the CLI, and `refresh
      // --preview-only` refuses it ("--yes and --preview-only cannot be used together";
      // pulumi/pulumi#19354). A preview asks nothing, so this call runs without it.
      s.workspace.envVars = { ...s.workspace.envVars, PULUMI_SKIP_CONFIRMATIONS: 'false' };
      const drifted = new Map<string, DriftedResource>();
      await run(req, 'refresh --preview-only', [], (onEvent, signal) =>
        s.previewRefresh({ onEvent: (e) => (collectDrift(e, drifted), onEvent(e)), signal, color: 'never' }),
      );
      return { resources: [...drifted.values()].sort((a, b) => a.urn.localeCompare(b.urn)) };
    },

    async state(stack, env) {
      return stateReader.read(stack, env);
    },

    async outputs(stack, env) {
      const s = await select(stack, env);
      try {
        return toOutputMap(await s.outputs(), []);
      } catch (e) {
        throw mapPulumiError(e, context(stack, env, 'stack output'));
      }
    },

    forceStop() {
      forced = true;
      tracker.force();
    },

    running() {
      return tracker.running();
    },

    async exportState(stack, env) {
      return exportDeployment(await select(stack, env), stack, env);
    },

    async importState(stack, env, dep) {
      const s = await select(stack, env);
      const current = await exportDeployment(s, stack, env);
      writeBackup(current, { backendDir: backendDir(env, opts.repoRoot), cacheDir: opts.cacheDir }, stack.name, 'import', new Date(now()));
      try {
        await s.importStack(dep as never);
      } catch (e) {
        throw mapPulumiError(e, context(stack, env, 'stack import'));
      }
    },

    async clearLocks(stack, env) {
      const s = await select(stack, env);
      try {
        await s.cancel();
      } catch (e) {
        throw mapPulumiError(e, context(stack, env, 'cancel'));
      }
    },

    async version() {
      const { cmd } = await command();
      return cmd.version?.toString() ?? 'unknown';
    },
  };
  return engine;
}
