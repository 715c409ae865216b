/**
 * One phase of an `up` or `preview` run: build inputs from the env and validated upstream outputs,
 * fingerprint them, skip when unchanged (up, without --force), call the engine, validate outputs,
 * run static checks and gates, and record the result beside the state. Every failure becomes a
 * PlatformError; the caller turns it into the phase's final state.
 */
import { PlatformError, isPlatformError } from '../core/errors.js';
import { emptyCounts, type CostChange, type StatusCause } from '../core/events.js';
import { fingerprint, hashValue } from '../core/fingerprint.js';
import { hasGates, type AnyPhase, type PhaseId, type UpstreamOutputs } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import type { Engine, OutputMap, PhaseRecord, PlannedResource, StackRef, StackState } from '../core/ports.js';
import { maskOutputs, plainOutputs, redact, secretStrings } from '../core/secrets.js';
import { RunContext, fixCommand } from './context.js';
import { targetOf } from './scope.js';
import { gatesAccepted } from './dependency-check.js';
import { secretKeys, validateOutputs } from './outputs.js';

export interface StepRequest {
  command: 'up' | 'preview';
  phase: AnyPhase;
  env: EnvConfig;
  /** Outputs of every upstream phase (from this run or verified deployed ones). */
  upstream: ReadonlyMap<PhaseId, OutputMap>;
  /** The phase's upstream ids, direct and transitive. */
  upstreamIds: readonly PhaseId[];
  force: boolean;
  /** Phases selected in this run (a preview's dependents read their planned outputs). */
  plannedInRun?: readonly PhaseId[];
  /** For upstream outputs held sealed (from a skip): the upstream's recorded outputs hash. */
  sealedHashes?: ReadonlyMap<PhaseId, string>;
  /** Reads an upstream phase's outputs in full (decrypting its secrets): only when this phase runs. */
  reveal?: (dep: PhaseId) => Promise<OutputMap>;
  /** This phase's stack as the run's preflight read it (engines with `state`). */
  state?: StackState;
  /**
   * The preview `up` runs before asking: a phase that `up` would skip as unchanged is skipped here
   * too (same fingerprint, same checks), so an unchanged phase costs no engine preview.
   */
  skipUnchanged?: boolean;
  runId: string;
  signal: AbortSignal;
}

export interface StepResult {
  state: 'succeeded' | 'skipped' | 'failed' | 'cancelled';
  /** After a skip read from the checkpoint, secret values are sealed (see `outputsHash`). */
  outputs?: OutputMap;
  /** Set when `outputs` are sealed: the hash of their plain values recorded at the last up. */
  outputsHash?: string;
  reason?: string;
  /** Why it was skipped, as a typed field. */
  cause?: StatusCause;
  error?: PlatformError;
}

export async function runStep(ctx: RunContext, req: StepRequest): Promise<StepResult> {
  try {
    return await step(ctx, req);
  } catch (e) {
    // Anything thrown before the engine call (inputs, fingerprint, records) fails this phase only.
    const secrets = [...req.upstream.values()].flatMap((o) => secretStrings(o));
    const error = toPlatformError(e, req.phase, secrets);
    return { state: error.code === 'cancelled' ? 'cancelled' : 'failed', error };
  }
}

