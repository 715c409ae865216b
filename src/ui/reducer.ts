/**
 * The UI's state: a pure reducer over the one event stream, so that every host (ink, tests, the
 * benchmark) derives the same view from the same events, and rendering never drives the run.
 *
 * Rules:
 * - `reduce(state, event)` never mutates `state`; it copies only the phase the event touches, so the
 *   cost per event is constant (bounded lists, no scans of the whole run).
 * - Times come from the events' `at` fields, never from a clock: replaying a journal gives the same
 *   state. Only the selectors (src/ui/selectors.ts) take `now`, for live elapsed times and ETAs.
 * - Resource operations: the in-flight ones (at most MAX_IN_FLIGHT) and the last MAX_RECENT finished
 *   ones per phase. An event copies only these short lists and parses no date unless it must (a
 *   `done` without `durationMs`), so 5,000 events cost a few milliseconds. Counts are tallied from
 *   `done` operations and replaced by the engine's own totals when `phase-summary` arrives.
 * - A phase reaching a terminal status (succeeded, skipped, failed, blocked, cancelled) is appended
 *   to `finishedOrder` once: the ink host prints those rows permanently, in that order.
 * - Outputs arrive masked (events carry no secrets). They are kept as given; the selectors mask
 *   again by key name and never print nested values, as a second line of defence.
 */
import type { ChangeCounts, Command, CostChange, EngineKind, PhaseStatus, PlatformEvent, PropertyChange, ResourceOp, StatusCause } from '../core/events.js';
import { emptyCounts } from '../core/events.js';
import type { GateStatus } from '../core/gate.js';
import type { PhaseId } from '../core/phase.js';

/** How many finished resource operations each phase keeps for display. */
export const MAX_RECENT = 12;
/** How many in-flight operations each phase keeps; beyond that the oldest leave the view (still counted). */
export const MAX_IN_FLIGHT = 200;
/** How many diagnostics each phase (and the run) keeps; the rest are counted, not kept. */
export const MAX_DIAGNOSTICS = 20;
/** How many changed resources (the plan) each phase keeps for display; the rest are counted. */
export const MAX_CHANGED = 40;

const TERMINAL: ReadonlySet<PhaseStatus> = new Set(['succeeded', 'skipped', 'failed', 'blocked', 'cancelled']);

/** True for statuses after which a phase never changes again in this run. */
export function isTerminal(status: PhaseStatus): boolean {
  return TERMINAL.has(status);
}

/** One resource operation as the UI keeps it. */
export interface OpState {
  urn: string;
  name: string;
  resourceType: string;
  op: ResourceOp;
  status: 'started' | 'done' | 'failed';
  /** ISO time of the `started` event (or of `done` when no start was seen); parsed only for display. */
  at: string;
  /** Set once the operation finished. */
  durationMs?: number;
}

/** One gate of a phase's checklist. */
export interface GateState {
  gate: string;
  status: 'running' | GateStatus;
  startedAt: number;
  durationMs?: number;
  evidence: readonly string[];
  hint?: string;
}

/** One resource the plan (or the run) changes, with its changed properties when the engine gave them. */
export interface ChangedResource {
  op: ResourceOp;
  name: string;
  resourceType: string;
  diffs?: readonly string[];
  changes?: readonly PropertyChange[];
}

export interface DiagnosticState {
  severity: 'info' | 'warning' | 'error';
  message: string;
  urn?: string;
}

export interface PhaseState {
  id: PhaseId;
  status: PhaseStatus;
  /** waiting on / blocked by this phase. */
  on?: PhaseId;
  /** Why, for people: shown as given, never parsed (the selectors read `cause`). */
  reason?: string;
  /** Why, typed (skipped, blocked, cancelled): what the selectors read. */
  cause?: StatusCause;
  hint?: string;
  /** Epoch ms when the phase left the queue (checking, running or verifying). */
  startedAt?: number;
  /** Epoch ms of the terminal status. */
  finishedAt?: number;
  /** The engine's duration from `phase-summary`. */
  durationMs?: number;
  counts: ChangeCounts;
  /** True once `phase-summary` gave the engine's own totals. */
  countsFinal: boolean;
  /** A preview's cost change (phase-summary). */
  cost?: CostChange;
  /** Operations started and not finished, oldest first. */
  inFlight: readonly OpState[];
  /** The last MAX_RECENT finished operations, oldest first. */
  recent: readonly OpState[];
  /** Operations seen (a start, or a finish without a start). */
  opsSeen: number;
  gates: readonly GateState[];
  diagnostics: readonly DiagnosticState[];
  droppedDiagnostics: number;
  /** Resources created, updated, replaced or deleted (bounded by MAX_CHANGED): the plan of a preview. */
  changed: readonly ChangedResource[];
  droppedChanged: number;
  outputs?: Readonly<Record<string, unknown>>;
  simulated?: boolean;
}

export interface RunInfo {
  runId: string;
  env: string;
  engine: EngineKind;
  command: Command;
  parallel: number;
  startedAt: number;
}

