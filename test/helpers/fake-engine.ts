/**
 * An in-memory engine for orchestrator tests and the DAG benchmark: each phase's "program" is a
 * function of its inputs; per-phase delays and failures are configurable; it records every call so
 * tests can assert that nothing mutating happened.
 */
import { z } from 'zod';
import { PlatformError } from '../../src/core/errors.js';
import { emptyCounts } from '../../src/core/events.js';
import type { AnyPhase, PhaseId } from '../../src/core/phase.js';
import type { Clock, Engine, EngineRequest, EngineResult, OutputMap, PhaseRecord, RecordStore, SourceHasher, StackInfo, StackRef, Journal, Locker, Host } from '../../src/core/ports.js';
import type { PlatformEvent } from '../../src/core/events.js';

export interface FakeStack {
  outputs: OutputMap;
  lastResult: 'succeeded' | 'failed';
  pending: number;
}

export class FakeEngine implements Engine {
  readonly kind: 'simulate' | 'pulumi';
  readonly stacks = new Map<string, FakeStack>();
  readonly calls: { op: string; stack: string }[] = [];
  delays = new Map<PhaseId, number>();
  failures = new Map<PhaseId, string>();
  /** Makes outputs break the phase's schema. */
  badOutputs = new Set<PhaseId>();

  constructor(private readonly clock: Clock, kind: 'simulate' | 'pulumi' = 'simulate') {
    this.kind = kind;
  }

  async info(stack: StackRef): Promise<StackInfo> {
    const s = this.stacks.get(stack.name);
    return {
      exists: Boolean(s),
      lastResult: s?.lastResult,
      pendingOperations: Array.from({ length: s?.pending ?? 0 }, (_, i) => ({ urn: `urn:${i}`, type: 't', op: 'creating' })),
      resourceCount: s ? 1 : 0,
    };
  }

  private async work(req: EngineRequest | Omit<EngineRequest, 'inputs'>): Promise<void> {
    const d = this.delays.get(req.phase.id) ?? 0;
    if (d > 0) await this.clock.sleep(d, req.signal);
    if (req.signal.aborted) throw new PlatformError('cancelled', `phase ${req.phase.id} cancelled`);
  }

  /** Planned outputs a preview returns, per phase (none when unset). */
  planned = new Map<PhaseId, OutputMap>();

  async preview(req: EngineRequest): Promise<EngineResult> {
    this.calls.push({ op: 'preview', stack: req.stack.name });
    await this.work(req);
    const planned = this.planned.get(req.phase.id);
    return { changes: { ...emptyCounts(), create: this.stacks.has(req.stack.name) ? 0 : 1 }, ...(planned ? { outputs: planned } : {}) };
  }

  async up(req: EngineRequest): Promise<EngineResult> {
    this.calls.push({ op: 'up', stack: req.stack.name });
    await this.work(req);
    const fail = this.failures.get(req.phase.id);
    if (fail) {
      const prev = this.stacks.get(req.stack.name);
      if (prev) prev.lastResult = 'failed';
      else this.stacks.set(req.stack.name, { outputs: {}, lastResult: 'failed', pending: 0 });
      throw new PlatformError('engine-failed', `phase ${req.phase.id} failed: ${fail}`);
    }
    const existed = this.stacks.has(req.stack.name);
    req.emit({ type: 'resource-op', phase: req.phase.id, urn: `urn:${req.stack.name}::thing`, resourceType: 'test:Thing', name: 'thing', op: existed ? 'same' : 'create', status: 'done', durationMs: 1, at: new Date(this.clock.now()).toISOString() });
    const outputs: OutputMap = this.badOutputs.has(req.phase.id)
      ? { value: { value: 42, secret: false } }
      : { value: { value: `p${req.phase.id}:${JSON.stringify(req.inputs)}`, secret: false }, token: { value: `secret-token-${req.phase.id}`, secret: true } };
    this.stacks.set(req.stack.name, { outputs, lastResult: 'succeeded', pending: 0 });
    return { changes: { ...emptyCounts(), [existed ? 'same' : 'create']: 1 }, outputs };
  }

  async destroy(req: Omit<EngineRequest, 'inputs'>): Promise<EngineResult> {
    this.calls.push({ op: 'destroy', stack: req.stack.name });
    await this.work(req);
    this.stacks.delete(req.stack.name);
    return { changes: { ...emptyCounts(), delete: 1 } };
  }

  async outputs(stack: StackRef): Promise<OutputMap> {
    const s = this.stacks.get(stack.name);
    if (!s) throw new PlatformError('stack-not-found', `stack ${stack.name} not found`);
    return s.outputs;
  }

  mutatingCalls(): { op: string; stack: string }[] {
    return this.calls.filter((c) => c.op !== 'preview');
  }
}

export const testOutputs = z.object({ value: z.string(), token: z.string() });

/** Test phases with the given edges; each consumes its upstreams' `value`. */
export function testPhases(edges: Record<number, number[]>, withoutProgram: number[] = []): AnyPhase[] {
  return Object.entries(edges).map(([id, deps]) => ({
    id: Number(id) as PhaseId,
    slug: `p${id}`,
    title: `phase ${id}`,
    module: import.meta.url,
    dependsOn: deps as PhaseId[],
    inputs: (ctx) => ({ env: ctx.env.name, up: deps.map((d) => (ctx.upstream[d as PhaseId] as { value: string }).value.length) }),
    outputs: testOutputs,
    secretOutputs: ['token'],
    gates: [],
    loadProgram: withoutProgram.includes(Number(id)) ? undefined : async () => async () => ({}),
  }));
}

export class MemoryRecords implements RecordStore {
  readonly records = new Map<PhaseId, PhaseRecord>();
  writes = 0;
  async read(_env: string, phase: PhaseId) {
    return this.records.get(phase);
  }
  async write(r: PhaseRecord) {
    this.writes++;
    this.records.set(r.phase, structuredClone(r));
  }
  async remove(_env: string, phase: PhaseId) {
    this.records.delete(phase);
  }
}

export class MemoryJournal implements Journal {
  readonly events: PlatformEvent[] = [];
  constructor(readonly runId = 'run-test') {}
  append(e: PlatformEvent) {
    this.events.push(e);
  }
  async close() {}
}

export class MemoryLocker implements Locker {
  readonly held = new Set<string>();
  async acquire(key: string) {
    if (this.held.has(key)) throw new PlatformError('locked', `stack ${key} is locked by test`);
    this.held.add(key);
    return { release: async () => void this.held.delete(key) };
  }
}

export class RecordingHost implements Host {
  readonly events: PlatformEvent[] = [];
  answer = false;
  asked: string[] = [];
  notify(e: PlatformEvent) {
    this.events.push(e);
  }
  async confirm(req: { message: string }) {
    this.asked.push(req.message);
    return this.answer;
  }
  async close() {}
}

/** A virtual clock: sleep resolves when time is advanced past its deadline, or immediately with auto. */
export class FakeClock implements Clock {
  t = Date.UTC(2026, 10, 26, 12, 0, 0);
  private timers: { at: number; resolve: () => void }[] = [];
  now() {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = { at: this.t + ms, resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(new PlatformError('cancelled', 'cancelled'));
      }, { once: true });
      queueMicrotask(() => this.drain());
    });
  }
  /** Runs timers in deadline order, advancing time to each: a discrete-event simulation. */
  private draining = false;
  private drain() {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      if (this.timers.length === 0) return;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.resolve();
      this.drain();
    });
  }
}

export const staticSources: SourceHasher = { hash: async (p) => `src-${p.id}` };
