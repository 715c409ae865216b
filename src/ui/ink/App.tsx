/**
 * The whole ink view, as a function of props: finished phases (and the run header, and answered
 * questions) go to `<Static>` and are printed once; the live area below shows the phases still to
 * finish, in DAG order, with their resource operations and gates, then any question, the final
 * summary is written to stdout by the host. Keys are forwarded to the host; no state of the run lives here.
 */
import { Box, Static, useInput, useStdout } from 'ink';
import type { UiState } from '../reducer.js';
import { selectRow, selectRows } from '../selectors.js';
import { ConfirmPrompt } from './ConfirmPrompt.js';
import { Diagnostics } from './Diagnostics.js';
import { PhaseRow } from './PhaseRow.js';
import { ColorContext, ToneText } from './Theme.js';
import type { PhaseId } from '../../core/phase.js';

/** What the static (print-once) area holds, in the order it was printed. */
export type StaticItem =
  | { kind: 'header'; key: string }
  | { kind: 'phase'; key: string; id: PhaseId }
  | { kind: 'answer'; key: string; message: string; yes: boolean };

export interface PromptView {
  readonly message: string;
  readonly defaultAnswer: boolean;
}

export type CancelState = 'none' | 'requested' | 'forced';

export interface AppProps {
  readonly state: UiState;
  /** Epoch ms, for live elapsed times. */
  readonly now: number;
  readonly staticItems: StaticItem[];
  readonly verbose: boolean;
  readonly color: boolean;
  readonly cancel: CancelState;
  readonly prompt?: PromptView;
  /** False when stdin is not a terminal: no key handling, no raw mode. */
  readonly inputActive: boolean;
  readonly onCancelKey: () => void;
  readonly onVerboseKey: () => void;
  readonly onAnswer: (yes: boolean) => void;
  /** Show each changed property's old -> new values in plans. */
  readonly diff?: boolean;
}

function Header({ state }: { readonly state: UiState }) {
  const r = state.run;
  if (!r) return null;
  const n = state.order.length;
  return (
    <ToneText bold>
      {`platform ${r.command} · env ${r.env} · ${r.engine} · ${n} phase${n === 1 ? '' : 's'} · parallel ${r.parallel} · run ${r.runId}`}
    </ToneText>
  );
}

function Footer({ cancel, verbose }: { readonly cancel: CancelState; readonly verbose: boolean }) {
  if (cancel === 'forced') return <ToneText tone="error">forcing cancellation…</ToneText>;
  if (cancel === 'requested') {
    return <ToneText tone="warn">cancelling after the current operations… press Ctrl-C again to force</ToneText>;
  }
  return <ToneText dim>{`q cancel · v ${verbose ? 'fewer' : 'more'} details`}</ToneText>;
}

/** The root component. */
export function App(props: AppProps) {
  const { state, now, verbose, prompt, cancel } = props;
  useInput(
    (input, key) => {
      const interrupt = key.ctrl && input === 'c';
      if (prompt) {
        if (interrupt || input === 'q' || key.escape) props.onAnswer(false);
        return;
      }
      if (interrupt || input === 'q') props.onCancelKey();
      else if (input === 'v') props.onVerboseKey();
    },
    { isActive: props.inputActive },
  );
  // <Static> is laid out on its own (absolutely positioned): give it the terminal's width, or its
  // rows would not truncate and long ones would wrap.
  const size = useStdout().stdout as { columns?: number; rows?: number };
  const width = size.columns || 80;
  // Rows already printed above (static) are not live; a finished row waits here until every row
  // before it in DAG order is printed, so the printed rows keep DAG order.
  const printed = new Set(props.staticItems.flatMap((i) => (i.kind === 'phase' ? [i.id] : [])));
  const live = selectRows(state, now, { verbose }).filter((r) => !printed.has(r.id));
  // Once the run finished, every row is in the static area and the summary goes to stdout.
  const finished = state.result !== undefined;
  const runDiagnostics = state.diagnostics.filter((d) => verbose || d.severity !== 'info').slice(verbose ? -10 : -3);
  // The live frame must fit the terminal: a frame taller than it scrolls its top into the scrollback,
  // where ink can no longer erase it (old rows and the key help stay behind, the summary shows twice).
  // The live rows get what the diagnostics, a question and the key help leave; the rest is cut at the
  // bottom (later phases in DAG order) until earlier ones finish and move above.
  const liveHeight = Math.max(3, (size.rows || 24) - 1 - runDiagnostics.length - (prompt ? 3 : 0) - 1);
  return (
    <ColorContext.Provider value={props.color}>
      <Static items={props.staticItems} style={{ width }}>
        {(item) => {
          if (item.kind === 'header') return <Box key={item.key}><Header state={state} /></Box>;
          if (item.kind === 'answer') {
            return <Box key={item.key}><ToneText wrap="wrap">{`? ${item.message} ${item.yes ? 'yes' : 'no'}`}</ToneText></Box>;
          }
          const row = selectRow(state, item.id, now);
          return <Box key={item.key}>{row ? <PhaseRow row={row} detail={false} diff={props.diff} /> : null}</Box>;
        }}
      </Static>
      <Box flexDirection="column">
        {finished ? null : (
          <Box flexDirection="column" maxHeight={liveHeight} overflowY="hidden">
            {live.map((row) => <PhaseRow key={row.id} row={row} detail diff={props.diff} />)}
          </Box>
        )}
        <Diagnostics diagnostics={runDiagnostics} indent={0} />
        {prompt ? <ConfirmPrompt message={prompt.message} defaultAnswer={prompt.defaultAnswer} onAnswer={props.onAnswer} /> : null}
        {!finished && !prompt && props.inputActive && state.run ? <Footer cancel={cancel} verbose={verbose} /> : null}
      </Box>
    </ColorContext.Provider>
  );
}
