/**
 * The kill sweep: the real CLI (`bin/platform.js`) on the real engine, stopped at many points of a
 * run that updates, creates and deletes (12 chained steps whose side effect happens first and then
 * takes 300 ms: the case that duplicated resources when a pending create was dropped on a guess).
 *
 * Points are placed on each run's own progress, not on a clock from the CLI's start (which landed
 * before the engine in most kills on a loaded machine):
 * - before the engine steps: at the run's `run-started` event, at `phase-status running`, at the
 *   first `resource-op`;
 * - at each of the 12 steps: when its side effect shows in the provider's store (a file created,
 *   rewritten or removed; the store is polled every 20 ms), plus 0, 100 or 200 ms: the resource
 *   exists, or is changed or gone, and the engine has not recorded it yet (the step takes 300 ms);
 * - as the run ends: 350, 700, 1200 and 2000 ms after the last side effect (the last checkpoint
 *   write, history, backups, unlock, `stack output`), at `phase-summary` and at `run-finished`.
 *
 * Signals: SIGKILL of the CLI alone and of its whole process tree at every point (21 each), plus
 * SIGINT, a double SIGINT and SIGTERM at 7 points. After each: wait for every process of the
 * killed run to die (orphans), then recover by following the commands the CLI prints, mechanically
 * (`up`; on an error naming `platform repair ...`, run it; anything else is a manual step), then
 * compare the provider's store with the state: 0 duplicated, 0 lost, 0 manual steps, 0 orphans,
 * every point. A failed recovery also lists any broken metadata sidecar (`*.attrs`) in the backend.
 *
 * The SIGKILL-of-the-CLI points run in one scratch checkout and the SIGKILL-of-the-tree points in
 * another, side by side (each its own stack and store), to halve the wall time. The table goes to
 * stdout and to PLATFORM_SWEEP_REPORT if set. PLATFORM_SWEEP_POINTS=<comma-separated point numbers>
 * runs only those points (while iterating).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestInputs } from './fixtures/test-phases.js';
import { CliProject, hintedCommand, processTree, type CliRun } from './cli-harness.js';
import { processAlive } from '../../src/state/process-identity.js';

type Signal = 'kill-cli' | 'kill-tree' | 'sigint' | 'sigint-twice' | 'sigterm';

/** When to stop the run: on one of its events, or on its n-th side effect in the store; then wait. */
type Trigger = { event: string; afterMs: number } | { effect: number; afterMs: number };

interface Point {
  point: number;
  trigger: Trigger;
}

interface Row {
  point: number;
  trigger: string;
  signal: Signal;
  hit: string;
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
const STEPS = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function target(store: string, which: 0 | 1): TestInputs {
  // 0: s-0..s-7 at v1; 1: s-4..s-11 at v2. Going from one to the other updates 4, creates 4, deletes 4.
  return which === 0
    ? { dir: store, content: 'v1', prefix: 's', first: 0, files: 8, chained: true, slowAfterMs: 300 }
    : { dir: store, content: 'v2', prefix: 's', first: 4, files: 8, chained: true, slowAfterMs: 300 };
}

/** The sweep's points, numbered; the trigger says where each lands. */
function sweepPoints(): Point[] {
  const triggers: Trigger[] = [
    { event: 'run-started', afterMs: 0 },
    { event: 'phase-status running', afterMs: 0 },
    { event: 'resource-op', afterMs: 0 },
    ...Array.from({ length: STEPS }, (_, i) => ({ effect: i + 1, afterMs: (i % 3) * 100 })),
    ...[350, 700, 1200, 2000].map((afterMs) => ({ effect: STEPS, afterMs })),
    { event: 'phase-summary', afterMs: 0 },
    { event: 'run-finished', afterMs: 0 },
  ];
  return triggers.map((trigger, point) => ({ point, trigger }));
}

/** The graceful-signal runs: which point each lands on. */
const SIGNAL_RUNS: Array<{ point: number; signal: Signal; lane: 0 | 1 }> = [
  { point: 5, signal: 'sigint', lane: 0 }, // mid-step
  { point: 16, signal: 'sigint', lane: 0 }, // as the run ends
  { point: 19, signal: 'sigint', lane: 0 }, // at phase-summary
  { point: 8, signal: 'sigint-twice', lane: 1 },
  { point: 15, signal: 'sigint-twice', lane: 1 },
  { point: 11, signal: 'sigterm', lane: 1 },
  { point: 20, signal: 'sigterm', lane: 1 },
];

function describeTrigger(t: Trigger): string {
  return 'event' in t ? `${t.event} +${t.afterMs} ms` : `step ${t.effect}/${STEPS} effect +${t.afterMs} ms`;
}

/** name -> content of every file in the store. */
function snapshot(store: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(store)) return out;
  for (const f of readdirSync(store)) {
    try {
      out.set(f, readFileSync(join(store, f), 'utf8'));
    } catch {
      // removed meanwhile
    }
  }
  return out;
}

