/**
 * Pure text formatting shared by the UI hosts: durations, change counts, phase labels, and
 * truncation that keeps both ends of a long name readable. No colour here: colour is the
 * renderer's business, so NO_COLOR output stays plain by construction.
 */
import type { ChangeCounts, StatusCause } from '../core/events.js';
import type { PhaseId } from '../core/phase.js';

/**
 * A duration for humans: `0.4s`, `3.2s`, `42s`, `1m05s`, `1h02m`. Negative input is treated as 0.
 */
export function formatDuration(ms: number): string {
  const t = Math.max(0, ms);
  if (t < 10_000) return `${(t / 1000).toFixed(1)}s`;
  const s = Math.round(t / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Change counts as `+create ~update -delete ±replace`, listing only the non-zero kinds.
 * Unchanged resources are not listed (they are not changes). Empty string when nothing changed.
 */
export function formatCounts(c: ChangeCounts): string {
  const parts: string[] = [];
  if (c.create) parts.push(`+${c.create}`);
  if (c.update) parts.push(`~${c.update}`);
  if (c.delete) parts.push(`-${c.delete}`);
  if (c.replace) parts.push(`±${c.replace}`);
  return parts.join(' ');
}

/** `02 cluster` when the slug is known, else `phase 2`. */
export function phaseLabel(id: PhaseId, names: Partial<Record<PhaseId, string>>): string {
  const slug = names[id];
  return slug ? `${String(id).padStart(2, '0')} ${slug}` : `phase ${id}`;
}

/**
 * Shortens `text` to at most `max` characters by cutting its middle (`aws:ec2…main-vpc`), which keeps
 * the type prefix and the resource name, the two parts people scan for.
 */
export function truncateMiddle(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  if (max === 1) return '…';
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  const tail = keep - head;
  return `${text.slice(0, head)}…${tail > 0 ? text.slice(text.length - tail) : ''}`;
}

/** Shortens `text` to at most `max` characters, cutting the end. */
export function truncateEnd(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Median of a non-empty list (mean of the two middle values for even lengths). */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The short words for why a phase was skipped or cancelled, from the event's typed `cause` (never
 * from its `reason` text, which is for people and may change wording at any time).
 */
export function causeWord(cause: StatusCause | undefined): string | undefined {
  switch (cause) {
    case 'no-program': return 'no program yet';
    case 'unchanged': return 'unchanged';
    case 'not-deployed': return 'not deployed';
    case 'not-planned': return 'not planned';
    case 'declined': return 'not confirmed';
    case 'confirmation-required': return 'needs --yes';
    case 'interrupted': return 'interrupted';
    case 'locked': return 'locked';
    case 'fail-fast': return 'fail-fast';
    case 'dependency': return 'dependency';
    case 'changes-pending': return 'changes pending';
    default: return undefined;
  }
}
