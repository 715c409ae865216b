/**
 * The `simulate` engine: runs phase programs offline under Pulumi's mocks (one fresh child process
 * per evaluation, see worker.ts), diffs the result against the persisted simulated state (diff.ts),
 * emits the same resource-op events the real engine adapter emits, and persists state per stack
 * (state-store.ts) so later phases and later runs see it.
 *
 * `up` protocol, so that a killed run looks like the real engine's interrupted update:
 *   1. write the in-flight marker (lastResult `in-progress`, the stack itself pending);
 *   2. evaluate; on failure or cancel restore the previous resources/outputs (and any pending
 *      operations an earlier interrupted run left) with lastResult `failed`/`cancelled`, then reject;
 *   3. write the marker again listing every resource operation about to be applied;
 *   4. emit the operations (started, done), then write the new state with no pending operations.
 * `preview` writes nothing. `destroy` marks every resource pending-delete, emits the deletes and
 * removes the stack's file. Outputs are synthetic; the orchestrator labels them simulated.
 */
import { PlatformError, isPlatformError } from '../../core/errors.js';
import { emptyCounts, type ChangeCounts, type PlatformEvent } from '../../core/events.js';
import { hasProgram, type AnyPhase } from '../../core/phase.js';
import type {
  Engine,
  EngineRequest,
  EngineResult,
  OutputMap,
  PlannedResource,
  StackInfo,
  StackRef,
} from '../../core/ports.js';
import type { EnvConfig } from '../../core/env.js';
import { MASK } from '../../core/secrets.js';
import { diffResources, toStoredInputs, type PlannedOp, type StoredResource } from './diff.js';
import type { EvaluateResult } from './protocol.js';
import { runWorker } from './run-worker.js';
import { StateStore, STATE_SCHEMA_VERSION, type SimStackState } from './state-store.js';

export interface SimulateEngineOptions {
  /** The env's simulate folder, e.g. `<repo>/.platform/simulate/<env>`; one `<stack>.json` per stack. */
  stateDir: string;
  /** Kills an evaluation that takes longer (default 120 s). */
  timeoutMs?: number;
  /** Keeps program stack traces (slower evaluation). */
  verbose?: boolean;
  /** Clock for timestamps and durations (default Date.now). */
  now?: () => number;
}

/** The Pulumi project every stack belongs to (root Pulumi.yaml). */
export const PROJECT = 'platform';
const STACK_TYPE = 'pulumi:pulumi:Stack';

function rootUrn(stack: string): string {
  return `urn:pulumi:${stack}::${PROJECT}::${STACK_TYPE}::${PROJECT}-${stack}`;
}

function stackNotFound(stack: StackRef): PlatformError {
  return new PlatformError('stack-not-found', `stack ${stack.name} does not exist (simulated)`, {
    value: stack.name,
    hint: `deploy it first: platform up --phase ${stack.phase} --env ${stack.env}`,
  });
}

function requireProgram(phase: AnyPhase): void {
  if (!hasProgram(phase)) {
    throw new PlatformError('no-program', `phase ${phase.id} has no program yet`, {
      value: String(phase.id),
      hint: 'select phases that have a program (see `platform phases`)',
    });
  }
}

function countOps(ops: readonly PlannedOp[]): ChangeCounts {
  const counts = emptyCounts();
  for (const o of ops) counts[o.op] += 1;
  return counts;
}