/** Side effects so far against the store before the run: files created, rewritten, removed. */
function effects(before: Map<string, string>, now: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [f, c] of now) {
    if (!before.has(f)) out.push(`create ${f.split('--')[0]}`);
    else if (before.get(f) !== c) out.push(`update ${f.split('--')[0]}`);
  }
  for (const f of before.keys()) if (!now.has(f)) out.push(`delete ${f.split('--')[0]}`);
  return out;
}

function events(stdout: string): Array<{ type: string } & Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { type: string } & Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

function matches(e: { type: string } & Record<string, unknown>, spec: string): boolean {
  const [type, status] = spec.split(' ');
  return e.type === type && (status === undefined || e.status === status);
}

/** Resolves when the trigger fires (true), or when the run ends first (false). */
async function waitFor(run: CliRun, store: string, before: Map<string, string>, t: Trigger): Promise<{ fired: boolean; effectsSeen: string[] }> {
  let ended = false;
  void run.done.then(() => (ended = true));
  let seen: string[] = [];
  for (;;) {
    if (ended) return { fired: false, effectsSeen: seen };
    seen = effects(before, snapshot(store));
    const ok = 'event' in t ? events(run.out().stdout).some((e) => matches(e, t.event)) : seen.length >= t.effect;
    if (ok) break;
    await sleep(20);
  }
  if (t.afterMs) await Promise.race([sleep(t.afterMs), run.done]);
  return { fired: !ended, effectsSeen: seen };
}

function where(stdout: string, effectsSeen: string[]): string {
  const ops = events(stdout).filter((e) => e.type === 'resource-op' && e.op !== 'same');
  const last = ops.at(-1);
  const lastOp = last ? `${String(last.op)} ${String(last.name)} ${String(last.status)}` : 'none';
  const phase = !ops.length ? 'before the steps' : effectsSeen.length < STEPS || last?.status !== 'done' ? 'steps' : 'finishing';
  return `${phase}: ${effectsSeen.length} effects (last ${effectsSeen.at(-1) ?? '-'}); last event ${lastOp}`;
}

/**
 * Sends `signal` unless the process is already gone (ESRCH): the tree is a snapshot, and a
 * short-lived child in it (a plugin probe, a provider that finished) can exit before its turn. A
 * fresh-clone CI run failed the whole sweep on exactly that ("kill ESRCH" in kill-tree).
 */
function killIfAlive(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

async function stop(pid: number, signal: Signal): Promise<number[]> {
  const tree = processTree(pid);
  if (signal === 'kill-cli') killIfAlive(pid, 'SIGKILL');
  else if (signal === 'kill-tree') for (const p of [pid, ...tree]) killIfAlive(p, 'SIGKILL');
  else if (signal === 'sigterm') killIfAlive(pid, 'SIGTERM');
  else {
    killIfAlive(pid, 'SIGINT');
    if (signal === 'sigint-twice') {
      await sleep(300);
      if (processAlive(pid)) killIfAlive(pid, 'SIGINT');
    }
  }
  return tree;
}

/** Metadata sidecars in the backend that do not parse (what made reads fail with EOF). */
function brokenSidecars(p: CliProject): string[] {
  const root = p.path('.platform', 'state', '.pulumi');
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.attrs'))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => {
      try {
        JSON.parse(readFileSync(f, 'utf8'));
        return false;
      } catch {
        return true;
      }
    });
}

/**
 * Runs `plan` on one project (its own checkout, stack and store), alternating between the targets;
 * it stops before its next run once the other lane has failed.
 */
