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
