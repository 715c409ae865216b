/**
 * An in-memory engine for orchestrator tests, held to the same engine contract as the real engines
 * (test/engine-contract/suite.ts runs it in test/engine/fake-engine.test.ts).
 *
 * Its "program" for a phase is a `FakeProgram`: a function of the inputs that declares resources
 * (type, name, inputs, which input names force a replacement, which are secret) and outputs. The
 * engine keeps per-stack state in memory and behaves like a deployment engine:
 * - up/preview diff the declared resources against the stack's state by name: `create`, `same`,
 *   `update` (changed input names, with old -> new values; secrets masked) or `replace` (a changed
 *   `replaceOn` input; the resource gets a new id), and `delete` for what the program no longer
 *   declares, after everything else; preview persists nothing and returns the outputs that do not
 *   depend on a resource id;
 * - a program that throws fails the update with `program-bug`, keeping the last good state and
 *   outputs (lastResult `failed`); an aborted signal rejects with `cancelled` and changes nothing;
 *   a phase without a program is refused with `no-program`; outputs of a missing stack throw
 *   `stack-not-found`;
 * - every read and write copies, so a caller never holds the engine's state.
 *
 * Test knobs: per-phase `delays` (on the injected clock), `failures`, `badOutputs` (outputs that
 * break the schema), `planned` (what a preview returns as outputs), `calls` (what was asked) and
 * `stacks` (the deployed state, which a test may change behind the engine's back, like drift).
 * Phases without a program of their own in `programs` run `thingProgram`: one `test:Thing`
 * resource whose inputs are the phase's inputs, and outputs `value` (the inputs as text) and the
 * secret `token`.
 */
import { createHash } from 'node:crypto';
import { PlatformError, isPlatformError } from '../../src/core/errors.js';
import { emptyCounts, type ChangeCounts, type PlatformEvent, type PropertyChange, type ResourceOp } from '../../src/core/events.js';
import type { AnyPhase, PhaseId } from '../../src/core/phase.js';
import type { Clock, Engine, EngineRequest, EngineResult, OutputMap, PlannedResource, StackInfo, StackRef } from '../../src/core/ports.js';

/** One resource a fake program declares. */
export interface FakeResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Input names whose change replaces the resource (a new id). */
  replaceOn?: readonly string[];
  /** Input names whose values are secret (masked in events and planned resources). */
  secretInputs?: readonly string[];
}

/** What a fake program returns: its resources, and outputs (a function of the resource ids for computed ones). */
export interface FakeDeclaration {
  resources: FakeResource[];
  outputs: Record<string, unknown | ((ids: Record<string, string>) => unknown)>;
}

export type FakeProgram = (inputs: unknown, ctx: { phase: AnyPhase; clock: Clock; signal: AbortSignal }) => Promise<FakeDeclaration> | FakeDeclaration;

interface StoredResource {
  type: string;
  id: string;
  inputs: Record<string, unknown>;
  secretInputs: readonly string[];
}

export interface FakeStack {
  outputs: OutputMap;
  lastResult: 'succeeded' | 'failed';
  pending: number;
  /** By resource name; absent for stacks a test planted by hand. */
  resources?: Map<string, StoredResource>;
}

/** The default program: one `test:Thing` carrying the inputs, outputs `value` and the secret `token`. */
export const thingProgram: FakeProgram = (inputs, { phase }) => ({
  resources: [{ type: 'test:Thing', name: 'thing', inputs: { inputs: JSON.stringify(inputs) } }],
  outputs: { value: `p${phase.id}:${JSON.stringify(inputs)}`, token: `secret-token-${phase.id}` },
});

const SECRET = '[secret]';

export class FakeEngine implements Engine {
  readonly kind: 'simulate' | 'pulumi';
  readonly stacks = new Map<string, FakeStack>();
  readonly calls: { op: string; stack: string }[] = [];
  delays = new Map<PhaseId, number>();
  failures = new Map<PhaseId, string>();
  /** Makes outputs break the phase's schema. */
  badOutputs = new Set<PhaseId>();
  /** Planned outputs a preview returns, per phase (else the outputs that need no resource id). */
  planned = new Map<PhaseId, OutputMap>();
  /** Programs by phase slug (others run `thingProgram`). */
  readonly programs = new Map<string, FakeProgram>();
  private serial = 0;

  constructor(
    private readonly clock: Clock,
    kind: 'simulate' | 'pulumi' = 'simulate',
  ) {
    this.kind = kind;
  }

