/**
 * The last few resource operations of a running phase: spinner while in flight, a mark once done,
 * the operation, the resource (name first, then its type, cut in the middle when too long) and
 * its duration.
 */
import { Box } from 'ink';
import Spinner from 'ink-spinner';
import type { OpRowView, Tone } from '../selectors.js';
import { formatDuration } from '../view-format.js';
import { ToneText } from './Theme.js';

const OP_TONE: Record<OpRowView['op'], Tone> = {
  create: 'ok', update: 'warn', replace: 'warn', delete: 'error', same: 'muted', read: 'muted', refresh: 'muted',
};

export interface ResourceOpsProps {
  readonly ops: readonly OpRowView[];
  /** Operations seen but not listed. */
  readonly hidden: number;
}

/** Indented rows of operations; nothing when there are none. */
export function ResourceOps({ ops, hidden }: ResourceOpsProps) {
  if (ops.length === 0) return null;
  return (
    <Box flexDirection="column" marginLeft={4}>
      {hidden > 0 ? <ToneText dim>{`… ${hidden} earlier`}</ToneText> : null}
      {ops.map((o) => (
        <Box key={o.key} flexDirection="row">
          <Box width={2} flexShrink={0}>
            {o.status === 'started' ? <Spinner type="dots" /> : <ToneText tone={o.status === 'failed' ? 'error' : 'ok'}>{o.status === 'failed' ? '✖' : '✔'}</ToneText>}
          </Box>
          <Box width={8} flexShrink={0}>
            <ToneText tone={OP_TONE[o.op]}>{o.op}</ToneText>
          </Box>
          <Box flexGrow={1} flexShrink={1}>
            <ToneText wrap="truncate-middle">{`${o.name}  ${o.resourceType}`}</ToneText>
          </Box>
          <Box width={8} flexShrink={0} justifyContent="flex-end">
            <ToneText dim>{formatDuration(o.durationMs)}</ToneText>
          </Box>
        </Box>
      ))}
    </Box>
  );
}
