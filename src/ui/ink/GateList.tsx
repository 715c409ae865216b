/**
 * A phase's gate checklist: each gate with a spinner while it runs, then pass/fail/skipped, its
 * duration, and for a failure its hint (and first evidence line).
 */
import { Box } from 'ink';
import Spinner from 'ink-spinner';
import type { GateState } from '../reducer.js';
import type { Tone } from '../selectors.js';
import { formatDuration } from '../view-format.js';
import { ToneText } from './Theme.js';

const MARK: Record<Exclude<GateState['status'], 'running'>, [string, Tone]> = {
  pass: ['✔', 'ok'], fail: ['✖', 'error'], skipped: ['↷', 'muted'],
};

export interface GateListProps {
  readonly gates: readonly GateState[];
  /** Finished rows list only the failed gates. */
  readonly onlyFailed?: boolean;
}

/** Indented gate rows; nothing when there are none. */
export function GateList({ gates, onlyFailed = false }: GateListProps) {
  const shown = onlyFailed ? gates.filter((g) => g.status === 'fail') : gates;
  if (shown.length === 0) return null;
  return (
    <Box flexDirection="column" marginLeft={4}>
      {shown.map((g) => (
        <Box key={g.gate} flexDirection="column">
          <Box flexDirection="row">
            <Box width={2} flexShrink={0}>
              {g.status === 'running' ? <Spinner type="dots" /> : <ToneText tone={MARK[g.status][1]}>{MARK[g.status][0]}</ToneText>}
            </Box>
            <Box flexGrow={1} flexShrink={1}>
              <ToneText>{`gate ${g.gate}${g.status === 'skipped' && g.hint ? ` (skipped: ${g.hint})` : ''}`}</ToneText>
            </Box>
            <Box width={8} flexShrink={0} justifyContent="flex-end">
              <ToneText dim>{g.durationMs === undefined ? '' : formatDuration(g.durationMs)}</ToneText>
            </Box>
          </Box>
          {g.status === 'fail' ? (
            <Box flexDirection="column" marginLeft={2}>
              {g.evidence[0] ? <ToneText dim wrap="wrap">{g.evidence[0]}</ToneText> : null}
              {g.hint ? <ToneText tone="warn" wrap="wrap">{`hint: ${g.hint}`}</ToneText> : null}
            </Box>
          ) : null}
        </Box>
      ))}
    </Box>
  );
}

/**
 * A finished phase's gates in one or a few lines: each gate that did not pass with its reason, and a
 * count of those that passed; gates all skipped for one reason read as one line.
 */
export function GateSummary({ gates }: { readonly gates: readonly GateState[] }) {
  if (gates.length === 0) return null;
  const passed = gates.filter((g) => g.status === 'pass').length;
  const skipped = gates.filter((g) => g.status === 'skipped');
  const failed = gates.filter((g) => g.status === 'fail');
  const why = (g: GateState) => [g.evidence.at(-1), g.hint].filter(Boolean).join(' — ') || 'no reason';
  const reasons = [...new Set(skipped.map(why))];
  const lines: { text: string; tone: Tone }[] = [];
  if (passed) lines.push({ text: `✔ gates: ${passed} passed`, tone: 'ok' });
  for (const g of failed) lines.push({ text: `✖ gate ${g.gate} failed: ${g.evidence.at(-1) ?? 'no evidence'}${g.hint ? ` (hint: ${g.hint})` : ''}`, tone: 'error' });
  if (skipped.length && reasons.length === 1) lines.push({ text: `↷ gates: ${skipped.length} skipped: ${reasons[0]}`, tone: 'muted' });
  else for (const g of skipped) lines.push({ text: `↷ gate ${g.gate} skipped: ${why(g)}`, tone: 'muted' });
  return (
    <Box flexDirection="column" marginLeft={4}>
      {lines.map((l, i) => (
        <ToneText key={i} tone={l.tone} wrap="wrap">{l.text}</ToneText>
      ))}
    </Box>
  );
}
