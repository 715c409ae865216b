/**
 * The one-character status mark at the start of a phase row: a spinner while the phase works,
 * a fixed symbol otherwise.
 */
import Spinner from 'ink-spinner';
import type { PhaseStatus } from '../../core/events.js';
import { ToneText } from './Theme.js';
import type { Tone } from '../selectors.js';

const SYMBOL: Record<PhaseStatus, string> = {
  queued: '·',
  waiting: '…',
  checking: '',
  running: '',
  planned: '?',
  verifying: '',
  succeeded: '✔',
  skipped: '↷',
  failed: '✖',
  blocked: '⊘',
  cancelled: '■',
};

export interface StatusIconProps {
  readonly status: PhaseStatus;
  readonly tone: Tone;
}

/** A spinner for checking/running/verifying, else the status symbol. */
export function StatusIcon({ status, tone }: StatusIconProps) {
  const symbol = SYMBOL[status];
  return <ToneText tone={tone}>{symbol === '' ? <Spinner type="dots" /> : symbol}</ToneText>;
}

/** The symbol of a finished status, for plain text (summaries). */
export function statusSymbol(status: PhaseStatus): string {
  return SYMBOL[status] || '•';
}
