import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { render, cleanup } from 'ink-testing-library';
import type { PlatformEvent } from '../../src/core/events.js';
import { initialState, reduceAll, type UiState } from '../../src/ui/reducer.js';
import { App, type AppProps, type StaticItem } from '../../src/ui/ink/App.js';
import { createInkHost, type InkHost } from '../../src/ui/ink/ink-host.js';
import { Summary } from '../../src/ui/ink/Summary.js';
import { selectSummary } from '../../src/ui/selectors.js';
import {
  NAMES, T0, diagnostic, failingChain, finished, gateResult, gateStarted, op, outputs, runStarted, status, summary,
} from './ui-fixtures.js';

const ESC = '\u001b';
/** Removes every escape sequence (cursor moves, erase, SGR) to get the text a terminal shows. */
const strip = (s: string) => s.replace(new RegExp(`${ESC}\\[[0-9;?]*[ -/]*[@-~]`, 'g'), '');
/** SGR sequences only: colour and text style. */
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`);
const tick = () => new Promise((r) => setImmediate(r));
const sec = (s: number) => T0 + s * 1000;

/** A terminal-like output stream: records writes, has a width, calls write callbacks. */
class FakeTty extends EventEmitter {
  isTTY = true;
  rows = 50;
  chunks: string[] = [];
  constructor(public columns = 80) {
    super();
  }
  write = (s: string, a?: unknown, b?: unknown) => {
    this.chunks.push(String(s));
    const cb = typeof a === 'function' ? a : typeof b === 'function' ? b : undefined;
    if (cb) (cb as () => void)();
    return true;
  };
  text = () => strip(this.chunks.join(''));
}

class FakeStdin extends EventEmitter {
  data: string | null = null;
  constructor(public isTTY = true) {
    super();
  }
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  press(d: string) {
    this.data = d;
    this.emit('readable');
    this.emit('data', d);
  }
}

/** Every status a phase can show, at once. */
function allStatuses(): PlatformEvent[] {
  return [
    runStarted([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    status(0, 'succeeded', 1), summary(0, { create: 2 }, 1000, 1),
    status(1, 'skipped', 1, { reason: 'unchanged since 2026-01-01T00:00:00Z (fingerprint ab12); --force runs it anyway', cause: 'unchanged' }),
    status(2, 'checking', 2), status(2, 'running', 3),
    op(2, 'eks', 'create', 'started', 3, 'eks:index:Cluster'),
    op(2, 'node-role', 'create', 'done', 4, 'aws:iam/role:Role', 900),
    status(3, 'checking', 5),
    status(4, 'verifying', 5), gateStarted(4, 'kafka-ready', 5), gateResult(4, 'postgres-ready', 'pass', 6),
    status(5, 'waiting', 5, { on: 4 }),
    status(6, 'failed', 6, { reason: 'gate-failed: certificate not issued', hint: 'check the ACME solver in phase 6' }),
    status(7, 'blocked', 6, { on: 6 }),
    status(8, 'cancelled', 7),
  ];
}

function appProps(state: UiState, over: Partial<AppProps> = {}): AppProps {
  const staticItems: StaticItem[] = state.run ? [{ kind: 'header', key: 'h' }] : [];
  for (const id of state.finishedOrder) staticItems.push({ kind: 'phase', key: `p${id}`, id });
  return {
    state, now: sec(10), staticItems, verbose: false, color: false, cancel: 'none', inputActive: false,
    onCancelKey: () => {}, onVerboseKey: () => {}, onAnswer: () => {}, ...over,
  };
}

const build = (events: PlatformEvent[]) => reduceAll(initialState({ names: NAMES, history: { 3: [240_000] } }), events);

describe('ink components', () => {
  afterEach(() => cleanup());

  it('renders one row per phase with each status in words', () => {
    const frame = strip(render(<App {...appProps(build(allStatuses()))} />).lastFrame()!);
    for (const text of [
      '00 organization', 'succeeded', '01 foundation', 'skipped (unchanged)', '02 cluster', 'running',
      '03 gitops', 'checking deps', 'eta ~3m55s left', '04 data', 'verifying gates 1/2', '05 apps', 'waiting on 04 data',
      '06 edge', 'failed', '07 observability', 'blocked by 06 edge', '08 resilience', 'cancelled', '09 automation', 'queued',
    ]) assert.ok(frame.includes(text), `missing "${text}" in\n${frame}`);
  });

  it('expands a running phase to its live operations with durations, and its gates', () => {
    const frame = strip(render(<App {...appProps(build(allStatuses()))} />).lastFrame()!);
    assert.match(frame, /create\s+eks\s+eks:index:Cluster\s+7\.0s/, 'in-flight op with its live duration');
    assert.match(frame, /✔ create\s+node-role\s+aws:iam\/role:Role\s+0\.9s/);
    assert.match(frame, /✔ gate postgres-ready\s+1\.5s/);
    assert.match(frame, /gate kafka-ready/);
  });

  it('collapses a finished phase into its one static line', () => {
    const events = [
      runStarted([1]), status(1, 'running', 0),
      op(1, 'vpc', 'create', 'started', 0), op(1, 'vpc', 'create', 'done', 2),
      summary(1, { create: 1, replace: 2, delete: 1, update: 3 }, 2000, 2), status(1, 'succeeded', 2),
    ];
    const live = strip(render(<App {...appProps(build(events.slice(0, 4)))} />).lastFrame()!);
    assert.match(live, /vpc/);
    cleanup();
    const done = strip(render(<App {...appProps(build(events))} />).lastFrame()!);
    assert.match(done, /✔ 01 foundation\s+succeeded\s+2\.0s\s+\+1 ~3 -1 ±2/);
    assert.doesNotMatch(done, /vpc/);
  });

  it('shows a failure in place with its reason and hint, and the blocked chain naming it', () => {
    const state = build(failingChain().slice(0, -1));
    const frame = strip(render(<App {...appProps(state)} />).lastFrame()!);
    assert.match(frame, /✖ 02 cluster\s+failed/);
    assert.match(frame, /engine-failed: creating EKS Cluster: AccessDeniedException/);
    assert.match(frame, /hint: check the deploy role in stacks\/local\.yaml/);
    assert.match(frame, /⊘ 03 gitops\s+blocked by 02 cluster/);
    assert.match(frame, /⊘ 04 data\s+blocked by 02 cluster/);
  });

  it('renders the destroy prompt with no as the default', () => {
    const state = build([runStarted([8], 0, 'destroy')]);
    const frame = strip(render(<App {...appProps(state, { prompt: { message: 'Destroy phase 8 (resilience) of dev?', defaultAnswer: false } })} />).lastFrame()!);
    assert.match(frame, /\? Destroy phase 8 \(resilience\) of dev\? y\/N/);
  });

  it('ends with a summary: results, masked outputs, the verdict and the next command', () => {
    const events = failingChain().map((e) => (e.type === 'outputs'
      ? outputs(0, { organizationId: 'o-abc123', adminPassword: 'hunter2-xyz', kubeconfig: '[secret]' }, 4)
      : e));
    const frame = strip(render(<Summary summary={selectSummary(build(events))!} />).lastFrame()!);
    const summaryText = frame.slice(frame.indexOf('Summary'));
    assert.match(summaryText, /organizationId = o-abc123/);
    assert.match(summaryText, /adminPassword = \[secret\]/);
    assert.match(summaryText, /kubeconfig = \[secret\]/);
    assert.doesNotMatch(frame, /hunter2/);
    assert.match(summaryText, /\(simulated values\)/);
    assert.match(summaryText, /Failed in 21s: 1 succeeded, 1 skipped, 1 failed, 2 blocked \(exit 1\)/);
    assert.match(summaryText, /Next: platform up --from 2 --env local/);
  });

  it('uses colour when allowed and no ANSI styling at all under NO_COLOR', async () => {
    // ink colours through its own chalk, whose level follows the test runner's stdout; pin it.
    const inkUrl = import.meta.resolve('ink');
    const chalk = (await import(new URL('../node_modules/chalk/source/index.js', inkUrl).href)).default as { level: number };
    const saved = chalk.level;
    chalk.level = 1;
    try {
      const state = build(failingChain());
      const colored = render(<App {...appProps(state, { color: true })} />).lastFrame()!;
      assert.match(colored, SGR, 'baseline: colour is on');
      cleanup();
      const plain = render(<App {...appProps(state, { color: false })} />).lastFrame()!;
      assert.doesNotMatch(plain, SGR);
      assert.ok(!plain.includes(ESC), 'no escape sequence of any kind');
    } finally {
      chalk.level = saved;
    }
  });
});

describe('ink host', () => {
  let host: InkHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  const make = (over: { columns?: number; rows?: number; stdinTty?: boolean; verbose?: boolean } = {}) => {
    const stderr = new FakeTty(over.columns ?? 80);
    if (over.rows) stderr.rows = over.rows;
    const stdout = new FakeTty();
    const stdin = new FakeStdin(over.stdinTty ?? true);
    const cancels: boolean[] = [];
    host = createInkHost({
      stdout: stdout as unknown as NodeJS.WritableStream,
      stderr: stderr as unknown as NodeJS.WritableStream,
      stdin: stdin as unknown as NodeJS.ReadableStream,
      names: NAMES, noColor: true, now: () => sec(10), verbose: over.verbose,
      onCancel: (force) => cancels.push(force),
    });
    return { host, stderr, stdout, stdin, cancels };
  };

  it('keeps a finished phase\'s warnings and each gate\'s result and reason on screen (not only in the journal)', async () => {
    const { host: h, stderr } = make();
    h.notify(runStarted([2]));
    h.notify(status(2, 'running', 1));
    h.notify(diagnostic(2, 'warning', 'HIGH phase 2 eks:index:Cluster "cluster" endpointPublicAccess: the EKS API endpoint is public', 2));
    h.notify(status(2, 'verifying', 3));
    h.notify(gateResult(2, 'cluster-active', 'skipped', 4, 'simulated', ['simulate engine: no live resources to look at']));
    h.notify(gateResult(2, 'nodes-ready', 'skipped', 4, 'simulated', ['simulate engine: no live resources to look at']));
    h.notify(status(2, 'succeeded', 5));
    h.notify(finished({ 2: 'succeeded' }, 0, 5));
    await h.close();
    const text = stderr.text();
    const staticRow = text.slice(text.indexOf('✔ 02 cluster')).replace(/\s+/g, ' ');
    assert.match(staticRow, /warning: HIGH phase 2 eks:index:Cluster "cluster" endpointPublicAccess: the EKS API/);
    assert.match(staticRow, /↷ gates: 2 skipped: simulate engine: no live resources to look at — simulated/);
  });

  it('prints finished rows in DAG order (a phase skipped early waits for the ones before it) and the summary once at any height', async () => {
    const { host: h, stderr, stdout } = make({ rows: 8 });
    h.notify(runStarted([0, 1, 3]));
    h.notify(status(3, 'skipped', 0, { reason: 'no program yet; nothing was run' }));
    h.notify(status(0, 'succeeded', 1));
    h.notify(status(1, 'succeeded', 2));
    h.notify(finished({ 0: 'succeeded', 1: 'succeeded', 3: 'skipped' }, 0, 3));
    await h.close();
    const text = stderr.text();
    const order = ['✔ 00', '✔ 01', '↷ 03'].map((m) => text.indexOf(m));
    assert.ok(order.every((i) => i >= 0) && order[0]! < order[1]! && order[1]! < order[2]!, text);
    const results = stdout.text();
    assert.equal(results.split('Summary').length - 1, 1, 'one summary');
    assert.equal(results.split(/Done in /).length - 1, 1, 'one verdict line');
    assert.doesNotMatch(text, /Summary|Done in /, 'the results are not drawn on stderr');
  });

  it('a preview lists the resources it would change, with old -> new values under --diff', async () => {
    const stderr = new FakeTty(100);
    const h = createInkHost({
      stdout: new FakeTty() as unknown as NodeJS.WritableStream, stderr: stderr as unknown as NodeJS.WritableStream,
      stdin: new FakeStdin(false) as unknown as NodeJS.ReadableStream, names: NAMES, noColor: true, now: () => sec(10), diff: true, onCancel: () => {},
    });
    h.notify(runStarted([1], 0, 'preview'));
    h.notify(status(1, 'running', 1));
    h.notify({ ...op(1, 'network-flow-logs', 'update', 'done', 2, 'aws:cloudwatch/logGroup:LogGroup', 0), diffs: ['retentionInDays'], changes: [{ path: 'retentionInDays', old: 7, new: 30 }] } as PlatformEvent);
    h.notify(summary(1, { update: 1, same: 9 }, 1000, 2));
    h.notify(status(1, 'succeeded', 3));
    h.notify(finished({ 1: 'succeeded' }, 0, 3));
    await h.close();
    const text = stderr.text();
    assert.match(text, /~ aws:cloudwatch\/logGroup:LogGroup network-flow-logs \[retentionInDays\]\n\s+retentionInDays: 7 -> 30/);
  });

  it('draws progress on stderr and writes the results (the summary) to stdout, once, after the UI closed', async () => {
    const { host: h, stderr, stdout } = make();
    for (const e of failingChain()) h.notify(e);
    await h.flush();
    assert.equal(stdout.chunks.length, 0, 'nothing on stdout while the UI is up');
    await h.close();
    const text = stderr.text();
    assert.match(text, /platform up · env local · simulate · 5 phases/);
    const order = ['✔ 00 organization', '↷ 01 foundation', '✖ 02 cluster', '⊘ 03 gitops', '⊘ 04 data'].map((l) => text.indexOf(l));
    assert.ok(order.every((i) => i >= 0), `all finished rows printed: ${order}`);
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    assert.equal(text.split('✔ 00 organization').length - 1, 1, 'a finished row is printed once');
    assert.doesNotMatch(text, /Summary|Next: /);
    const results = stdout.text();
    assert.match(results, /^Summary\n/);
    assert.match(results, /Failed in 21s: 1 succeeded, 1 skipped, 1 failed, 2 blocked \(exit 1\)/);
    assert.match(results, /Next: platform up --from 2 --env local/);
  });

  it('into a pipe, the results are plain text: no escape sequence, no line cut to a width', async () => {
    const stderr = new FakeTty(60);
    const pipe = new FakeTty();
    pipe.isTTY = false;
    const long = `arn:aws:iam::111111111111:role/${'x'.repeat(150)}`;
    host = createInkHost({
      stdout: pipe as unknown as NodeJS.WritableStream, stderr: stderr as unknown as NodeJS.WritableStream,
      stdin: new FakeStdin(false) as unknown as NodeJS.ReadableStream, names: NAMES, noColor: false, now: () => sec(10), onCancel: () => {},
    });
    host.notify(runStarted([0]));
    host.notify(outputs(0, { deployRoleArn: long }, 1));
    host.notify(status(0, 'succeeded', 1));
    host.notify(finished({ 0: 'succeeded' }, 0, 2));
    await host.close();
    const raw = pipe.chunks.join('');
    assert.ok(!raw.includes(ESC), 'no escape sequence into a pipe');
    assert.ok(raw.includes(`deployRoleArn = ${long}`), raw);
    assert.match(raw, /Done in 2\.0s: 1 succeeded \(exit 0\)/);
  });

  it('throttles: a 5,000-event burst is reduced at once but drawn in one frame', async () => {
    const { host: h, stderr } = make();
    await h.flush();
    const before = stderr.chunks.length;
    const events: PlatformEvent[] = [runStarted([1]), status(1, 'running', 0)];
    for (let i = 0; i < 5000; i++) events.push(op(1, `bucket-${i}`, 'create', 'done', 1, 'aws:s3/bucketV2:BucketV2', 3));
    for (const e of events) h.notify(e);
    assert.equal(stderr.chunks.length, before, 'notify never renders synchronously');
    assert.equal(h.state.phases[1]!.counts.create, 5000);
    await h.flush();
    const frames = stderr.chunks.slice(before).join('');
    assert.match(strip(frames), /\+5000/);
    assert.match(strip(frames), /bucket-4999/);
    assert.ok(!strip(frames).includes('bucket-4990 '), 'only the last few operations are drawn');
  });

  it('fits 80 columns: every line at most 80 wide, long names cut with an ellipsis', async () => {
    const { host: h, stderr } = make({ columns: 80 });
    const long = 'a-very-long-resource-name-that-goes-on-and-on-well-past-the-edge-of-the-terminal';
    h.notify(runStarted([7, 9, 10]));
    h.notify(status(7, 'running', 1));
    h.notify(op(7, long, 'create', 'started', 1, 'kubernetes:helm.sh/v3:Release'));
    h.notify(status(10, 'blocked', 1, { on: 7 }));
    h.notify(status(9, 'skipped', 1, { reason: `phase 9 (automation) has no program yet; ${'nothing was run for it; '.repeat(4)}` }));
    await h.flush();
    const lines = stderr.text().split('\n');
    for (const line of lines) assert.ok([...line].length <= 80, `too wide (${[...line].length}): ${line}`);
    assert.ok(lines.some((l) => l.includes('…') && l.includes('a-very-long')), 'the long name is cut in the middle');
    assert.ok(lines.some((l) => l.includes('Release')), 'the type at the end stays visible');
    assert.ok(lines.some((l) => l.includes('blocked by 07 observability')));
    // A skip's reason is a sentence: it wraps under the row (at most 80 wide), never cut, so its end
    // (the useful part, e.g. "--force runs it anyway") stays readable.
    assert.ok(lines.some((l) => l.startsWith('↷ 09 automation')));
    h.notify(status(7, 'succeeded', 2));
    h.notify(finished({ 7: 'succeeded', 9: 'skipped', 10: 'blocked' }, 1, 3));
    await h.close();
    const all = stderr.text().split('\n');
    for (const line of all) assert.ok([...line].length <= 80, `too wide (${[...line].length}): ${line}`);
    const text = all.join(' ').replace(/\s+/g, ' ');
    assert.match(text, /nothing was run for it; nothing was run for it; nothing was run for it;/);
  });

  it('q asks to cancel, a second Ctrl-C forces, and the footer says so', async () => {
    const { host: h, stdin, stderr, cancels } = make();
    h.notify(runStarted([2]));
    h.notify(status(2, 'running', 1));
    await h.flush();
    assert.match(stderr.text(), /q cancel · v more details/);
    stdin.press('q');
    await tick();
    assert.deepEqual(cancels, [false]);
    await h.flush();
    assert.match(stderr.text(), /press Ctrl-C again to force/);
    stdin.press('\u0003');
    await tick();
    stdin.press('\u0003');
    await tick();
    assert.deepEqual(cancels, [false, true], 'forced once, then no more calls');
  });

  it('v toggles verbose rows (unchanged resources appear)', async () => {
    const { host: h, stdin, stderr } = make();
    h.notify(runStarted([1]));
    h.notify(status(1, 'running', 0));
    h.notify(op(1, 'unchanged-bucket', 'same', 'done', 1, 'aws:s3/bucketV2:BucketV2', 5));
    await h.flush();
    assert.doesNotMatch(stderr.text(), /unchanged-bucket/);
    stdin.press('v');
    await tick();
    await h.flush();
    assert.match(stderr.text(), /unchanged-bucket/);
    assert.match(stderr.text(), /v fewer details/);
  });

  it('confirm: Enter takes the default (no for destroy), y says yes, Ctrl-C says no', async () => {
    const { host: h, stdin, stderr, cancels } = make();
    h.notify(runStarted([8], 0, 'destroy'));
    const first = h.confirm({ message: 'Destroy phase 8 of dev?', defaultAnswer: false });
    await tick();
    await h.flush();
    assert.match(stderr.text(), /\? Destroy phase 8 of dev\? y\/N/);
    stdin.press('\r');
    assert.equal(await first, false);
    const second = h.confirm({ message: 'Continue?', defaultAnswer: true });
    await tick();
    stdin.press('y');
    assert.equal(await second, true);
    const third = h.confirm({ message: 'Destroy phase 9 of dev?', defaultAnswer: false });
    await tick();
    stdin.press('\u0003');
    assert.equal(await third, false);
    assert.deepEqual(cancels, [], 'Ctrl-C at a question answers it, it does not cancel the run');
    await h.flush();
    assert.match(stderr.text(), /\? Destroy phase 8 of dev\? no/);
    assert.match(stderr.text(), /\? Continue\? yes/);
  });

  it('confirm without a terminal on stdin answers the default and says so', async () => {
    const { host: h, stderr } = make({ stdinTty: false });
    assert.equal(await h.confirm({ message: 'Destroy phase 8 of dev?', defaultAnswer: false }), false);
    await h.flush();
    assert.match(stderr.text(), /Destroy phase 8 of dev\? \(no terminal to ask; default answer\) no/);
    assert.doesNotMatch(stderr.text(), /q cancel/, 'no key help when keys are off');
  });

  it('close answers a pending question with no and is idempotent', async () => {
    const { host: h } = make();
    const pending = h.confirm({ message: 'Destroy?', defaultAnswer: false });
    await tick();
    await h.close();
    await h.close();
    assert.equal(await pending, false);
  });
});
