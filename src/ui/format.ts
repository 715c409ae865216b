/** Formatting for the plain host and the CLI's result printers (durations shared with the ink UI). */
import type { ChangeCounts, CostChange } from '../core/events.js';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

const plain: Style = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s };
const ansi = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const colored: Style = { bold: ansi(1, 22), dim: ansi(2, 22), red: ansi(31, 39), green: ansi(32, 39), yellow: ansi(33, 39) };

/** Colour only on a TTY, never with NO_COLOR set (any value) or TERM=dumb. */
export function styleFor(isTty: boolean, env: NodeJS.ProcessEnv): Style {
  if (!isTty || env.NO_COLOR !== undefined || env.TERM === 'dumb') return plain;
  return colored;
}

/** Every kind of change, zeros included, and the unchanged count: the plain host's summary line. */
export function formatAllCounts(c: ChangeCounts): string {
  return `+${c.create} ~${c.update} -${c.delete} ±${c.replace} (${c.same} unchanged)`;
}

export { formatDuration } from './view-format.js';

/** A previewed phase's cost line: `cost: +150.20 USD/month (149.20 -> 299.40); not estimated: ...`. */
export function formatCost(c: CostChange): string {
  const money = (n: number) => n.toFixed(2);
  const head =
    c.deltaUsd !== undefined && c.beforeUsd !== undefined
      ? `cost: ${c.deltaUsd >= 0 ? '+' : '-'}${money(Math.abs(c.deltaUsd))} USD/month (${money(c.beforeUsd)} -> ${money(c.afterUsd)})`
      : `cost: ${money(c.afterUsd)} USD/month planned; change unknown${c.unavailable ? `: ${c.unavailable}` : ''}`;
  const shown = c.notEstimated.slice(0, 4);
  const more = c.notEstimated.length - shown.length;
  return c.notEstimated.length ? `${head}; not estimated: ${shown.join(', ')}${more > 0 ? ` (+${more} more types; platform cost)` : ''}` : head;
}

export function formatValue(v: unknown, max = 100): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** One property change as a line: `retentionInDays: 7 -> 30` (absent sides read `(none)`). */
export function formatChange(c: { path: string; old?: unknown; new?: unknown }, max = 160): string {
  const side = (present: boolean, v: unknown) => (present ? (v === undefined ? 'undefined' : JSON.stringify(v)) : '(none)');
  const cut = (t: string) => (t.length > max ? `${t.slice(0, max - 1)}…` : t);
  return `${c.path}: ${cut(side('old' in c, c.old))} -> ${cut(side('new' in c, c.new))}`;
}
