/**
 * The gates runner: evaluates a phase's gates after its update (or alone for `platform verify`).
 *
 * Rules:
 * - Gates run in parallel, except that a gate waits for every gate named in its `after`; if one of
 *   those did not pass, it is `skipped` naming it. Unknown names and cycles are definition bugs and
 *   throw before anything runs.
 * - With the simulate engine (`simulated: true`) every live gate is `skipped` with hint `simulated`;
 *   it never passes. Gates with `live: false` run for real.
 * - A gate is polled: `check` runs, and a `fail` is retried every `intervalMs` (on the injected clock)
 *   until `timeoutMs` is spent; the timed-out result carries the last evidence seen. A `terminal`
 *   fail, a pass or a skip ends polling at once. A thrown PlatformError is a terminal fail (waiting
 *   cannot fix configuration); any other thrown error is a failed attempt (APIs flap while settling).
 * - Cancellation (`signal`) ends polling: the gate is `skipped` with hint `cancelled`.
 * - Every gate emits `gate-started` then `gate-result`; evidence, hints and errors are scrubbed of the
 *   given secret values before they leave the runner.
 */
import type { Gate, GateCheckOutcome, GateContext, GateResult } from '../core/gate.js';
import type { PhaseId } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import type { Clock } from '../core/ports.js';
import type { PlatformEvent } from '../core/events.js';
import { PlatformError, isPlatformError } from '../core/errors.js';

export interface RunGatesOptions<Probes = unknown> {
  env: EnvConfig;
  /** The phase's validated outputs (plain values). */
  outputs: Record<string, unknown>;
  probes: Probes;
  clock: Clock;
  signal: AbortSignal;
  /** True with the simulate engine: live gates are skipped, never passed. */
  simulated: boolean;
  emit(event: PlatformEvent): void;
  /** Secret values (kubeconfig, passwords) to scrub from evidence, hints and errors. */
  secretValues?: readonly string[];
  /** Run only these gates (by name), e.g. `platform verify --gate`. Default: all. */
  only?: readonly string[];
}

/** Hint of a live gate skipped because the engine is `simulate`. */
export const SIMULATED_HINT = 'simulated';
/** Hint of a gate skipped because the run was cancelled. */
export const CANCELLED_HINT = 'cancelled';

/**
 * Runs the gates of `phase` and returns one result per gate, in the phase's declared order.
 * Never throws for a failing gate (that is a result); throws PlatformError `bad-phase` for a
 * malformed gate list (duplicate name, unknown or cyclic `after`).
 */
/** A phase with its gates loaded (`phaseGates` in src/core/phase.ts loads them). */
export interface GatedPhase {
  id: PhaseId;
  gates: readonly Gate<any, any>[];
}

export async function runGates<Probes>(phase: GatedPhase, opts: RunGatesOptions<Probes>): Promise<GateResult[]> {
  const all = phase.gates as readonly Gate<Record<string, unknown>, Probes>[];
  validateGraph(phase.id, all);
  const gates = opts.only ? all.filter((g) => opts.only!.includes(g.name)) : all;
  if (opts.only) {
    const unknown = opts.only.filter((n) => !all.some((g) => g.name === n));
    if (unknown.length > 0) {
      throw new PlatformError('usage', `phase ${phase.id} has no gate named '${unknown[0]}'`, {
        value: unknown[0],
        hint: `gates of phase ${phase.id}: ${all.map((g) => g.name).join(', ') || '(none)'}`,
      });
    }
  }
  const scrub = makeScrubber(opts.secretValues ?? []);
  const done = new Map<string, Promise<GateResult>>();
  const start = (gate: Gate<Record<string, unknown>, Probes>): Promise<GateResult> => {
    let p = done.get(gate.name);
    if (!p) {
      p = (async () => {
        const prereqs = (gate.after ?? []).filter((n) => gates.some((g) => g.name === n));
        const before = await Promise.all(prereqs.map((n) => start(gates.find((g) => g.name === n)!)));
        const failed = before.find((r) => r.status !== 'pass');
        opts.emit({ type: 'gate-started', phase: phase.id, gate: gate.name, at: iso(opts.clock) });
        // A simulated live gate is `skipped: simulated` whatever its prerequisites say.
        const result = failed && !(opts.simulated && gate.live)
          ? skip(gate, [`needs gate '${failed.gate}' to pass; it is ${failed.status}`], `fix gate '${failed.gate}' first`)
          : await runOne(phase.id, gate, opts, scrub);
        opts.emit({ type: 'gate-result', phase: phase.id, result, at: iso(opts.clock) });
        return result;
      })();
      done.set(gate.name, p);
    }
    return p;
  };
  return Promise.all(gates.map(start));
}