/** Creates the offline engine over one env's simulate state folder. */
export function createSimulateEngine(options: SimulateEngineOptions): Engine {
  const store = new StateStore(options.stateDir);
  const now = options.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  const timeoutMs = options.timeoutMs ?? 120_000;

  async function evaluate(req: EngineRequest): Promise<EvaluateResult> {
    requireProgram(req.phase);
    return runWorker(
      {
        kind: 'evaluate',
        moduleUrl: req.phase.module,
        inputs: req.inputs,
        stack: req.stack.name,
        project: PROJECT,
        config: { 'aws:region': req.env.regions.primary },
        synthetic: { accountId: req.env.accountId, region: req.env.regions.primary, stack: req.stack.name },
        drainTimeoutMs: timeoutMs,
        verbose: options.verbose ?? false,
      },
      { signal: req.signal, timeoutMs, phaseId: req.phase.id },
    );
  }

  function emitOps(req: Pick<EngineRequest, 'emit' | 'phase'>, ops: readonly PlannedOp[]): void {
    for (const o of ops) {
      const started = now();
      const base = { type: 'resource-op', phase: req.phase.id, urn: o.urn, resourceType: o.type, name: o.name, op: o.op } as const;
      const diffs = o.diffs ? { diffs: o.diffs, ...(o.changes ? { changes: o.changes } : {}) } : {};
      req.emit({ ...base, status: 'started', ...diffs, at: iso() } satisfies PlatformEvent);
      req.emit({ ...base, status: 'done', ...diffs, durationMs: now() - started, at: iso() } satisfies PlatformEvent);
    }
  }

  function planned(phase: AnyPhase, evaluation: EvaluateResult): PlannedResource[] {
    return evaluation.resources.map((r) => {
      const secret = new Set(r.secretInputs);
      const inputs = Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, secret.has(k) ? MASK : v]));
      return {
        phase: phase.id,
        urn: r.urn,
        type: r.type,
        name: r.name,
        inputs,
        ...(r.secretInputs.length ? { secretInputs: [...r.secretInputs] } : {}),
      };
    });
  }

  function stored(evaluation: EvaluateResult): StoredResource[] {
    return evaluation.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      custom: r.custom,
      id: r.id,
      inputs: toStoredInputs(r.inputs, r.secretInputs),
      secretInputs: [...r.secretInputs],
      ...(r.replaceOnChanges ? { replaceOnChanges: [...r.replaceOnChanges] } : {}),
    }));
  }

  function freshState(stack: string): SimStackState {
    const at = iso();
    return { schemaVersion: STATE_SCHEMA_VERSION, stack, createdAt: at, updatedAt: at, resources: [], outputs: {}, pendingOperations: [] };
  }

  function throwIfAborted(req: Pick<EngineRequest, 'signal' | 'stack'>, when: 'before it started' | 'before it applied anything'): void {
    if (req.signal.aborted) {
      throw new PlatformError('cancelled', `simulated operation on stack ${req.stack.name} was cancelled ${when}`, {
        value: req.stack.name,
        hint: 'nothing was changed; run the command again to continue',
      });
    }
  }

  function warnPending(req: EngineRequest, prev: SimStackState | undefined): void {
    if (!prev?.pendingOperations.length) return;
    const list = prev.pendingOperations.map((p) => `${p.op} ${p.urn}`).join(', ');
    req.emit({
      type: 'diagnostic',
      phase: req.phase.id,
      severity: 'warning',
      message: `stack ${req.stack.name} had ${prev.pendingOperations.length} pending operation(s) from an interrupted update (${list}); a successful update supersedes them`,
      at: iso(),
    });
  }

  const engine: Engine = {
    kind: 'simulate',

    async info(stack: StackRef, _env: EnvConfig): Promise<StackInfo> {
      const state = await store.read(stack.name);
      if (!state) return { exists: false, pendingOperations: [], resourceCount: 0 };
      return {
        exists: true,
        ...(state.lastResult ? { lastResult: state.lastResult } : {}),
        ...(state.lastUpdateAt ? { lastUpdateAt: state.lastUpdateAt } : {}),
        pendingOperations: state.pendingOperations.map((p) => ({ ...p })),
        resourceCount: state.resources.length,
      };
    },

    async preview(req: EngineRequest): Promise<EngineResult> {
      throwIfAborted(req, 'before it started');
      const prev = await store.read(req.stack.name);
      const evaluation = await evaluate(req);
      const ops = diffResources(prev?.resources ?? [], stored(evaluation));
      emitOps(req, ops);
      // Planned outputs, so that a dependent in the same preview can be planned on them.
      const declaredSecret = new Set(req.phase.secretOutputs);
      const engineSecret = new Set(evaluation.secretOutputs);
      const outputs: OutputMap = Object.fromEntries(
        Object.entries(evaluation.outputs).map(([k, value]) => [k, { value, secret: engineSecret.has(k) || declaredSecret.has(k) }]),
      );
      return { changes: countOps(ops), outputs: structuredClone(outputs), resources: planned(req.phase, evaluation) };
    },

    async up(req: EngineRequest): Promise<EngineResult> {
      throwIfAborted(req, 'before it started');
      requireProgram(req.phase);
      const prev = await store.read(req.stack.name);
      warnPending(req, prev);
      const base = prev ?? freshState(req.stack.name);
      const inFlight = (pendingOperations: SimStackState['pendingOperations']): SimStackState => ({
        ...base,
        lastResult: 'in-progress',
        updatedAt: iso(),
        pendingOperations,
      });
      await store.write(inFlight([{ urn: rootUrn(req.stack.name), type: STACK_TYPE, op: prev ? 'update' : 'create' }]));
      let evaluation: EvaluateResult;
      try {
        evaluation = await evaluate(req);
        throwIfAborted(req, 'before it applied anything');
      } catch (e) {
        const result = isPlatformError(e) && e.code === 'cancelled' ? 'cancelled' : 'failed';
        // Nothing was applied: what an earlier interrupted run left pending is still unresolved.
        await store.write({ ...base, lastResult: result, lastUpdateAt: iso(), updatedAt: iso(), pendingOperations: prev?.pendingOperations ?? [] });
        throw e;
      }
      const next = stored(evaluation);
      const ops = diffResources(prev?.resources ?? [], next);
      await store.write(inFlight(ops.filter((o) => o.op !== 'same').map((o) => ({ urn: o.urn, type: o.type, op: o.op }))));
      emitOps(req, ops);
      const declaredSecret = new Set(req.phase.secretOutputs);
      const engineSecret = new Set(evaluation.secretOutputs);
      const outputs: OutputMap = Object.fromEntries(
        Object.entries(evaluation.outputs).map(([k, value]) => [k, { value, secret: engineSecret.has(k) || declaredSecret.has(k) }]),
      );
      const at = iso();
      await store.write({ ...base, resources: next, outputs, lastResult: 'succeeded', lastUpdateAt: at, updatedAt: at, pendingOperations: [] });
      return { changes: countOps(ops), outputs: structuredClone(outputs), resources: planned(req.phase, evaluation) };
    },

    async destroy(req: Omit<EngineRequest, 'inputs'>): Promise<EngineResult> {
      throwIfAborted(req, 'before it started');
      const prev = await store.read(req.stack.name);
      if (!prev) throw stackNotFound(req.stack);
      const ops = diffResources(prev.resources, []);
      await store.write({
        ...prev,
        lastResult: 'in-progress',
        updatedAt: iso(),
        pendingOperations: ops.map((o) => ({ urn: o.urn, type: o.type, op: o.op })),
      });
      emitOps(req, ops);
      await store.remove(req.stack.name);
      return { changes: countOps(ops) };
    },

    async deployedResources(stack: StackRef, _env: EnvConfig): Promise<PlannedResource[]> {
      const state = await store.read(stack.name);
      // Stored inputs keep secrets as hashes; masked here like a plan's.
      return (state?.resources ?? []).map((r) => {
        const secret = new Set(r.secretInputs);
        const inputs = Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, secret.has(k) ? MASK : v]));
        return { phase: stack.phase, urn: r.urn, type: r.type, name: r.name, inputs };
      });
    },

    async outputs(stack: StackRef, _env: EnvConfig): Promise<OutputMap> {
      const state = await store.read(stack.name);
      if (!state) throw stackNotFound(stack);
      return structuredClone(state.outputs);
    },
  };
  return engine;
}
