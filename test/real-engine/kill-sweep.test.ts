/**
 * The kill sweep: the real CLI (`bin/platform.js`) on the real engine, stopped at many points of a
 * run that updates, creates and deletes (12 chained steps whose side effect happens first and then
 * takes 300 ms: the case that duplicated resources when a pending create was dropped on a guess).
 *
 * Signals: SIGKILL of the CLI alone and of its whole process tree at every point, plus SIGINT, a
 * double SIGINT and SIGTERM at a few. After each: wait for every process of the killed run to die
 * (orphans), then recover by following the commands the CLI prints, mechanically (`up`; on an error
 * naming `platform repair ...`, run it; anything else is a manual step), then compare the provider's
 * store with the state: 0 duplicated, 0 lost, 0 manual steps, 0 orphans, every point.
 *
 * Points are spread from 1.5 s before the first engine step to 0.8 s after the last (calibrated on a
 * clean run); the "last event" column says where each kill really landed. PLATFORM_SWEEP_POINTS sets
 * the number of points (default 20); the table goes to stdout and to PLATFORM_SWEEP_REPORT if set.
 * The SIGKILL-of-the-CLI points run in one scratch checkout and the SIGKILL-of-the-tree points in
 * another, side by side (each its own stack and store), to halve the wall time.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import type { TestInputs } from './fixtures/test-phases.js';
import { CliProject, hintedCommand, processTree } from './cli-harness.js';
import { processAlive } from '../../src/state/process-identity.js';

type Signal = 'kill-cli' | 'kill-tree' | 'sigint' | 'sigint-twice' | 'sigterm';

interface Row {
  point: number;
  atMs: number;
  signal: Signal;
  lastEvent: string;
  exit: string;
  orphans: number;
  journalFinished: boolean;
  record: string;
  recovery: string[];
  manual: boolean;
  duplicates: number;
  lost: number;
  final: string;
}

const STACK = 'rt-02-sweep';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function target(store: string, which: 0 | 1): TestInputs {
  // 0: s-0..s-7 at v1; 1: s-4..s-11 at v2. Going from one to the other updates 4, creates 4, deletes 4.
  return which === 0
    ? { dir: store, content: 'v1', prefix: 's', first: 0, files: 8, chained: true, slowAfterMs: 300 }
    : { dir: store, content: 'v2', prefix: 's', first: 4, files: 8, chained: true, slowAfterMs: 300 };
}

function lastEvent(stdout: string): string {
  const ops = stdout
    .split('\n')
    .filter((l) => l.includes('"resource-op"'))
    .map((l) => JSON.parse(l) as { op: string; name: string; status: string });
  const e = ops.at(-1);
  return e ? `${e.op} ${e.name} ${e.status}` : 'none';
}

async function stop(pid: number, signal: Signal): Promise<number[]> {
  const tree = processTree(pid);
  if (signal === 'kill-cli') process.kill(pid, 'SIGKILL');
  else if (signal === 'kill-tree') for (const p of [pid, ...tree]) process.kill(p, 'SIGKILL');
  else if (signal === 'sigterm') process.kill(pid, 'SIGTERM');
  else {
    process.kill(pid, 'SIGINT');
    if (signal === 'sigint-twice') {
      await sleep(300);
      if (processAlive(pid)) process.kill(pid, 'SIGINT');
    }
  }
  return tree;
}

/** Runs `plan` on one project (its own checkout, stack and store), alternating between the targets. */
async function lane(p: CliProject, store: string, plan: Array<{ point: number; at: number; signal: Signal }>, rows: Row[]): Promise<void> {
  p.scenario({ 2: target(store, 0) });
  const first = await p.run(['up', '--phase', '2', '--env', 'rt']);
  assert.equal(first.code, 0, first.stderr);
  let state: 0 | 1 = 0;
  for (const { point, at, signal } of plan) {
    state = state === 0 ? 1 : 0;
    p.scenario({ 2: target(store, state) });
    const run = p.start(['up', '--phase', '2', '--env', 'rt', '--json']);
    const exited = run.done.then(() => true);
    const fired = await Promise.race([sleep(at).then(() => false), exited]);
    let tree: number[] = [];
    if (!fired) tree = await stop(run.child.pid!, signal);
    const end = await run.done;
    // Every process of the killed run must be gone within 5 s (the engine and its providers die with it).
    const t1 = Date.now();
    while (tree.some(processAlive) && Date.now() - t1 < 5000) await sleep(50);
    const orphans = tree.filter(processAlive);
    for (const o of orphans) process.kill(o, 'SIGKILL');
    const journal = p.journals().at(-1) ?? [];
    const journalFinished = journal.at(-1)?.type === 'run-finished';
    const record = p.record(2)?.status ?? 'none';

    // Recovery, by the book: up; follow the platform command an error names; anything else is manual.
    const recovery: string[] = [];
    let manual = false;
    let final = '';
    for (let step = 0; step < 4 && !manual; step++) {
      const up = await p.run(['up', '--phase', '2', '--env', 'rt']);
      recovery.push(`up→${up.code}`);
      if (up.code === 0) {
        final = 'ok';
        break;
      }
      const cmd = hintedCommand(up.stderr);
      if (!cmd || cmd[0] === 'up') {
        manual = true;
        final = up.stderr.trim().split('\n').at(-1) ?? '';
        break;
      }
      const fix = await p.run(cmd);
      recovery.push(`${cmd[0]}→${fix.code}`);
      if (fix.code !== 0) {
        manual = true;
        final = fix.stderr.trim().split('\n').at(-1) ?? '';
      }
    }
    const audit = p.audit(STACK, store);
    rows.push({
      point,
      atMs: at,
      signal,
      lastEvent: fired ? 'run had finished' : lastEvent(end.stdout),
      exit: end.signal ?? String(end.code),
      orphans: orphans.length,
      journalFinished,
      record,
      recovery,
      manual,
      duplicates: audit.duplicates.length,
      lost: audit.lost.length,
      final: final || `${audit.state} in state, ${audit.pending} pending`,
    });
  }
}