  async info(stack: StackRef): Promise<StackInfo> {
    const s = this.stacks.get(stack.name);
    return {
      exists: Boolean(s),
      lastResult: s?.lastResult,
      pendingOperations: Array.from({ length: s?.pending ?? 0 }, (_, i) => ({ urn: `urn:${i}`, type: 't', op: 'creating' })),
      resourceCount: s ? (s.resources?.size ?? 1) : 0,
    };
  }

  async preview(req: EngineRequest): Promise<EngineResult> {
    this.calls.push({ op: 'preview', stack: req.stack.name });
    const { declared, changes, resources, ids } = await this.plan(req);
    this.emitOps(req, declared, changes);
    const planned = this.planned.get(req.phase.id) ?? this.outputMap(req.phase, declared.outputs, ids, true);
    return { changes: tally(changes), outputs: structuredClone(planned), resources };
  }

  async up(req: EngineRequest): Promise<EngineResult> {
    this.calls.push({ op: 'up', stack: req.stack.name });
    let plan: Awaited<ReturnType<FakeEngine['plan']>>;
    try {
      plan = await this.plan(req);
      const fail = this.failures.get(req.phase.id);
      if (fail) throw failed(req.phase.id, new Error(fail));
    } catch (e) {
      if (isPlatformError(e) && (e.code === 'engine-failed' || e.code === 'program-bug')) {
        const prev = this.stacks.get(req.stack.name);
        if (prev) prev.lastResult = 'failed';
        else this.stacks.set(req.stack.name, { outputs: {}, lastResult: 'failed', pending: 0, resources: new Map() });
      }
      throw e;
    }
    const { declared, changes, resources, ids, next } = plan;
    this.emitOps(req, declared, changes);
    const outputs: OutputMap = this.badOutputs.has(req.phase.id) ? { value: { value: 42, secret: false } } : this.outputMap(req.phase, declared.outputs, ids, false);
    this.stacks.set(req.stack.name, { outputs: structuredClone(outputs), lastResult: 'succeeded', pending: 0, resources: next });
    return { changes: tally(changes), outputs, resources };
  }

  async destroy(req: Omit<EngineRequest, 'inputs'>): Promise<EngineResult> {
    this.calls.push({ op: 'destroy', stack: req.stack.name });
    await this.work(req);
    const s = this.stacks.get(req.stack.name);
    const gone = [...(s?.resources ?? new Map<string, StoredResource>())].reverse();
    const changes: Change[] = gone.map(([name, r]) => ({ name, type: r.type, op: 'delete' }));
    this.emitOps(req, { resources: [], outputs: {} }, changes);
    this.stacks.delete(req.stack.name);
    return { changes: tally(changes) };
  }

  async outputs(stack: StackRef): Promise<OutputMap> {
    const s = this.stacks.get(stack.name);
    if (!s) throw new PlatformError('stack-not-found', `stack ${stack.name} not found`);
    return structuredClone(s.outputs);
  }

  mutatingCalls(): { op: string; stack: string }[] {
    return this.calls.filter((c) => c.op !== 'preview');
  }

  /** Waits the phase's delay, then refuses a phase without a program or a cancelled request. */
  private async work(req: Pick<EngineRequest, 'phase' | 'signal'>): Promise<void> {
    if (req.signal.aborted) throw cancelled(req.phase.id);
    const d = this.delays.get(req.phase.id) ?? 0;
    if (d > 0) await this.clock.sleep(d, req.signal).catch(() => undefined);
    if (req.signal.aborted) throw cancelled(req.phase.id);
  }