async function step(ctx: RunContext, req: StepRequest): Promise<StepResult> {
  const { phase } = req;
  const { sources, clock } = ctx.ports;
  // An organization-scoped phase runs on the organization's stack, engine, records and config
  // (`env` below), whichever env's command reached it; its inputs come from the organization file.
  const { env, engine, records, ref } = targetOf(phase, req.env, ctx.ports);
  const simulated = engine.kind === 'simulate';
  const organization = ctx.ports.organization?.config;
  const phaseCtx = (upstream: UpstreamOutputs) => ({ env: req.env, organization, upstream, simulated });
  // Every upstream phase's outputs, direct and transitive (a phase may read a value two edges away,
  // e.g. the kubeconfig of phase 2 in phase 5); only what inputs() reads enters the fingerprint.
  const maps = new Map<PhaseId, OutputMap>();
  for (const dep of req.upstreamIds) {
    const out = req.upstream.get(dep);
    if (!out && req.command === 'preview' && req.plannedInRun?.includes(dep)) {
      return { state: 'skipped', cause: 'not-planned', reason: `not planned: phase ${dep}, whose outputs it needs, was not planned` };
    }
    if (!out) {
      return {
        state: 'failed',
        error: new PlatformError('dependency-check', `phase ${phase.id} has no outputs of phase ${dep} to consume`, {
          value: String(dep),
          hint: `run: ${fixCommand('up', dep, req.env.name)}`,
        }),
      };
    }
    maps.set(dep, out);
  }
  const hashOf = (dep: PhaseId) => req.sealedHashes?.get(dep) ?? hashValue(plainOutputs(maps.get(dep)!));
  const sourceHash = await sources.hash(phase);

  // The fingerprint of an `up` never needs a secret's plaintext: inputs() runs on the upstream
  // outputs with every secret replaced by a placeholder. When it read none, those are the real
  // inputs; when it read some, the fingerprint also binds the hashes of everything they could come
  // from (the env and organization files and those upstream outputs), so a change still shows.
  let fp: string | undefined;
  let inputs: unknown;
  let haveInputs = false;
  const upLike = req.command === 'up' || req.skipUnchanged === true;
  if (upLike) {
    const read = new Set<PhaseId>();
    const view: UpstreamOutputs = {};
    for (const [dep, out] of maps) view[dep] = withPlaceholders(dep, out, read);
    let viewInputs: unknown;
    let built = true;
    try {
      viewInputs = phase.inputs(phaseCtx(view));
    } catch {
      built = false; // e.g. it parses a secret: fall back to the real values below
    }
    if (built) {
      const deps = [...read].sort((a, b) => a - b);
      const sealed = deps.length ? { env: hashValue(req.env), organization: hashValue(organization ?? null), upstream: Object.fromEntries(deps.map((d) => [d, hashOf(d)])) } : undefined;
      fp = fingerprint({ sources: sourceHash, inputs: viewInputs, engine: engine.kind, sealed });
      if (!deps.length) [inputs, haveInputs] = [viewInputs, true];
    }
  }
  const realPlain = (): { plain: UpstreamOutputs; unknownRead: string[] } => {
    const plain: UpstreamOutputs = {};
    const unknownRead: string[] = [];
    for (const [dep, out] of maps) plain[dep] = guardUnknown(dep, out, unknownRead);
    return { plain, unknownRead };
  };
  if (fp === undefined) {
    // A preview, or inputs that cannot be built on placeholders: the real values (secrets read).
    for (const [dep, out] of maps) if (isSealed(out)) maps.set(dep, await revealOutputs(req, dep));
    const { plain, unknownRead } = realPlain();
    try {
      inputs = phase.inputs(phaseCtx(plain));
    } catch (e) {
      if (!unknownRead.length) throw e;
      // A preview over a chain: the upstream's plan leaves values its inputs need unknown.
      return {
        state: 'skipped',
        cause: 'not-planned',
        reason: `not planned: its inputs need ${unknownRead.join(', ')}, which a preview cannot know (created by the update, or secret); deploy first (run: ${fixCommand('up', Number(unknownRead[0]!.split('.')[0]) as PhaseId, req.env.name)})`,
      };
    }
    haveInputs = true;
    fp = fingerprint({ sources: sourceHash, inputs, engine: engine.kind });
  }
  const previous = await records.read(env.name, phase.id);

  if (upLike && !req.force && previous?.status === 'succeeded' && previous.fingerprint === fp) {
    const skip = await unchanged(ctx, req, previous, engine, ref, env);
    // The fingerprint binds the sources: these are what the stack runs. A record from before source
    // hashes were kept gets its hash now, so it can serve as promotion evidence (promotion.ts).
    if (skip && req.command === 'up' && previous.sources !== sourceHash) await records.write({ ...previous, sources: sourceHash });
    if (skip) return { ...skip, cause: 'unchanged', reason: `unchanged since ${previous.finishedAt ?? previous.startedAt} (fingerprint ${fp}); --force runs it anyway` };
  }
  if (!haveInputs) {
    // The phase runs and its inputs read secrets: only now are they decrypted.
    for (const [dep, out] of maps) if (isSealed(out)) maps.set(dep, await revealOutputs(req, dep));
    inputs = phase.inputs(phaseCtx(realPlain().plain));
  }

  const started = clock.now();
  const consumed: Partial<Record<PhaseId, string>> = {};
  if (req.command === 'up') for (const dep of req.upstreamIds) consumed[dep] = hashOf(dep);
  const emit = (e: Parameters<RunContext['emit']>[0]) => ctx.emit(e);
  const base: PhaseRecord = {
    env: env.name,
    phase: phase.id,
    stack: ref.name,
    engine: engine.kind,
    status: 'in-progress',
    startedAt: new Date(started).toISOString(),
    runId: req.runId,
    sources: sourceHash,
  };
  ctx.status(phase.id, 'running');
  if (req.command === 'up') await records.write({ ...base, fingerprint: previous?.fingerprint, gates: previous?.gates });

  const redactions = [...maps.values()].flatMap((o) => secretStrings(o));
  try {
    const engineReq = { stack: ref, env, phase, inputs, signal: req.signal, emit };
    // In envs whose file makes findings blocking, `up` plans first and checks before any change.
    if (req.command === 'up' && ctx.ports.checks && env.checks.blockOnViolation) {
      const planned = await engine.preview({ ...engineReq, emit: () => {} });
      await staticChecks(ctx, phase.id, env, planned.resources ?? [], req.env.name);
    }
    const result = req.command === 'up' ? await engine.up(engineReq) : await engine.preview(engineReq);
    const cost = req.command === 'preview' && result.resources ? await costChange(ctx, engine, ref, env, phase.id, result.resources) : undefined;
    ctx.emit({ type: 'phase-summary', phase: phase.id, changes: result.changes ?? emptyCounts(), durationMs: clock.now() - started, ...(cost ? { cost } : {}), at: ctx.at() });
    if (ctx.ports.checks && result.resources && !(req.command === 'up' && env.checks.blockOnViolation)) {
      await staticChecks(ctx, phase.id, env, result.resources, req.env.name);
    }
    // Planned outputs (unknowns marked) let a dependent in the same preview be planned too.
    if (req.command === 'preview') return { state: 'succeeded', ...(result.outputs ? { outputs: result.outputs } : {}) };

    const outputs = result.outputs ?? {};
    const problem = validateOutputs(phase, outputs);
    if (problem) {
      throw new PlatformError('outputs-invalid', `phase ${phase.id} (${phase.slug}) returned outputs that break its contract: ${problem}`, {
        hint: `fix programs/${String(phase.id).padStart(2, '0')}-${phase.slug} so its outputs match its schema`,
      });
    }
    ctx.emit({ type: 'outputs', phase: phase.id, outputs: maskOutputs(outputs, secretKeys(phase, outputs)), simulated, at: ctx.at() });

    let gateResults = previous?.gates?.fingerprint === fp ? previous.gates.results : [];
    if (ctx.ports.gates && hasGates(phase)) {
      ctx.status(phase.id, 'verifying');
      gateResults = await ctx.ports.gates(phase, { env, outputs: plainOutputs(outputs), signal: req.signal, simulated, emit });
    }
    const failedGate = gateResults.find((g) => g.status === 'fail');
    const record: PhaseRecord = {
      ...base,
      // The update succeeded; a failed gate lives in `gates` (dependents then need `platform verify`).
      status: 'succeeded',
      fingerprint: fp,
      gates: { fingerprint: fp, results: gateResults, at: new Date(clock.now()).toISOString() },
      consumed,
      outputsHash: hashValue(plainOutputs(outputs)),
      ...(result.stateHash ? { stateHash: result.stateHash } : {}),
      finishedAt: new Date(clock.now()).toISOString(),
      error: failedGate ? `gate '${failedGate.gate}' failed` : undefined,
    };
    await records.write(record);
    if (failedGate) {
      const error = new PlatformError('gate-failed', `phase ${phase.id} (${phase.slug}): gate '${failedGate.gate}' failed: ${failedGate.evidence.at(-1) ?? 'no evidence'}`, {
        hint: failedGate.hint ?? `re-run the gates: platform verify --phase ${phase.id} --env ${req.env.name}`,
      });
      return { state: 'failed', outputs, error };
    }
    return { state: 'succeeded', outputs };
  } catch (e) {
    const error = toPlatformError(e, phase, redactions);
    if (req.command === 'up') {
      await records.write({
        ...base,
        fingerprint: previous?.fingerprint,
        gates: previous?.gates,
        status: error.code === 'cancelled' ? 'cancelled' : 'failed',
        finishedAt: new Date(clock.now()).toISOString(),
        error: error.message,
      });
    }
    return { state: error.code === 'cancelled' ? 'cancelled' : 'failed', error };
  }
}