export interface RunResult {
  exitCode: number;
  durationMs: number;
  next?: string;
  phases: Partial<Record<PhaseId, PhaseStatus>>;
}

export interface UiState {
  run?: RunInfo;
  /** Selected phases in DAG order (from run-started; phases seen later are inserted by id). */
  order: readonly PhaseId[];
  phases: Readonly<Partial<Record<PhaseId, PhaseState>>>;
  /** Phases in the order they reached a terminal status. */
  finishedOrder: readonly PhaseId[];
  /** Durations (ms) of previous runs per phase in this env, for ETAs. */
  history: Readonly<Partial<Record<PhaseId, readonly number[]>>>;
  /** Phase slugs for labels (`02 cluster`). */
  names: Readonly<Partial<Record<PhaseId, string>>>;
  /** Diagnostics that name no phase. */
  diagnostics: readonly DiagnosticState[];
  result?: RunResult;
  /** Events reduced so far. */
  events: number;
}

export interface InitialStateOptions {
  /** Durations of previous runs of each phase in this env (from the journal). */
  history?: Partial<Record<PhaseId, readonly number[]>>;
  /** Phase slugs by id, from the registry. */
  names?: Partial<Record<PhaseId, string>>;
}

/** The state before any event. */
export function initialState(opts: InitialStateOptions = {}): UiState {
  return {
    order: [],
    phases: {},
    finishedOrder: [],
    history: opts.history ?? {},
    names: opts.names ?? {},
    diagnostics: [],
    events: 0,
  };
}

function newPhase(id: PhaseId): PhaseState {
  return {
    id,
    status: 'queued',
    counts: emptyCounts(),
    countsFinal: false,
    inFlight: [],
    recent: [],
    opsSeen: 0,
    gates: [],
    diagnostics: [],
    droppedDiagnostics: 0,
    changed: [],
    droppedChanged: 0,
  };
}

function time(at: string): number {
  const t = Date.parse(at);
  return Number.isNaN(t) ? 0 : t;
}

function withPhase(state: UiState, id: PhaseId, update: (p: PhaseState) => PhaseState): UiState {
  const known = state.phases[id];
  const next = update(known ?? newPhase(id));
  let order = state.order;
  if (!known && !order.includes(id)) {
    order = [...order, id].sort((a, b) => a - b);
  }
  return { ...state, order, phases: { ...state.phases, [id]: next } };
}

function pushBounded<T>(list: readonly T[], item: T, max: number): T[] {
  const out = list.length >= max ? list.slice(list.length - max + 1) : list.slice();
  out.push(item);
  return out;
}

function applyStatus(state: UiState, e: Extract<PlatformEvent, { type: 'phase-status' }>): UiState {
  const at = time(e.at);
  const next = withPhase(state, e.phase, (p) => {
    if (isTerminal(p.status)) return p; // a finished phase does not move again
    if (p.status === 'planned' && e.status !== 'planned' && !isTerminal(e.status)) {
      // The update after a confirmed plan starts the phase afresh (the plan's counts are not its own).
      return { ...newPhase(p.id), status: e.status, on: e.on, reason: e.reason, cause: e.cause, hint: e.hint, diagnostics: p.diagnostics, droppedDiagnostics: p.droppedDiagnostics };
    }
    const started = p.startedAt ?? (['checking', 'running', 'verifying'].includes(e.status) ? at : undefined);
    return {
      ...p,
      status: e.status,
      on: e.on,
      reason: e.reason,
      cause: e.cause,
      hint: e.hint,
      startedAt: started,
      finishedAt: isTerminal(e.status) ? at : undefined,
    };
  });
  const before = state.phases[e.phase];
  const became = !(before && isTerminal(before.status)) && isTerminal(e.status);
  return became ? { ...next, finishedOrder: [...next.finishedOrder, e.phase] } : next;
}

function applyOp(p: PhaseState, e: Extract<PlatformEvent, { type: 'resource-op' }>): PhaseState {
  if (e.status === 'started') {
    const op: OpState = { urn: e.urn, name: e.name, resourceType: e.resourceType, op: e.op, status: 'started', at: e.at };
    return { ...p, opsSeen: p.opsSeen + 1, inFlight: pushBounded(p.inFlight, op, MAX_IN_FLIGHT) };
  }
  let inFlight = p.inFlight;
  let opsSeen = p.opsSeen;
  let finished: OpState;
  const i = lastIndexOfUrn(inFlight, e.urn);
  if (i >= 0) {
    const s = inFlight[i]!;
    inFlight = [...inFlight.slice(0, i), ...inFlight.slice(i + 1)];
    finished = { ...s, op: e.op, status: e.status, durationMs: e.durationMs ?? Math.max(0, time(e.at) - time(s.at)) };
  } else {
    opsSeen += 1;
    finished = {
      urn: e.urn, name: e.name, resourceType: e.resourceType, op: e.op, status: e.status, at: e.at, durationMs: e.durationMs ?? 0,
    };
  }
  let changed = p.changed;
  let droppedChanged = p.droppedChanged;
  if (e.status === 'done' && (e.op === 'create' || e.op === 'update' || e.op === 'replace' || e.op === 'delete')) {
    if (changed.length < MAX_CHANGED) {
      changed = [...changed, { op: e.op, name: e.name, resourceType: e.resourceType, ...(e.diffs ? { diffs: e.diffs } : {}), ...(e.changes ? { changes: e.changes } : {}) }];
    } else droppedChanged += 1;
  }
  let counts = p.counts;
  if (e.status === 'done' && !p.countsFinal && e.op in counts) {
    const k = e.op as keyof ChangeCounts;
    counts = { ...counts, [k]: counts[k] + 1 };
  }
  return { ...p, opsSeen, inFlight, recent: pushBounded(p.recent, finished, MAX_RECENT), counts, changed, droppedChanged };
}

