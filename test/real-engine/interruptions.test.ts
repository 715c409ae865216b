/**
 * The real engine under contention and interruption: two concurrent ups on one stack (one proceeds,
 * the other is 'locked' naming the holder); Ctrl-C during an update (graceful, lock released,
 * 'cancelled'); kill -9 of the CLI in the middle of a slow create (pending operations, exit 5 with
 * the repair command, and repair plus up converge with nothing lost).
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, isPlatformError, type PlatformError } from '../../src/core/errors.js';
import type { PlatformEvent } from '../../src/core/events.js';
import { repairStack } from '../../src/engine/pulumi/repair.js';
import { readLocks } from '../../src/engine/pulumi/state.js';
import { makeHarness, REPO_ROOT, rejection, type Harness } from './harness.js';
import { testPhase } from './fixtures/test-phases.js';

/** Resolves when an event matching `pred` has been captured (polls the array; real time is needed here). */
async function until(events: PlatformEvent[], pred: (e: PlatformEvent) => boolean, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!events.some(pred)) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting for an engine event');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every descendant of `pid` (from /proc), so a test can clean up what a killed CLI leaves behind. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp !== p) continue;
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

const started = (name: string) => (e: PlatformEvent) => e.type === 'resource-op' && e.name === name && e.status === 'started';

describe('real engine: contention and interruption', function () {
  this.timeout(240_000);
  let h: Harness;
  /** Operations still running when a test fails are awaited before the temp folder goes. */
  const inflight: Promise<unknown>[] = [];
  afterEach(async () => {
    await Promise.allSettled(inflight.splice(0));
    h?.cleanup();
  });

  it('two concurrent ups on one stack: exactly one proceeds, the other is locked naming the holder', async () => {
    h = makeHarness();
    const phase = testPhase(1, 'race');
    await h.engine.up(h.request(phase, { dir: join(h.dir, 'f'), content: 'v1' }));
    const inputs = { dir: join(h.dir, 'f'), content: 'v1', files: 2, delayMs: 4000 };
    const first = h.engine.up(h.request(phase, inputs));
    inflight.push(first);
    await until(h.events, started('file-1'));
    const holderPid = h.engine.running().find((c) => c.args[0] === 'up')!.pid;
    const other = h.another();
    const e = (await rejection(other.up(h.request(phase, inputs)))) as PlatformError;
    assert.ok(isPlatformError(e) && e.code === 'locked', String(e));
    assert.equal(e.exitCode, ExitCode.Locked);
    assert.match(e.message, new RegExp(`locked by pid ${holderPid} on \\S+ by \\S+ since \\d{4}-`));
    const res = await first;
    assert.equal(res.changes.create, 1, 'the holder finished its update');
    assert.deepEqual(readLocks(h.backendDir, 'rt-01-race'), [], 'and released its lock');
  });

  it('Ctrl-C during an update stops gracefully, releases the lock and reports cancelled', async () => {
    h = makeHarness();
    const phase = testPhase(1, 'cancel');
    const ac = new AbortController();
    const run = h.engine.up(h.request(phase, { dir: join(h.dir, 'f'), content: 'v1', files: 2, delayMs: 3000 }, ac.signal));
    inflight.push(run);
    await until(h.events, started('file-1'));
    ac.abort();
    const e = (await rejection(run)) as PlatformError;
    assert.ok(isPlatformError(e) && e.code === 'cancelled', String(e));
    assert.equal(e.exitCode, ExitCode.Interrupted);
    assert.match(e.message, /was cancelled/);
    assert.deepEqual(readLocks(h.backendDir, 'rt-01-cancel'), [], 'lock released');
    const info = await h.engine.info(h.ref(phase), h.env);
    assert.deepEqual(info.pendingOperations, [], 'graceful: in-flight steps finished, nothing pending');
    const again = await h.engine.up(h.request(phase, { dir: join(h.dir, 'f'), content: 'v1', files: 2 }));
    assert.equal(again.changes.create + again.changes.same, 2, 'the next up converges');
    assert.equal(readdirSync(join(h.dir, 'f')).length, 2);
    // Outlast the slow create: nothing abandoned by the cancel may finish later and leave an orphan.
    await new Promise((r) => setTimeout(r, 3500));
    assert.equal(readdirSync(join(h.dir, 'f')).length, 2, 'no orphan appeared after the cancel');
  });

  it('kill -9 mid-create: pending operations, exit 5 naming repair, and repair + up converge with nothing lost', async () => {
    h = makeHarness();
    const phase = testPhase(1, 'crash');
    const dir = join(h.dir, 'f');
    const run = h.engine.up(h.request(phase, { dir, content: 'v1', files: 2, delayMs: 60_000 }));
    inflight.push(run);
    await until(h.events, (e) => e.type === 'resource-op' && e.name === 'file-0' && e.status === 'done');
    await until(h.events, started('file-1'));
    const cli = h.engine.running().find((c) => c.args[0] === 'up')!;
    const plugins = descendants(cli.pid);
    process.kill(-cli.pid, 'SIGKILL'); // the CLI, as an OOM kill or `kill -9 -<pgid>` would
    await rejection(run);
    // Its provider plugins run in their own process groups and outlive it (as they would in life);
    // the test ends them so that nothing it started keeps running.
    for (const p of plugins) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const survivor = readdirSync(dir);
    assert.equal(survivor.length, 1, 'file-0 was created before the kill');
    const survivorContent = readFileSync(join(dir, survivor[0]!), 'utf8');

    const info = await h.engine.info(h.ref(phase), h.env);
    assert.equal(info.pendingOperations.length, 1);
    assert.match(info.pendingOperations[0]!.urn, /file-1$/);
    assert.equal(info.pendingOperations[0]!.op, 'creating');

    const e = (await rejection(h.engine.up(h.request(phase, { dir, content: 'v1', files: 2 })))) as PlatformError;
    assert.ok(isPlatformError(e) && e.code === 'recovery-needed', String(e));
    assert.equal(e.exitCode, ExitCode.RecoveryNeeded);
    assert.match(e.message, /file-1/);
    assert.equal(e.hint, 'run `platform repair --phase 1 --env rt`');

    const questions: string[] = [];
    const outcome = await repairStack(h.engine, {
      ...h.request(phase, undefined),
      repoRoot: REPO_ROOT,
      confirm: async (q) => {
        questions.push(q.message);
        assert.equal(q.defaultAnswer, false, 'destructive questions default to no');
        return true;
      },
    });
    assert.equal(outcome.clearedLocks.length, 1, 'the killed CLI left its lock; repair cleared it on confirmation');
    assert.match(outcome.clearedLocks[0]!, new RegExp(`pid ${cli.pid} .*stale`));
    assert.deepEqual(outcome.remaining, []);
    assert.ok(outcome.cleared.some((p) => p.urn.endsWith('file-1') && p.op === 'creating'));
    assert.ok(questions.some((q) => q.includes('file-1') && q.includes('never created')));

    const converge = await h.engine.up(h.request(phase, { dir, content: 'v1', files: 2 }));
    assert.equal(converge.changes.create, 1, 'the interrupted create is done now');
    assert.equal(converge.changes.same, 1, 'the resource created before the kill was kept');
    const noop = await h.engine.up(h.request(phase, { dir, content: 'v1', files: 2 }));
    assert.deepEqual({ ...noop.changes, same: 0 }, { create: 0, update: 0, replace: 0, delete: 0, same: 0 });
    assert.equal(readdirSync(dir).length, 2);
    assert.equal(readFileSync(join(dir, survivor[0]!), 'utf8'), survivorContent, 'nothing lost');
  });
});
