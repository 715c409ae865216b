/**
 * The interactive terminal host. Rules:
 * - `notify(event)` only folds the event into the pure reducer's state and schedules a render; it
 *   never renders synchronously, so a burst of events costs one render per frame, not one per event.
 * - Renders are throttled to `fps` frames a second (default 15) and ticked once a second while
 *   something runs, so elapsed times move without events.
 * - It draws the progress on stderr; the results (the final summary: each phase's verdict, outputs,
 *   the next command) go to stdout once the UI is closed, so `platform up ... | tee log` or
 *   `> results.txt` gets them. On a terminal they look as before (colour and width of that terminal);
 *   into a pipe or file they are written without colour and without cutting lines to a width.
 * - Finished phases are appended once to ink's `<Static>` area, in DAG order.
 * - Keys (only when stdin is a terminal): `q` or Ctrl-C asks to cancel (`onCancel(false)`), a second
 *   press forces (`onCancel(true)`); `v` toggles verbose rows.
 * - `confirm()` asks in the UI; Enter takes the request's default. With no terminal on stdin there is
 *   no one to ask: it answers the default and prints that it did.
 */
import { render, renderToString, type Instance } from 'ink';
import type { Host, ConfirmRequest } from '../../core/ports.js';
import type { PlatformEvent } from '../../core/events.js';
import type { PhaseId } from '../../core/phase.js';
import { initialState, isTerminal, reduce, type UiState } from '../reducer.js';
import { App, type CancelState, type PromptView, type StaticItem } from './App.js';
import { selectSummary } from '../selectors.js';
import { Summary } from './Summary.js';
import { ColorContext } from './Theme.js';

export interface InkHostOptions {
  /** The results channel: the final summary is written here (once, when the host closes). */
  stdout: NodeJS.WritableStream;
  /** Where the UI is drawn. Should be a TTY (the CLI picks this host only then). */
  stderr: NodeJS.WritableStream;
  /** Keys and answers. Without a TTY here keys are off and questions take their default answer. */
  stdin: NodeJS.ReadableStream;
  /** Start with verbose rows (all recent operations, info diagnostics, every output). */
  verbose?: boolean;
  /** No colour or text styles. Default: true when the NO_COLOR environment variable is set and non-empty. */
  noColor?: boolean;
  /** Durations (ms) of previous runs of each phase in this env, for ETAs. */
  history?: Partial<Record<PhaseId, number[]>>;
  /** Phase slugs by id, for labels (`02 cluster`). */
  names?: Partial<Record<PhaseId, string>>;
  /** Called on the first cancel key with false, on the second with true. */
  onCancel: (force: boolean) => void;
  /** Clock for elapsed times (epoch ms). Default Date.now. */
  now?: () => number;
  /** Frames per second at most. Default 15. */
  fps?: number;
  /** Show each changed property's old -> new values in the plan (preview --diff; up before its question). */
  diff?: boolean;
}

/** The ink host, with `flush()` to draw pending state now (tests, benchmarks) and its current state. */
export interface InkHost extends Host {
  flush(): Promise<void>;
  readonly state: UiState;
}

function envNoColor(): boolean {
  const v = process.env['NO_COLOR'];
  return v !== undefined && v !== '';
}