function lastIndexOfUrn(ops: readonly OpState[], urn: string): number {
  for (let i = ops.length - 1; i >= 0; i--) if (ops[i]!.urn === urn) return i;
  return -1;
}

function applyGate(p: PhaseState, gate: string, update: (g: GateState | undefined) => GateState): PhaseState {
  const i = p.gates.findIndex((g) => g.gate === gate);
  if (i < 0) return { ...p, gates: [...p.gates, update(undefined)] };
  const gates = p.gates.slice();
  gates[i] = update(gates[i]);
  return { ...p, gates };
}

function addDiagnostic(p: PhaseState, d: DiagnosticState): PhaseState {
  const dropped = p.diagnostics.length >= MAX_DIAGNOSTICS ? 1 : 0;
  return { ...p, diagnostics: pushBounded(p.diagnostics, d, MAX_DIAGNOSTICS), droppedDiagnostics: p.droppedDiagnostics + dropped };
}

/** Folds one event into the view state. Pure: returns a new state, never mutates its input. */
export function reduce(state: UiState, event: PlatformEvent): UiState {
  const s: UiState = { ...state, events: state.events + 1 };
  switch (event.type) {
    case 'run-started': {
      const phases = { ...s.phases };
      for (const id of event.phases) phases[id] ??= newPhase(id);
      return {
        ...s,
        run: {
          runId: event.runId, env: event.env, engine: event.engine, command: event.command,
          parallel: event.parallel, startedAt: time(event.at),
        },
        order: [...event.phases],
        phases,
      };
    }
    case 'phase-status':
      return applyStatus(s, event);
    case 'resource-op':
      return withPhase(s, event.phase, (p) => applyOp(p, event));
    case 'diagnostic': {
      const d: DiagnosticState = { severity: event.severity, message: event.message, urn: event.urn };
      if (event.phase === undefined) return { ...s, diagnostics: pushBounded(s.diagnostics, d, MAX_DIAGNOSTICS) };
      return withPhase(s, event.phase, (p) => addDiagnostic(p, d));
    }
    case 'phase-summary':
      return withPhase(s, event.phase, (p) => ({ ...p, counts: { ...event.changes }, countsFinal: true, durationMs: event.durationMs, ...(event.cost ? { cost: event.cost } : {}) }));
    case 'gate-started': {
      const at = time(event.at);
      return withPhase(s, event.phase, (p) =>
        applyGate(p, event.gate, () => ({ gate: event.gate, status: 'running', startedAt: at, evidence: [] })),
      );
    }
    case 'gate-result': {
      const r = event.result;
      const at = time(event.at);
      return withPhase(s, event.phase, (p) =>
        applyGate(p, r.gate, (g) => ({
          gate: r.gate, status: r.status, startedAt: g?.startedAt ?? at - r.durationMs, durationMs: r.durationMs,
          evidence: r.evidence, hint: r.hint,
        })),
      );
    }
    case 'outputs':
      return withPhase(s, event.phase, (p) => ({ ...p, outputs: event.outputs, simulated: event.simulated }));
    case 'drift':
      // Shown through the warning diagnostic the orchestrator emits with it; the event is for --json.
      return s;
    case 'run-finished': {
      // Phases the run ended before they could finish take the run's verdict (cancelled, blocked...).
      let out = s;
      for (const id of out.order) {
        const final = event.phases[id];
        const p = out.phases[id];
        if (final && p && !isTerminal(p.status) && isTerminal(final)) {
          out = applyStatus(out, { type: 'phase-status', phase: id, status: final, at: event.at });
        }
      }
      return {
        ...out,
        result: { exitCode: event.exitCode, durationMs: event.durationMs, next: event.next, phases: { ...event.phases } },
      };
    }
    default: {
      // Exhaustive at compile time; an unknown event at run time (newer emitter) changes nothing.
      const unknown: never = event;
      void unknown;
      return s;
    }
  }
}

/** Folds a list of events, starting from `state`. */
export function reduceAll(state: UiState, events: Iterable<PlatformEvent>): UiState {
  let s = state;
  for (const e of events) s = reduce(s, e);
  return s;
}