async function runOne<Probes>(
  phase: PhaseId,
  gate: Gate<Record<string, unknown>, Probes>,
  opts: RunGatesOptions<Probes>,
  scrub: (s: string) => string,
): Promise<GateResult> {
  if (opts.simulated && gate.live) {
    return skip(gate, ['simulate engine: no live resources to look at'], SIMULATED_HINT);
  }
  const { clock, signal } = opts;
  const started = clock.now();
  const deadline = started + gate.timeoutMs;
  const ctx: GateContext<Record<string, unknown>, Probes> = {
    env: opts.env,
    outputs: opts.outputs,
    probes: opts.probes,
    signal,
    clock,
    deadline,
  };
  let attempts = 0;
  let last: GateCheckOutcome | undefined;
  const finish = (o: GateCheckOutcome): GateResult => ({
    gate: gate.name,
    status: o.status,
    evidence: o.evidence.map(scrub),
    ...(o.hint !== undefined ? { hint: scrub(o.hint) } : {}),
    durationMs: clock.now() - started,
  });
  for (;;) {
    if (signal.aborted) return cancelled(gate, last, clock.now() - started, scrub);
    attempts++;
    let outcome: GateCheckOutcome;
    try {
      outcome = await gate.check(ctx);
    } catch (e) {
      if (signal.aborted) return cancelled(gate, last, clock.now() - started, scrub);
      outcome = thrownOutcome(phase, gate, e);
    }
    if (outcome.status !== 'fail' || outcome.terminal) return finish(outcome);
    last = outcome;
    const now = clock.now();
    if (now >= deadline) {
      return finish({
        status: 'fail',
        evidence: [...outcome.evidence, `timed out after ${gate.timeoutMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'}); the evidence above is the last seen`],
        hint: outcome.hint ?? `gate '${gate.name}' did not pass within ${gate.timeoutMs} ms`,
      });
    }
    try {
      await clock.sleep(Math.min(gate.intervalMs, deadline - now), signal);
    } catch {
      return cancelled(gate, last, clock.now() - started, scrub);
    }
  }
}

function thrownOutcome(phase: PhaseId, gate: Gate<any, any>, e: unknown): GateCheckOutcome {
  if (isPlatformError(e)) {
    return { status: 'fail', evidence: [`error: ${e.message}`], hint: e.hint ?? `fix the configuration of phase ${phase}`, terminal: true };
  }
  const msg = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  return { status: 'fail', evidence: [`error: ${msg}`], hint: `gate '${gate.name}' could not complete its check; see the error` };
}

function skip(gate: Gate<any, any>, evidence: string[], hint: string): GateResult {
  return { gate: gate.name, status: 'skipped', evidence, hint, durationMs: 0 };
}

function cancelled(gate: Gate<any, any>, last: GateCheckOutcome | undefined, durationMs: number, scrub: (s: string) => string): GateResult {
  return {
    gate: gate.name,
    status: 'skipped',
    evidence: [...(last?.evidence ?? []).map(scrub), 'run cancelled before the gate finished'],
    hint: CANCELLED_HINT,
    durationMs,
  };
}

function validateGraph(phase: PhaseId, gates: readonly Gate<any, any>[]): void {
  const names = new Set<string>();
  for (const g of gates) {
    if (names.has(g.name)) {
      throw new PlatformError('bad-phase', `phase ${phase} declares gate '${g.name}' twice`, { value: g.name, hint: 'gate names must be unique within a phase' });
    }
    names.add(g.name);
  }
  for (const g of gates) {
    for (const a of g.after ?? []) {
      if (!names.has(a)) {
        throw new PlatformError('bad-phase', `gate '${g.name}' of phase ${phase} runs after unknown gate '${a}'`, { value: a, hint: `known gates: ${[...names].join(', ')}` });
      }
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' -> ');
      throw new PlatformError('bad-phase', `gates of phase ${phase} wait on each other: ${cycle}`, { value: cycle, hint: 'remove one `after` edge' });
    }
    state.set(name, 'visiting');
    for (const a of gates.find((g) => g.name === name)?.after ?? []) visit(a, [...path, name]);
    state.set(name, 'done');
  };
  for (const g of gates) visit(g.name, []);
}

function makeScrubber(secrets: readonly string[]): (s: string) => string {
  const values = secrets.filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  return (s) => values.reduce((acc, v) => acc.split(v).join('[secret]'), s);
}

function iso(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
