/**
 * The real engine under contention and interruption: two concurrent ups on one stack (one proceeds,
 * the other is 'locked' naming the holder); Ctrl-C during an update (graceful, lock released,
 * 'cancelled'); kill -9 of the CLI in the middle of a slow create (pending operations, exit 5 with
 * the repair command, and repair plus up converge with nothing lost).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, isPlatformError, type PlatformError } from '../../src/core/errors.js';
import type { PlatformEvent } from '../../src/core/events.js';
import { repairStack } from '../../src/engine/pulumi/repair.js';
import { readLocks } from '../../src/engine/pulumi/state.js';
import { makeHarness, REPO_ROOT, rejection, untilPending, type Harness } from './harness.js';
import { FILE_RESOURCE_TYPE, fileLookup } from './fixtures/file-resource.js';
import { processAlive as alive } from '../../src/state/process-identity.js';
import { testPhase } from './fixtures/test-phases.js';

/** Resolves when an event matching `pred` has been captured (polls the array; real time is needed here). */
async function until(events: PlatformEvent[], pred: (e: PlatformEvent) => boolean, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!events.some(pred)) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting for an engine event');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every descendant of `pid` (from /proc). */
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

  it('kill -9 mid-create after the side effect: repair finds the resource, imports it, and up makes no second copy', async () => {
    h = makeHarness();
    const phase = testPhase(1, 'crash');
    const dir = join(h.dir, 'f');
    // Every create writes its file first, then waits 60 s: the kill lands after file-1 exists.
    const run = h.engine.up(h.request(phase, { dir, content: 'v1', files: 2, chained: true, slowAfterMs: 60_000 }));
    inflight.push(run);
    await until(h.events, started('file-0'));
    const cli = h.engine.running().find((c) => c.args[0] === 'up')!;
    const t0 = Date.now();
    while (!existsSync(dir) || !readdirSync(dir).length) { // the provider creates the folder with file-0
      if (Date.now() - t0 > 60_000) throw new Error('file-0 was never written');
      await new Promise((r) => setTimeout(r, 50));
    }
    const providers = descendants(cli.pid);
    assert.ok(providers.length > 0, 'the engine runs a provider process');
    process.kill(-cli.pid, 'SIGKILL'); // the engine alone, as an OOM kill would
    await rejection(run);
    // The providers die with their engine (the launcher execs node with a parent watch).
    const t1 = Date.now();
    while (providers.some(alive)) {
      assert.ok(Date.now() - t1 < 5_000, `provider processes outlived their engine by 5 s: ${providers.filter(alive).join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(readdirSync(dir).length, 1, 'file-0 was written before the kill');

    const info = await h.engine.info(h.ref(phase), h.env);
    assert.deepEqual(info.pendingOperations.map((p) => [p.op, p.urn.split('::').pop()]), [['creating', 'file-0']]);
    const e = (await rejection(h.engine.up(h.request(phase, { dir, content: 'v1', files: 2, chained: true })))) as PlatformError;
    assert.ok(isPlatformError(e) && e.code === 'recovery-needed', String(e));
    assert.equal(e.exitCode, ExitCode.RecoveryNeeded);
    assert.equal(e.hint, 'run `platform repair --phase 1 --env rt`');

    const outcome = await repairStack(h.engine, {
      ...h.request(phase, undefined),
      repoRoot: REPO_ROOT,
      lookups: [fileLookup],
      dropUrns: [],
      confirmDrop: async () => assert.fail('a pending create the lookup found must not be offered for dropping'),
    });
    assert.deepEqual(outcome.remaining, []);
    assert.deepEqual(outcome.creates.map((c) => [c.name, c.action]), [['file-0', 'imported']]);
    assert.deepEqual(readLocks(h.backendDir, 'rt-01-crash'), [], 'the killed engine\'s lock was cleared');

    const converge = await h.engine.up(h.request(phase, { dir, content: 'v1', files: 2, chained: true }));
    assert.equal(converge.changes.create, 1, 'only file-1 is created now');
    assert.equal(readdirSync(dir).length, 2, 'no second copy of file-0');
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('file-0--')).length, 1);
  });

  it('repair of a pending create with no lookup for its type: unresolved, nothing dropped, listed', async () => {
    h = makeHarness();
    const phase = testPhase(1, 'nolookup');
    const dir = join(h.dir, 'f');
    const run = h.engine.up(h.request(phase, { dir, content: 'v1', files: 1, delayMs: 60_000 }));
    inflight.push(run);
    await untilPending(h.backendDir, 'rt-01-nolookup', 'file-0');
    const cli = h.engine.running().find((c) => c.args[0] === 'up')!;
    process.kill(-cli.pid, 'SIGKILL');
    await rejection(run);
    const asked: string[] = [];
    const outcome = await repairStack(h.engine, {
      ...h.request(phase, undefined),
      repoRoot: REPO_ROOT,
      lookups: [],
      dropUrns: [],
      confirmDrop: async (r) => (asked.push(r.name), false),
    });
    assert.deepEqual(asked, ['file-0'], 'the user is asked about that one resource, by name');
    assert.equal(outcome.remaining.length, 1);
    assert.deepEqual(outcome.creates.map((c) => [c.name, c.action, c.lookup.detail]), [['file-0', 'unresolved', `no lookup exists for type ${FILE_RESOURCE_TYPE}`]]);
  });
});