describe('kill sweep through the CLI on the real engine', function () {
  this.timeout(3_600_000);
  const points = Number(process.env.PLATFORM_SWEEP_POINTS ?? 20);
  // Two checkouts side by side: SIGKILL of the CLI alone in one, of the whole tree in the other.
  const projects = [new CliProject(), new CliProject()];
  const rows: Row[] = [];
  after(() => projects.forEach((p) => p.dispose()));

  it(`${points} points × SIGKILL of the CLI and of its tree (+ SIGINT, double SIGINT, SIGTERM): 0 duplicated, 0 lost, 0 manual steps`, async () => {
    const t0 = Date.now();
    // Calibration: when do the engine steps run, from the CLI's start?
    const cp = projects[0]!;
    const calStore = cp.path('calibration');
    cp.scenario({ 2: target(calStore, 0) });
    assert.equal((await cp.run(['up', '--phase', '2', '--env', 'rt'])).code, 0);
    cp.scenario({ 2: target(calStore, 1) });
    const startedAt = Date.now();
    const cal = cp.start(['up', '--phase', '2', '--env', 'rt', '--json']);
    let firstOp = 0;
    let lastOp = 0;
    cal.child.stdout!.on('data', (d: string) => {
      if (!d.includes('"resource-op"')) return;
      if (!firstOp) firstOp = Date.now() - startedAt;
      lastOp = Date.now() - startedAt;
    });
    const calDone = await cal.done;
    assert.equal(calDone.code, 0, calDone.stderr);
    assert.ok(firstOp > 0, 'the calibration run reported its steps');
    assert.equal((await cp.run(['destroy', '--phase', '2', '--env', 'rt', '--yes'])).code, 0);

    const span = lastOp - firstOp + 2300;
    const atOf = (i: number) => Math.round(firstOp - 1500 + (i * span) / Math.max(1, points - 1));
    const lanes: Array<Array<{ point: number; at: number; signal: Signal }>> = [[], []];
    for (let i = 0; i < points; i++) {
      lanes[0]!.push({ point: i, at: atOf(i), signal: 'kill-cli' });
      lanes[1]!.push({ point: i, at: atOf(i), signal: 'kill-tree' });
    }
    for (const i of [4, 9, 14].filter((x) => x < points)) {
      lanes[0]!.push({ point: i, at: atOf(i), signal: 'sigint' });
      lanes[1]!.push({ point: i, at: atOf(i), signal: 'sigint-twice' }, { point: i, at: atOf(i), signal: 'sigterm' });
    }
    await Promise.all(lanes.map((plan, k) => lane(projects[k]!, projects[k]!.path('store'), plan, rows)));
    rows.sort((a, b) => a.point - b.point || a.signal.localeCompare(b.signal));
    const plan = lanes.flat();

    const table = [
      `kill sweep: ${plan.length} runs (${points} points × kill-cli, kill-tree; sigint, sigint-twice, sigterm at 3 points); calibration: first step at ${firstOp} ms, last at ${lastOp} ms; wall ${Math.round((Date.now() - t0) / 1000)} s`,
      '',
      '| # | at ms | signal | last engine event | exit | orphans | journal run-finished | record | recovery path | duplicates | lost |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.point} | ${r.atMs} | ${r.signal} | ${r.lastEvent} | ${r.exit} | ${r.orphans} | ${r.journalFinished ? 'yes' : 'no'} | ${r.record} | ${r.recovery.join(', ')}${r.manual ? ` MANUAL: ${r.final}` : ''} | ${r.duplicates} | ${r.lost} |`),
      '',
      `totals: duplicated ${rows.reduce((a, r) => a + r.duplicates, 0)}, lost ${rows.reduce((a, r) => a + r.lost, 0)}, manual ${rows.filter((r) => r.manual).length}, orphans ${rows.reduce((a, r) => a + r.orphans, 0)}`,
    ].join('\n');
    process.stdout.write(`\n${table}\n`);
    if (process.env.PLATFORM_SWEEP_REPORT) writeFileSync(process.env.PLATFORM_SWEEP_REPORT, table + '\n');

    const bad = rows.filter((r) => r.duplicates || r.lost || r.manual || r.orphans || r.final !== 'ok');
    assert.deepEqual(bad, [], 'every point recovers with the commands the CLI prints: no duplicate, nothing lost, no manual step, no orphan');
    // A graceful stop (one SIGINT or SIGTERM) ends its journal with run-finished and leaves no record in progress.
    for (const r of rows.filter((x) => x.signal === 'sigint' || x.signal === 'sigterm' || x.signal === 'sigint-twice')) {
      if (r.lastEvent === 'run had finished') continue;
      assert.ok(r.journalFinished, `${r.signal} at ${r.atMs} ms: the journal ends with run-finished`);
      assert.notEqual(r.record, 'in-progress', `${r.signal} at ${r.atMs} ms: the record is not left in progress`);
      assert.equal(r.exit, '130', `${r.signal} at ${r.atMs} ms: exit 130`);
    }
  });
});
