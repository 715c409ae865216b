/**
 * One phase: a single line (mark, name, status, elapsed, counts, ETA) and, while the phase is live,
 * its recent resource operations, its gate checklist and its diagnostics. A failure shows its reason
 * and hint right under the row. Fixed column widths keep rows aligned; every cell truncates so a
 * row never wraps, even at 80 columns.
 */
import { Box, useStdout } from 'ink';
import type { PhaseRowView } from '../selectors.js';
import { formatDuration } from '../view-format.js';
import { GateList, GateSummary } from './GateList.js';
import { formatChange } from '../format.js';
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
  /** Show each changed property's old -> new values in the plan. */
  readonly diff?: boolean;
}

const PLAN_MARK: Record<string, string> = { create: '+', update: '~', replace: '±', delete: '-' };

/** What a preview would change: one line per resource (changed property names, or values with diff). */
export function PlanList({ row, diff }: { readonly row: PhaseRowView; readonly diff: boolean }) {
  if (!row.showPlan || (row.changed.length === 0 && row.hiddenChanged === 0)) return null;
  return (
    <Box flexDirection="column" marginLeft={4}>
      {row.changed.map((c, i) => (
        <Box key={i} flexDirection="column">
          <ToneText wrap="wrap">{`${PLAN_MARK[c.op] ?? '?'} ${c.resourceType} ${c.name}${c.diffs?.length ? ` [${c.diffs.join(', ')}]` : ''}`}</ToneText>
          {diff ? (c.changes ?? []).map((ch, j) => <ToneText key={j} dim wrap="wrap">{`    ${formatChange(ch)}`}</ToneText>) : null}
        </Box>
      ))}
      {row.hiddenChanged > 0 ? <ToneText dim>{`… ${row.hiddenChanged} more (v shows all; --output plain lists every one)`}</ToneText> : null}
    </Box>
  );
}

/** Warnings and errors of a finished phase (static-check findings), bounded. */
export function WarningList({ row }: { readonly row: PhaseRowView }) {
  const shown = row.warnings;
  if (shown.length === 0) return null;
  return (
    <Box flexDirection="column">
      <Diagnostics diagnostics={shown} />
      {row.hiddenWarnings > 0 ? <Box marginLeft={4}><ToneText dim>{`… ${row.hiddenWarnings} more (platform check --phase ${row.id} lists them all)`}</ToneText></Box> : null}
    </Box>
  );
}

/** The one-line form of a phase. */
export function PhaseLine({ row, compact = false }: { readonly row: PhaseRowView; readonly compact?: boolean }) {
  const tail = [row.countsText, row.etaText ? `eta ${row.etaText}` : ''].filter(Boolean).join('  ');
  // Narrow terminals (60 columns) give the status column less room, so counts and ETAs still show.
  const width = (useStdout().stdout as { columns?: number }).columns || 80;
  const statusWidth = width < 80 ? 16 : COLUMNS.status;
  return (
    <Box flexDirection="column">
    <Box flexDirection="row">
      <Box width={COLUMNS.mark} flexShrink={0}>
        <StatusIcon status={row.status} tone={row.tone} />
      </Box>
      <Box width={COLUMNS.label} flexShrink={0}>
        <ToneText bold={!row.terminal}>{row.label}</ToneText>
      </Box>
      <Box width={statusWidth} flexShrink={0}>
        <ToneText tone={row.tone}>{row.statusText}</ToneText>
      </Box>
      <Box width={COLUMNS.elapsed} flexShrink={0} justifyContent="flex-end" marginRight={2}>
        <ToneText dim>{row.elapsedMs === undefined ? '' : formatDuration(row.elapsedMs)}</ToneText>
      </Box>
      <Box flexGrow={1} flexShrink={1}>
        <ToneText>{tail}</ToneText>
      </Box>
    </Box>
    {row.detail && !compact ? (
      <Box marginLeft={4}>
        <ToneText dim wrap="wrap">{row.detail}</ToneText>
      </Box>
    ) : null}
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
export function PhaseRow({ row, detail, diff = false }: PhaseRowProps) {
  // A finished row waiting in the live area for the rows before it (DAG order) takes one line; it is
  // printed in full once it moves to the static area.
  if (row.terminal && detail) return <PhaseLine row={row} compact />;
  return (
    <Box flexDirection="column">
      <PhaseLine row={row} />
      {detail && row.status !== 'planned' ? <ResourceOps ops={row.ops} hidden={row.hiddenOps} /> : null}
      <PlanList row={row} diff={diff} />
      {detail ? <GateList gates={row.gates} /> : <GateSummary gates={row.gates} />}
      {detail ? <Diagnostics diagnostics={row.diagnostics} /> : <WarningList row={row} />}
      <FailureDetail row={row} />
    </Box>
  );
}
