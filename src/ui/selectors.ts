/**
 * View selectors: pure functions from the reducer's state (and `now`, for live times) to what the
 * hosts draw. Rules:
 * - Rows follow DAG order. Labels name the phase a row waits on or is blocked by (`blocked by 03 gitops`).
 * - ETA = median of the phase's previous durations in this env; shown only when there is history.
 *   Before start: `~2m10s`; while active: `~45s left`, or `12s over` once past the median.
 * - Resource rows: at most 3 (verbose: 12). In-flight operations come first in priority and are drawn
 *   last, with their live duration; the most recent finished changes fill the rest (verbose: unchanged
 *   ones too), drawn above them.
 * - Outputs: scalars are shown, nested values only as their size; keys that look secret and values
 *   already masked print as "[secret]".
 */
import type { PhaseStatus } from '../core/events.js';
import type { PhaseId } from '../core/phase.js';
import { MASK } from '../core/secrets.js';
import type { ChangedResource, DiagnosticState, GateState, OpState, PhaseState, UiState } from './reducer.js';
import { isTerminal } from './reducer.js';
import { causeWord, formatCounts, formatDuration, median, phaseLabel } from './view-format.js';
import { formatCost } from './format.js';

/** How a row should be coloured; the renderer maps tones to colours (or to nothing under NO_COLOR). */
export type Tone = 'pending' | 'active' | 'ok' | 'muted' | 'warn' | 'error';

export interface OpRowView {
  key: string;
  op: OpState['op'];
  status: OpState['status'];
  name: string;
  resourceType: string;
  /** Finished: its duration; in flight: time since it started. */
  durationMs: number;
}

export interface PhaseRowView {
  id: PhaseId;
  label: string;
  status: PhaseStatus;
  statusText: string;
  tone: Tone;
  terminal: boolean;
  elapsedMs?: number;
  etaText?: string;
  countsText: string;
  /** Why a phase was skipped, when that takes a sentence. */
  detail?: string;
  ops: OpRowView[];
  /** Resource-op events not shown in `ops`. */
  hiddenOps: number;
  gates: readonly GateState[];
  diagnostics: DiagnosticState[];
  /** Warnings and errors kept for the finished row (static-check findings stay on screen). */
  warnings: DiagnosticState[];
  hiddenWarnings: number;
  /** The resources a preview would change (shown for previews and for plans awaiting an answer). */
  changed: readonly ChangedResource[];
  hiddenChanged: number;
  showPlan: boolean;
  reason?: string;
  hint?: string;
}

export interface SelectOptions {
  verbose?: boolean;
}

/** Warnings a finished row keeps on screen (more with verbose). */
const MAX_WARNINGS = 5;
const MAX_WARNINGS_VERBOSE = 20;
/** Changed resources a preview's row lists (all with verbose, up to the reducer's bound). */
const MAX_PLAN_ROWS = 10;

const TONE: Record<PhaseStatus, Tone> = {
  queued: 'pending', waiting: 'pending', checking: 'active', running: 'active', planned: 'pending', verifying: 'active',
  succeeded: 'ok', skipped: 'muted', failed: 'error', blocked: 'warn', cancelled: 'warn',
};

function statusText(p: PhaseState, names: UiState['names']): string {
  const other = p.on === undefined ? undefined : phaseLabel(p.on, names);
  switch (p.status) {
    case 'waiting': return other ? `waiting on ${other}` : 'waiting';
    case 'checking': return 'checking deps';
    case 'verifying': {
      const done = p.gates.filter((g) => g.status !== 'running').length;
      return p.gates.length ? `verifying gates ${done}/${p.gates.length}` : 'verifying gates';
    }
    case 'skipped':
    case 'cancelled': {
      // The short word comes from the typed cause; the reason sentence (if any) is the row's detail.
      const word = causeWord(p.cause === 'dependency' ? undefined : p.cause);
      return word ? `${p.status} (${word})` : p.status;
    }
    case 'blocked': return other ? `blocked by ${other}` : 'blocked';
    default: return p.status;
  }
}