/** Creates the ink host and draws its (empty) first frame. */
export function createInkHost(opts: InkHostOptions): InkHost {
  const now = opts.now ?? Date.now;
  const interval = 1000 / (opts.fps ?? 15);
  const color = !(opts.noColor ?? envNoColor());
  const inputActive = (opts.stdin as { isTTY?: boolean }).isTTY === true;

  let state = initialState({ history: opts.history, names: opts.names });
  let verbose = opts.verbose ?? false;
  let cancel: CancelState = 'none';
  let staticItems: StaticItem[] = [];
  let prompt: (PromptView & { resolve: (yes: boolean) => void }) | undefined;
  let promptChain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let lastRender = 0;
  let closed = false;
  let answers = 0;

  const syncStatic = () => {
    const add: StaticItem[] = [];
    if (state.run && !staticItems.some((i) => i.kind === 'header')) add.push({ kind: 'header', key: 'header' });
    // Finished rows are printed once, in DAG order: a row waits until every row before it finished.
    const printed = new Set(staticItems.flatMap((i) => (i.kind === 'phase' ? [i.id] : [])));
    for (const id of state.order) {
      if (printed.has(id)) continue;
      const p = state.phases[id];
      if (!p || !isTerminal(p.status)) break;
      add.push({ kind: 'phase', key: `phase-${id}`, id });
    }
    // Once the run finished every row is printed (the summary itself goes to stdout on close).
    if (state.result) {
      for (const id of state.order) if (!printed.has(id) && !add.some((a) => a.kind === 'phase' && a.id === id)) add.push({ kind: 'phase', key: `phase-${id}`, id });
    }
    if (add.length) staticItems = [...staticItems, ...add];
  };

  const onCancelKey = () => {
    if (cancel === 'none') {
      cancel = 'requested';
      opts.onCancel(false);
    } else if (cancel === 'requested') {
      cancel = 'forced';
      opts.onCancel(true);
    }
    renderNow();
  };
  const onVerboseKey = () => {
    verbose = !verbose;
    renderNow();
  };
  const onAnswer = (yes: boolean) => {
    const p = prompt;
    if (!p) return;
    prompt = undefined;
    staticItems = [...staticItems, { kind: 'answer', key: `answer-${answers++}`, message: p.message, yes }];
    renderNow();
    p.resolve(yes);
  };

  const view = () => (
    <App
      state={state} now={now()} staticItems={staticItems} verbose={verbose} color={color} cancel={cancel}
      prompt={prompt} inputActive={inputActive && !closed} diff={opts.diff}
      onCancelKey={onCancelKey} onVerboseKey={onVerboseKey} onAnswer={onAnswer}
    />
  );

  const instance: Instance = render(view(), {
    stdout: opts.stderr,
    stderr: opts.stderr,
    stdin: opts.stdin,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: opts.fps ?? 15,
  });

  function renderNow(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    lastRender = performance.now();
    syncStatic();
    instance.rerender(view());
  }

  const schedule = () => {
    if (timer || closed) return;
    const wait = Math.max(0, lastRender + interval - performance.now());
    timer = setTimeout(renderNow, wait);
    timer.unref?.();
  };

  // Elapsed times and spinners of running phases move once a second without events.
  const tick = setInterval(() => {
    if (state.order.some((id) => ['checking', 'running', 'verifying'].includes(state.phases[id]?.status ?? ''))) schedule();
  }, 1000);
  tick.unref?.();

  /** The results, on stdout: styled like the UI on a terminal, plain and uncut into a pipe or file. */
  const writeResults = () => {
    const summary = selectSummary(state, { verbose });
    if (!summary) return;
    const out = opts.stdout as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
    const tty = out.isTTY === true;
    const text = renderToString(
      <ColorContext.Provider value={color && tty}><Summary summary={summary} /></ColorContext.Provider>,
      { columns: tty ? out.columns || 80 : 10_000 },
    );
    out.write(text.split('\n').map((l) => l.trimEnd()).join('\n').replace(/^\n+/, '') + '\n');
  };

  return {
    get state() {
      return state;
    },
    notify(event: PlatformEvent): void {
      if (closed) return;
      state = reduce(state, event);
      schedule();
    },
    confirm(req: ConfirmRequest): Promise<boolean> {
      const ask = async (): Promise<boolean> => {
        if (closed) return req.defaultAnswer;
        if (!inputActive) {
          staticItems = [...staticItems, {
            kind: 'answer', key: `answer-${answers++}`, yes: req.defaultAnswer,
            message: `${req.message} (no terminal to ask; default answer)`,
          }];
          renderNow();
          return req.defaultAnswer;
        }
        return new Promise<boolean>((resolve) => {
          prompt = { message: req.message, defaultAnswer: req.defaultAnswer, resolve };
          renderNow();
        });
      };
      const answer = promptChain.then(ask);
      promptChain = answer.catch(() => undefined);
      return answer;
    },
    async flush(): Promise<void> {
      if (closed) return;
      renderNow();
      await instance.waitUntilRenderFlush();
    },
    async close(): Promise<void> {
      if (closed) return;
      clearInterval(tick);
      if (prompt) onAnswer(false);
      closed = true; // inputActive is now false: raw mode is released before unmount
      renderNow();
      await instance.waitUntilRenderFlush();
      instance.unmount();
      await instance.waitUntilExit();
      writeResults();
    },
  };
}