async function lane(p: CliProject, plan: Array<Point & { signal: Signal }>, rows: Row[], failed: { error?: unknown }): Promise<void> {
  const store = p.path('store');
  p.scenario({ 2: target(store, 0) });
  const first = await p.run(['up', '--phase', '2', '--env', 'rt']);
  assert.equal(first.code, 0, first.stderr);
  let state: 0 | 1 = 0;
  for (const { point, trigger, signal } of plan) {
    if (failed.error) return;
    state = state === 0 ? 1 : 0;
    p.scenario({ 2: target(store, state) });
    const before = snapshot(store);
    const run = p.start(['up', '--phase', '2', '--env', 'rt', '--json']);
    const { fired, effectsSeen } = await waitFor(run, store, before, trigger);
    let tree: number[] = [];
    if (fired) tree = await stop(run.child.pid!, signal);
    const end = await run.done;
    // Every process of the killed run must be gone within 5 s (the engine and its providers die with it).
    const t1 = Date.now();
    while (tree.some(processAlive) && Date.now() - t1 < 5000) await sleep(50);
    const orphans = tree.filter(processAlive);
    for (const o of orphans) killIfAlive(o, 'SIGKILL');
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
    if (manual) {
      const broken = brokenSidecars(p);
      if (broken.length) final += ` [broken sidecars: ${broken.join(', ')}]`;
    }
    const audit = p.audit(STACK, store);
    rows.push({
      point,
      trigger: describeTrigger(trigger),
      signal,
      hit: fired ? where(end.stdout, effectsSeen) : 'run had finished',
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
  const only = process.env.PLATFORM_SWEEP_POINTS?.split(',').filter(Boolean).map(Number);
  const points = sweepPoints().filter((p) => !only || only.includes(p.point));
  // Two checkouts side by side: SIGKILL of the CLI alone in one, of the whole tree in the other.
  const projects = [new CliProject(), new CliProject()];
  const rows: Row[] = [];
  after(() => projects.forEach((p) => p.dispose()));

  it(`${points.length} points × SIGKILL of the CLI and of its tree (+ SIGINT, double SIGINT, SIGTERM): 0 duplicated, 0 lost, 0 manual steps`, async () => {
    const t0 = Date.now();
    const lanes: Array<Array<Point & { signal: Signal }>> = [
      points.map((p) => ({ ...p, signal: 'kill-cli' as const })),
      points.map((p) => ({ ...p, signal: 'kill-tree' as const })),
    ];
    for (const s of SIGNAL_RUNS) {
      const p = points.find((x) => x.point === s.point);
      if (p) lanes[s.lane]!.push({ ...p, signal: s.signal });
    }
    // Both lanes end before the test does (each lane's error is caught and kept): a failed lane stops
    // the other at its next run, and the checkouts are removed only after both have stopped.
    const failed: { error?: unknown } = {};
    await Promise.all(lanes.map((plan, k) => lane(projects[k]!, plan, rows, failed).catch((e: unknown) => void (failed.error ??= e))));
    if (failed.error) throw failed.error;
    rows.sort((a, b) => a.point - b.point || a.signal.localeCompare(b.signal));
    const runs = lanes.flat().length;

    const table = [
      `kill sweep: ${runs} runs (${points.length} points × kill-cli, kill-tree; sigint, sigint-twice, sigterm at ${runs - 2 * points.length} of them); wall ${Math.round((Date.now() - t0) / 1000)} s`,
      '',
      '| # | trigger | signal | where it landed | exit | orphans | journal run-finished | record | recovery path | duplicates | lost |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.point} | ${r.trigger} | ${r.signal} | ${r.hit} | ${r.exit} | ${r.orphans} | ${r.journalFinished ? 'yes' : 'no'} | ${r.record} | ${r.recovery.join(', ')}${r.manual ? ` MANUAL: ${r.final}` : ''} | ${r.duplicates} | ${r.lost} |`),
      '',
      `totals: duplicated ${rows.reduce((a, r) => a + r.duplicates, 0)}, lost ${rows.reduce((a, r) => a + r.lost, 0)}, manual ${rows.filter((r) => r.manual).length}, orphans ${rows.reduce((a, r) => a + r.orphans, 0)}; SIGKILLs that landed in the steps: ${rows.filter((r) => r.signal.startsWith('kill') && r.hit.startsWith('steps')).length} of ${rows.filter((r) => r.signal.startsWith('kill')).length}`,
    ].join('\n');
    process.stdout.write(`\n${table}\n`);
    if (process.env.PLATFORM_SWEEP_REPORT) writeFileSync(process.env.PLATFORM_SWEEP_REPORT, table + '\n');

    const bad = rows.filter((r) => r.duplicates || r.lost || r.manual || r.orphans || r.final !== 'ok');
    assert.deepEqual(bad, [], 'every point recovers with the commands the CLI prints: no duplicate, nothing lost, no manual step, no orphan');
    // Every step's point landed in the steps, with its side effect done (not before the engine).
    for (const r of rows.filter((x) => x.signal.startsWith('kill') && /^step \d+\/\d+ effect \+[0-2]00 ms$/.test(x.trigger))) {
      assert.match(r.hit, /^steps: [1-9]\d* effects/, `point ${r.point} (${r.signal}) landed in the steps`);
    }
    // A graceful stop (one SIGINT or SIGTERM) ends its journal with run-finished and leaves no record in progress.
    for (const r of rows.filter((x) => x.signal === 'sigint' || x.signal === 'sigterm' || x.signal === 'sigint-twice')) {
      if (r.hit === 'run had finished') continue;
      assert.ok(r.journalFinished, `${r.signal} at point ${r.point}: the journal ends with run-finished`);
      assert.notEqual(r.record, 'in-progress', `${r.signal} at point ${r.point}: the record is not left in progress`);
      // At run-finished the run is over (journal and record written, checked above): its own exit code
      // (0) stands, or the wind-down's 130, or, for a SIGTERM that lands after the exiting CLI gave its
      // signal handlers back, the default action (killed by SIGTERM; seen in the fresh-clone CI run of
      // 2026-11-30). Recovery is still checked for it like every other point.
      if (r.trigger.startsWith('run-finished')) assert.match(r.exit, r.signal === 'sigterm' ? /^(0|130|SIGTERM)$/ : /^(0|130)$/, `${r.signal} at point ${r.point}: exit 0 or 130${r.signal === 'sigterm' ? ' or killed by SIGTERM' : ''}`);
      else assert.equal(r.exit, '130', `${r.signal} at point ${r.point}: exit 130`);
    }
  });
});