/**
 * Whether a phase whose fingerprint matches its record may be skipped, and with which outputs.
 * With an engine that reads its checkpoint (`state`) and a record that holds the state hash of the
 * last up: one read, no secret decrypted; the stack must exist, hold no pending operations, be held
 * by no live process, and hash exactly as it did after that up (so a stack changed behind the CLI's
 * back runs again). Otherwise, as before: the stack's info and its outputs.
 */
async function unchanged(
  ctx: RunContext,
  req: StepRequest,
  previous: PhaseRecord,
  engine: Engine,
  ref: StackRef,
  env: EnvConfig,
): Promise<Pick<StepResult, 'state' | 'outputs' | 'outputsHash'> | undefined> {
  if (!gatesAccepted(previous, engine.kind === 'simulate').ok) return undefined;
  if (engine.state && previous.stateHash && previous.outputsHash) {
    let st = req.state;
    if (!st) {
      st = await engine.state(ref, env);
      if (st.fallback) ctx.emit({ type: 'diagnostic', phase: req.phase.id, severity: 'info', message: `read stack ${ref.name} with one Pulumi CLI call: ${st.fallback}`, at: ctx.at() });
    }
    const same = st.exists && st.pendingOperations.length === 0 && !st.lockedBy && st.stateHash === previous.stateHash;
    return same ? { state: 'skipped', outputs: st.outputs, outputsHash: previous.outputsHash } : undefined;
  }
  const info = await engine.info(ref, env);
  if (!(info.exists && info.pendingOperations.length === 0 && info.lastResult === 'succeeded')) return undefined;
  return { state: 'skipped', outputs: await engine.outputs(ref, env) };
}