/** The sentence that explains a skip, shown as given under the row (the status column is short). */
function detail(p: PhaseState): string | undefined {
  return p.status === 'skipped' ? p.reason : undefined;
}

function elapsed(p: PhaseState, now: number): number | undefined {
  if (p.durationMs !== undefined && isTerminal(p.status)) return p.durationMs;
  if (p.startedAt === undefined) return undefined;
  return (p.finishedAt ?? now) - p.startedAt;
}

function eta(p: PhaseState, history: UiState['history'], elapsedMs: number | undefined): string | undefined {
  if (isTerminal(p.status)) return undefined;
  const expected = median(history[p.id] ?? []);
  if (expected === undefined) return undefined;
  if (p.startedAt === undefined) return `~${formatDuration(expected)}`;
  const left = expected - (elapsedMs ?? 0);
  return left >= 0 ? `~${formatDuration(left)} left` : `${formatDuration(-left)} over`;
}

function opRows(p: PhaseState, now: number, verbose: boolean): OpRowView[] {
  const limit = verbose ? 12 : 3;
  const live = p.inFlight.slice(-limit);
  const done: OpState[] = [];
  for (let i = p.recent.length - 1; i >= 0 && live.length + done.length < limit; i--) {
    const o = p.recent[i]!;
    if (verbose || o.op !== 'same' || o.status === 'failed') done.push(o);
  }
  return [...done.reverse(), ...live].map((o, i) => ({
    key: `${o.urn}#${o.status}#${i}`, op: o.op, status: o.status, name: o.name, resourceType: o.resourceType,
    durationMs: o.durationMs ?? Math.max(0, now - Date.parse(o.at)),
  }));
}

/** One row's view. `now` is epoch ms, used only for live elapsed times and ETAs. */
export function selectRow(state: UiState, id: PhaseId, now: number, opts: SelectOptions = {}): PhaseRowView | undefined {
  const p = state.phases[id];
  if (!p) return undefined;
  const verbose = opts.verbose ?? false;
  const terminal = isTerminal(p.status);
  const elapsedMs = elapsed(p, now);
  const ops = terminal ? [] : opRows(p, now, verbose);
  const diagnostics = p.diagnostics.filter((d) => verbose || d.severity !== 'info');
  // A finished row keeps its warnings; a failed phase's errors are already its reason (shown under
  // the row), so they are not listed twice. Decided by severity and status, never by message text.
  const kept = p.diagnostics.filter((d) => d.severity === 'warning' || (d.severity === 'error' && !(p.status === 'failed' && p.reason !== undefined)));
  return {
    id,
    label: phaseLabel(id, state.names),
    status: p.status,
    statusText: statusText(p, state.names),
    tone: TONE[p.status],
    terminal,
    elapsedMs,
    etaText: eta(p, state.history, elapsedMs),
    countsText: formatCounts(p.counts),
    detail: detail(p),
    ops,
    hiddenOps: Math.max(0, p.opsSeen - ops.length),
    gates: p.gates,
    diagnostics: verbose ? diagnostics : diagnostics.slice(-3),
    warnings: kept.slice(0, verbose ? MAX_WARNINGS_VERBOSE : MAX_WARNINGS),
    hiddenWarnings: Math.max(0, kept.length - (verbose ? MAX_WARNINGS_VERBOSE : MAX_WARNINGS)) + p.droppedDiagnostics,
    changed: p.changed.slice(0, verbose ? p.changed.length : MAX_PLAN_ROWS),
    hiddenChanged: Math.max(0, p.changed.length - (verbose ? p.changed.length : MAX_PLAN_ROWS)) + p.droppedChanged,
    showPlan: p.status === 'planned' || state.run?.command === 'preview',
    reason: p.reason,
    hint: p.hint,
  };
}