  /** Runs the program and diffs what it declares against the stack's state. */
  private async plan(req: EngineRequest) {
    await this.work(req);
    if (!req.phase.loadProgram) throw new PlatformError('no-program', `phase ${req.phase.id} has no program yet`);
    const program = this.programs.get(req.phase.slug) ?? thingProgram;
    let declared: FakeDeclaration;
    try {
      declared = await Promise.race([program(structuredClone(req.inputs), { phase: req.phase, clock: this.clock, signal: req.signal }), aborted(req.signal, req.phase.id)]);
    } catch (e) {
      if (req.signal.aborted) throw cancelled(req.phase.id);
      throw new PlatformError('program-bug', `phase ${req.phase.id}: bug in the phase program: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (req.signal.aborted) throw cancelled(req.phase.id);
    const before = this.stacks.get(req.stack.name)?.resources ?? new Map<string, StoredResource>();
    const next = new Map<string, StoredResource>();
    const changes: Change[] = [];
    for (const r of declared.resources) {
      const old = before.get(r.name);
      const secretInputs = r.secretInputs ?? [];
      const inputs = structuredClone(r.inputs);
      if (!old) {
        next.set(r.name, { type: r.type, id: this.newId(r), inputs, secretInputs });
        changes.push({ name: r.name, type: r.type, op: 'create' });
        continue;
      }
      const diffs = [...new Set([...Object.keys(old.inputs), ...Object.keys(inputs)])].filter((k) => JSON.stringify(old.inputs[k]) !== JSON.stringify(inputs[k])).sort();
      const replace = diffs.some((k) => r.replaceOn?.includes(k));
      next.set(r.name, { type: r.type, id: replace ? this.newId(r) : old.id, inputs, secretInputs });
      const masked = (k: string, v: unknown) => (secretInputs.includes(k) || old.secretInputs.includes(k) ? SECRET : v);
      changes.push(
        diffs.length === 0
          ? { name: r.name, type: r.type, op: 'same' }
          : {
              name: r.name,
              type: r.type,
              op: replace ? 'replace' : 'update',
              diffs,
              changes: diffs.map((k) => ({ path: k, old: masked(k, old.inputs[k]), new: masked(k, inputs[k]), ...(secretInputs.includes(k) ? { secret: true } : {}) })),
            },
      );
    }
    const declaredNames = new Set(declared.resources.map((r) => r.name));
    for (const [name, r] of [...before].reverse()) if (!declaredNames.has(name)) changes.push({ name, type: r.type, op: 'delete' });
    const ids = Object.fromEntries([...next].map(([name, r]) => [name, r.id]));
    const resources: PlannedResource[] = declared.resources.map((r) => ({
      phase: req.phase.id,
      urn: urnOf(req.stack.name, r.type, r.name),
      type: r.type,
      name: r.name,
      inputs: Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, r.secretInputs?.includes(k) ? SECRET : structuredClone(v)])),
      ...(r.secretInputs?.length ? { secretInputs: [...r.secretInputs] } : {}),
    }));
    return { declared, changes, resources, ids, next };
  }

  private newId(r: FakeResource): string {
    this.serial += 1;
    return `${r.name}-${createHash('sha256').update(`${r.type}|${r.name}|${this.serial}`).digest('hex').slice(0, 8)}`;
  }

  private emitOps(req: Pick<EngineRequest, 'phase' | 'stack' | 'emit'>, _declared: FakeDeclaration, changes: Change[]): void {
    const at = new Date(this.clock.now()).toISOString();
    for (const c of changes) {
      const base = { type: 'resource-op' as const, phase: req.phase.id, urn: urnOf(req.stack.name, c.type, c.name), resourceType: c.type, name: c.name, op: c.op, at };
      req.emit({ ...base, status: 'started' } as PlatformEvent);
      req.emit({ ...base, status: 'done', durationMs: 0, ...(c.diffs ? { diffs: c.diffs, changes: c.changes } : {}) } as PlatformEvent);
    }
  }

  private outputMap(phase: AnyPhase, outputs: FakeDeclaration['outputs'], ids: Record<string, string>, planning: boolean): OutputMap {
    const out: OutputMap = {};
    for (const [k, v] of Object.entries(outputs)) {
      if (typeof v === 'function' && planning) continue;
      const value = typeof v === 'function' ? (v as (ids: Record<string, string>) => unknown)(ids) : structuredClone(v);
      out[k] = { value, secret: phase.secretOutputs.includes(k) };
    }
    return out;
  }
}

interface Change {
  name: string;
  type: string;
  op: ResourceOp;
  diffs?: string[];
  changes?: PropertyChange[];
}

function tally(changes: Change[]): ChangeCounts {
  const counts = emptyCounts();
  for (const c of changes) if (c.op in counts) counts[c.op as keyof ChangeCounts] += 1;
  return counts;
}

function urnOf(stack: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::platform::${type}::${name}`;
}

function failed(phase: PhaseId, e: unknown): PlatformError {
  return new PlatformError('engine-failed', `phase ${phase} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

function cancelled(phase: PhaseId): PlatformError {
  return new PlatformError('cancelled', `phase ${phase} cancelled`);
}

/** Never resolves; rejects with `cancelled` when the signal aborts. */
function aborted(signal: AbortSignal, phase: PhaseId): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(cancelled(phase)), { once: true }));
}