/** True when some secret of the map was read without its value (StackState.outputs). */
export function isSealed(out: OutputMap): boolean {
  return Object.values(out).some((o) => o.sealed);
}

async function revealOutputs(req: StepRequest, dep: PhaseId): Promise<OutputMap> {
  if (!req.reveal) throw new PlatformError('engine-failed', `phase ${req.phase.id} needs the secret outputs of phase ${dep}, and this run cannot read them`, { value: String(dep) });
  return req.reveal(dep);
}

/**
 * An upstream phase's outputs for computing a fingerprint: every secret value replaced by the
 * placeholder `[secret <phase>.<key>]`; reading one notes the phase in `read`.
 */
function withPlaceholders(dep: PhaseId, out: OutputMap, read: Set<PhaseId>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  const secret = new Set<string>();
  for (const [k, o] of Object.entries(out)) {
    if (o.secret) {
      plain[k] = `[secret ${dep}.${k}]`;
      secret.add(k);
    } else plain[k] = o.value;
  }
  if (!secret.size) return plain;
  return new Proxy(plain, {
    get(target, key, receiver) {
      if (typeof key === 'string' && secret.has(key)) read.add(dep);
      return Reflect.get(target, key, receiver);
    },
  });
}

/**
 * The plain outputs of an upstream phase for `inputs()`. Values a preview left unknown throw when
 * read (noting `<phase>.<key>` in `read`), so a phase whose inputs need one is reported, not planned
 * on a placeholder.
 */