/** Every selected phase, in DAG order. */
export function selectRows(state: UiState, now: number, opts: SelectOptions = {}): PhaseRowView[] {
  return state.order.map((id) => selectRow(state, id, now, opts)).filter((r): r is PhaseRowView => r !== undefined);
}

/** Phases still queued or in progress, in DAG order: the live area. */
export function selectLiveRows(state: UiState, now: number, opts: SelectOptions = {}): PhaseRowView[] {
  return selectRows(state, now, opts).filter((r) => !r.terminal);
}

/** Finished phases in the order they finished: printed once, above the live area. */
export function selectFinishedRows(state: UiState, now: number): PhaseRowView[] {
  return state.finishedOrder.map((id) => selectRow(state, id, now)).filter((r): r is PhaseRowView => r !== undefined);
}

const SECRET_KEY = /pass(word)?|secret|token|private.?key|kubeconfig|credential|api.?key/i;

/** A printable form of one output value; never prints nested content or secrets. */
export function displayOutput(key: string, value: unknown): string {
  if (value === MASK || SECRET_KEY.test(key)) return MASK;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    return value.every((v) => typeof v === 'string' || typeof v === 'number') ? value.join(', ') : `[${value.length} items]`;
  }
  return `{${Object.keys(value as object).length} keys}`;
}

export interface SummaryPhaseView {
  id: PhaseId;
  label: string;
  status: PhaseStatus;
  statusText: string;
  tone: Tone;
  durationMs?: number;
  countsText: string;
  detail?: string;
  reason?: string;
  hint?: string;
  outputs: { key: string; value: string }[];
  hiddenOutputs: number;
  simulated: boolean;
  /** A preview's cost line (formatCost). */
  costText?: string;
}

export interface SummaryView {
  exitCode: number;
  ok: boolean;
  /** `Done`, `Cancelled` (exit 130) or `Failed`. */
  verdict: 'Done' | 'Cancelled' | 'Failed';
  durationMs: number;
  next?: string;
  phases: SummaryPhaseView[];
  /** `3 succeeded, 1 failed, 2 blocked` */
  tally: string;
}

/** The final summary, once `run-finished` arrived; undefined before. */
export function selectSummary(state: UiState, opts: SelectOptions & { maxOutputs?: number } = {}): SummaryView | undefined {
  const r = state.result;
  if (!r) return undefined;
  const max = opts.verbose ? Infinity : (opts.maxOutputs ?? 4);
  const tally = new Map<PhaseStatus, number>();
  const phases = state.order.map((id): SummaryPhaseView => {
    const p = state.phases[id]!;
    const status = isTerminal(p.status) ? p.status : (r.phases[id] ?? p.status);
    tally.set(status, (tally.get(status) ?? 0) + 1);
    const entries = Object.entries(p.outputs ?? {});
    return {
      id,
      label: phaseLabel(id, state.names),
      status,
      statusText: statusText({ ...p, status }, state.names),
      tone: TONE[status],
      durationMs: elapsed(p, p.finishedAt ?? p.startedAt ?? 0),
      countsText: formatCounts(p.counts),
      detail: detail({ ...p, status }),
      reason: p.reason,
      hint: p.hint,
      outputs: entries.slice(0, max).map(([key, v]) => ({ key, value: displayOutput(key, v) })),
      hiddenOutputs: Math.max(0, entries.length - max),
      simulated: p.simulated ?? false,
      ...(p.cost ? { costText: formatCost(p.cost) } : {}),
    };
  });
  return {
    exitCode: r.exitCode,
    ok: r.exitCode === 0,
    verdict: r.exitCode === 0 ? 'Done' : r.exitCode === 130 ? 'Cancelled' : 'Failed',
    durationMs: r.durationMs,
    next: r.next,
    phases,
    tally: [...tally].map(([s, n]) => `${n} ${s}`).join(', '),
  };
}
