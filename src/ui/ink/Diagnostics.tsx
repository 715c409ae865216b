/**
 * Diagnostics in place: warnings and errors under the phase (or the run) they belong to.
 */
import { Box } from 'ink';
import type { DiagnosticState } from '../reducer.js';
import { ToneText } from './Theme.js';

const PREFIX = { info: 'info', warning: 'warning', error: 'error' } as const;

export interface DiagnosticsProps {
  readonly diagnostics: readonly DiagnosticState[];
  readonly indent?: number;
}

/** One wrapped line per diagnostic; nothing when there are none. */
export function Diagnostics({ diagnostics, indent = 4 }: DiagnosticsProps) {
  if (diagnostics.length === 0) return null;
  return (
    <Box flexDirection="column" marginLeft={indent}>
      {diagnostics.map((d, i) => (
        <ToneText key={i} tone={d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warn' : 'muted'} wrap="wrap">
          {`${PREFIX[d.severity]}: ${d.message}`}
        </ToneText>
      ))}
    </Box>
  );
}