function guardUnknown(dep: PhaseId, out: OutputMap, read: string[]): Record<string, unknown> {
  const plain = plainOutputs(out);
  const unknown = new Set(Object.entries(out).filter(([, o]) => o.unknown).map(([k]) => k));
  if (!unknown.size) return plain;
  return new Proxy(plain, {
    get(target, key, receiver) {
      if (typeof key === 'string' && unknown.has(key)) {
        if (!read.includes(`${dep}.${key}`)) read.push(`${dep}.${key}`);
        throw new PlatformError('dependency-check', `output ${key} of phase ${dep} is unknown until it is deployed`, { value: `${dep}.${key}` });
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

/**
 * The cost line of a previewed phase: the planned resources priced against what the stack holds.
 * An engine that cannot list them gets the planned cost and the reason; a pricing failure is
 * reported in `unavailable`, never as a failed preview.
 */
async function costChange(ctx: RunContext, engine: Engine, ref: StackRef, env: EnvConfig, phase: PhaseId, planned: PlannedResource[]): Promise<CostChange | undefined> {
  const price = ctx.ports.cost;
  if (!price) return undefined;
  try {
    const before = engine.deployedResources ? await engine.deployedResources(ref, env) : undefined;
    const change = await price(phase, before, planned, env);
    return before ? change : { ...change, unavailable: `the ${engine.kind} engine cannot list the resources the stack holds` };
  } catch (e) {
    return { afterUsd: 0, notEstimated: [], unavailable: `the cost could not be estimated: ${(e as Error).message}` };
  }
}

/** Runs the static checks over a phase's planned resources; blocking findings throw check-failed. */
async function staticChecks(ctx: RunContext, phase: PhaseId, env: EnvConfig, resources: PlannedResource[], envName: string): Promise<void> {
  const checked = await ctx.ports.checks!(phase, resources, env);
  for (const line of checked.findings) {
    ctx.emit({ type: 'diagnostic', phase, severity: checked.blocking ? 'error' : 'warning', message: line, at: ctx.at() });
  }
  if (checked.blocking && checked.findings.length > 0) {
    const file = env.name === envName ? `stacks/${envName}.yaml` : 'the program (the organization file has no suppressions)';
    throw new PlatformError('check-failed', `phase ${phase}: ${checked.findings.length} static check finding(s) block ${env.name === envName ? `env ${envName}` : `the organization stack`} before any change`, {
      hint: `see: platform check --phase ${phase} --env ${envName}; fix them or add a suppression with a reason and an expiry to ${file}`,
    });
  }
}

/**
 * The step's failure as a typed error, with the phase's secret values masked in the message and in
 * every cause's message and stack (--verbose prints the causes). A PlatformError keeps its code; a
 * failure of the machine or a service the step talks to (a Node system error such as EACCES, an AWS
 * SDK error: the record store) stays `engine-failed`; any other exception is a bug in this step (a
 * phase's `inputs()`, records, fingerprinting), never an engine failure: engines wrap their own
 * failures, and a program's exception is `program-bug`.
 */
function toPlatformError(e: unknown, phase: AnyPhase, secrets: string[]): PlatformError {
  if (isPlatformError(e)) {
    if (secrets.length === 0) return e;
    const cause = e.cause === undefined ? undefined : redactedCause(e.cause, secrets);
    return new PlatformError(e.code, redact(e.message, secrets), { hint: e.hint, value: e.value, exitCode: e.exitCode, cause });
  }
  if (isServiceFailure(e)) {
    return new PlatformError('engine-failed', `phase ${phase.id} (${phase.slug}) failed: ${redact(e.message, secrets)}`, { cause: redactedCause(e, secrets) });
  }
  const message = redact(e instanceof Error ? `${e.name}: ${e.message}` : String(e), secrets);
  return new PlatformError('internal', `phase ${phase.id} (${phase.slug}) failed on a bug (not an engine or provider failure): ${message}`, {
    hint: 'run with --verbose for the stack trace, and report it',
    cause: redactedCause(e, secrets),
  });
}

/** A Node system error (`code` and `syscall`) or an AWS SDK service error (`$metadata`). */
function isServiceFailure(e: unknown): e is Error {
  if (!(e instanceof Error)) return false;
  const f = e as Error & { code?: unknown; syscall?: unknown; $metadata?: unknown };
  return (typeof f.code === 'string' && typeof f.syscall === 'string') || (typeof f.$metadata === 'object' && f.$metadata !== null);
}

function redactedCause(e: unknown, secrets: string[], depth = 0): Error {
  if (!(e instanceof Error)) return new Error(redact(String(e), secrets));
  const copy = new Error(redact(e.message, secrets), depth < 5 && e.cause !== undefined ? { cause: redactedCause(e.cause, secrets, depth + 1) } : undefined);
  copy.name = e.name;
  copy.stack = e.stack === undefined ? undefined : redact(e.stack, secrets);
  return copy;
}
