/**
 * The final summary: each phase's result with its duration and changes, the outputs that matter
 * (masked, labelled when simulated), the failure reason and hint, the overall verdict, and the
 * next command to run.
 */
import { Box } from 'ink';
import type { SummaryView } from '../selectors.js';
import { formatDuration } from '../view-format.js';
import { COLUMNS } from './PhaseRow.js';
import { statusSymbol } from './StatusIcon.js';
import { ToneText } from './Theme.js';

export interface SummaryProps {
  readonly summary: SummaryView;
}

/** The end-of-run block. */
export function Summary({ summary }: SummaryProps) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <ToneText bold>Summary</ToneText>
      {summary.phases.map((p) => (
        <Box key={p.id} flexDirection="column">
          <Box flexDirection="row">
            <Box width={COLUMNS.mark} flexShrink={0}>
              <ToneText tone={p.tone}>{statusSymbol(p.status)}</ToneText>
            </Box>
            <Box width={COLUMNS.label} flexShrink={0}>
              <ToneText>{p.label}</ToneText>
            </Box>
            <Box width={COLUMNS.status} flexShrink={0}>
              <ToneText tone={p.tone}>{p.statusText}</ToneText>
            </Box>
            <Box width={COLUMNS.elapsed} flexShrink={0} justifyContent="flex-end" marginRight={2}>
              <ToneText dim>{p.durationMs === undefined ? '' : formatDuration(p.durationMs)}</ToneText>
            </Box>
            <Box flexGrow={1} flexShrink={1}>
              <ToneText dim={!p.countsText}>{p.countsText || p.detail || ''}</ToneText>
            </Box>
          </Box>
          {p.status === 'failed' || p.status === 'cancelled' ? (
            <Box flexDirection="column" marginLeft={4}>
              {p.reason ? <ToneText tone="error" wrap="wrap">{p.reason}</ToneText> : null}
              {p.hint ? <ToneText tone="warn" wrap="wrap">{`hint: ${p.hint}`}</ToneText> : null}
            </Box>
          ) : null}
          {p.costText ? (
            <Box marginLeft={4}>
              <ToneText wrap="wrap">{p.costText}</ToneText>
            </Box>
          ) : null}
          {p.outputs.length > 0 ? (
            <Box flexDirection="column" marginLeft={4}>
              {p.outputs.map((o) => (
                <ToneText key={o.key} wrap="truncate-middle">{`${o.key} = ${o.value}`}</ToneText>
              ))}
              {p.hiddenOutputs > 0 ? <ToneText dim>{`… ${p.hiddenOutputs} more outputs (platform outputs --phase ${p.id})`}</ToneText> : null}
              {p.simulated ? <ToneText dim>(simulated values)</ToneText> : null}
            </Box>
          ) : null}
        </Box>
      ))}
      <Box marginTop={1}>
        <ToneText tone={summary.ok ? 'ok' : 'error'} bold wrap="wrap">
          {`${summary.verdict} in ${formatDuration(summary.durationMs)}: ${summary.tally} (exit ${summary.exitCode})`}
        </ToneText>
      </Box>
      {summary.next ? <ToneText wrap="wrap">{`Next: ${summary.next}`}</ToneText> : null}
    </Box>
  );
}
