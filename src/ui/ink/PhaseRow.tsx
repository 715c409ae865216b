/**
 * One phase: a single line (mark, name, status, elapsed, counts, ETA) and, while the phase is live,
 * its recent resource operations, its gate checklist and its diagnostics. A failure shows its reason
 * and hint right under the row. Fixed column widths keep rows aligned; every cell truncates so a
 * row never wraps, even at 80 columns.
 */
import { Box } from 'ink';
import type { PhaseRowView } from '../selectors.js';
import { formatDuration } from '../view-format.js';
import { GateList } from './GateList.js';
import { ResourceOps } from './ResourceOps.js';
import { StatusIcon } from './StatusIcon.js';
import { ToneText } from './Theme.js';
import { Diagnostics } from './Diagnostics.js';

/** Column widths of a phase row (mark + label + status + elapsed = 54; counts and ETA get the rest). */
export const COLUMNS = { mark: 2, label: 17, status: 28, elapsed: 7 } as const;

export interface PhaseRowProps {
  readonly row: PhaseRowView;
  /** Show the live detail (ops, gates, diagnostics). Finished rows in the static area pass false. */
  readonly detail: boolean;
}

/** The one-line form of a phase. */
export function PhaseLine({ row }: { readonly row: PhaseRowView }) {
  const tail = [row.countsText, row.etaText ? `eta ${row.etaText}` : '', row.detail ?? ''].filter(Boolean).join('  ');
  return (
    <Box flexDirection="row">
      <Box width={COLUMNS.mark} flexShrink={0}>
        <StatusIcon status={row.status} tone={row.tone} />
      </Box>
      <Box width={COLUMNS.label} flexShrink={0}>
        <ToneText bold={!row.terminal}>{row.label}</ToneText>
      </Box>
      <Box width={COLUMNS.status} flexShrink={0}>
        <ToneText tone={row.tone}>{row.statusText}</ToneText>
      </Box>
      <Box width={COLUMNS.elapsed} flexShrink={0} justifyContent="flex-end" marginRight={2}>
        <ToneText dim>{row.elapsedMs === undefined ? '' : formatDuration(row.elapsedMs)}</ToneText>
      </Box>
      <Box flexGrow={1} flexShrink={1}>
        <ToneText>{tail}</ToneText>
      </Box>
    </Box>
  );
}

/** The reason and hint of a failed, blocked or cancelled phase (blocked rows name the phase already). */
export function FailureDetail({ row }: { readonly row: PhaseRowView }) {
  if (row.status !== 'failed' && row.status !== 'cancelled') return null;
  if (!row.reason && !row.hint) return null;
  return (
    <Box flexDirection="column" marginLeft={4}>
      {row.reason ? <ToneText tone="error" wrap="wrap">{row.reason}</ToneText> : null}
      {row.hint ? <ToneText tone="warn" wrap="wrap">{`hint: ${row.hint}`}</ToneText> : null}
    </Box>
  );
}

/** A phase row with its live detail. */
export function PhaseRow({ row, detail }: PhaseRowProps) {
  return (
    <Box flexDirection="column">
      <PhaseLine row={row} />
      {detail ? <ResourceOps ops={row.ops} hidden={row.hiddenOps} /> : null}
      {detail || row.gates.some((g) => g.status === 'fail') ? <GateList gates={row.gates} onlyFailed={!detail} /> : null}
      <Diagnostics diagnostics={(detail ? row.diagnostics : row.diagnostics.filter((d) => d.severity === 'error'))
        .filter((d) => !row.reason?.includes(d.message))} />
      <FailureDetail row={row} />
    </Box>
  );
}
