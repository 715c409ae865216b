/**
 * The real CLI on the real engine under contention and interruption, with real file locks, journal,
 * records, signals and exit codes (test phases through PLATFORM_REGISTRY):
 * - 10 processes racing for one stack: one proceeds, nine exit 4 naming the holder, no workspace
 *   error, state intact (on a fresh stack, and on a deployed one with --force);
 * - kill -9 of the CLI after it took its lock: the next `up` clears the stale lock with one line;
 * - a double Ctrl-C: exit 130, the journal ends with run-finished, the record is not left in progress,
 *   and the repair the CLI names plus `up` converge with no duplicate;
 * - `repair` of a pending create nothing can look up: exit 5 listing it; `--yes` does not drop it;
 *   `--drop-pending-create <urn>` does;
 * - the canary secret never appears in the CLI's own piped stdout and stderr;
 * - a PLATFORM_REGISTRY that cannot be loaded is one clear line, exit 2;
 * - the file backend's metadata sidecars: the engine writes none (a killed engine left one empty and
 *   every later read failed with "failed to load checkpoint: EOF"); an empty one left by an older run
 *   is removed with one line and the next `up` converges.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliProject, processTree } from './cli-harness.js';
import { untilPending } from './harness.js';
import { processAlive } from '../../src/state/process-identity.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the CLI on the real engine: racers, kills, signals, repair, canary', function () {
  this.timeout(900_000);
  let p: CliProject;
  beforeEach(() => {
    p = new CliProject();
  });
  afterEach(() => p.dispose());

  async function racers(args: string[]): Promise<Array<{ code: number | null; stderr: string }>> {
    const runs = Array.from({ length: 10 }, () => p.start(args));
    return Promise.all(runs.map((r) => r.done));
  }

  it('10 racers on one stack: 1 proceeds, 9 exit 4 naming the holder; fresh and deployed; state intact', async () => {
    const store = p.path('store');
    for (const [round, content, extra] of [
      ['fresh', 'v1', []],
      ['deployed, --force', 'v2', ['--force']],
    ] as const) {
      p.scenario({ 1: { dir: store, content, files: 2, delayMs: 3000 } });
      const results = await racers(['up', '--phase', '1', '--env', 'rt', ...extra]);
      const codes = results.map((r) => r.code).sort();
      assert.deepEqual(codes, [0, 4, 4, 4, 4, 4, 4, 4, 4, 4], `${round}: ${results.map((r) => `${r.code}: ${r.stderr.trim().split('\n').at(-1)}`).join('\n')}`);
      // A loser meets either our lock file or, when it arrives as the winner's engine holds the stack,
      // the engine's lock: both are exit 4 naming the holder's pid and host.
      for (const r of results.filter((x) => x.code === 4)) {
        assert.match(r.stderr, /error: (?:stack rt-01-race is locked by pid \d+ on \S+ \(run \S+, up since |phase 1 \(race\): stack rt-01-race is being updated by pid \d+ on \S+)/, `${round}: ${r.stderr}`);
      }
      for (const r of results) assert.doesNotMatch(r.stderr, /Pulumi\.yaml|already exists|expected project/, round);
      const audit = p.audit('rt-01-race', store);
      assert.deepEqual({ ...audit, lost: audit.lost.length, duplicates: audit.duplicates.length }, { state: 2, files: 2, lost: 0, duplicates: 0, pending: 0 }, round);
      assert.equal(existsSync(p.path('.platform', 'locks')), false, `${round}: no lock left`);
      assert.equal(readdirSync(p.path('.platform', 'state', '.pulumi', 'locks', 'organization', 'platform', 'rt-01-race')).length, 0, `${round}: no engine lock left`);
    }
  });

  it('kill -9 of the CLI holding its lock: the next up clears it with one line and converges', async () => {
    const store = p.path('store');
    p.scenario({ 1: { dir: store, content: 'v1', files: 2, delayMs: 60_000 } });
    const run = p.start(['up', '--phase', '1', '--env', 'rt']);
    await untilPending(p.path('.platform', 'state'), 'rt-01-race', 'file-1');
    const tree = processTree(run.child.pid!);
    process.kill(run.child.pid!, 'SIGKILL'); // the CLI alone, as the OOM killer would
    await run.done;
    const t0 = Date.now();
    while (tree.some(processAlive)) {
      assert.ok(Date.now() - t0 < 5000, 'the engine and its providers die with the CLI');
      await sleep(50);
    }
    assert.ok(existsSync(p.path('.platform', 'locks', 'rt-01-race.lock')), 'the killed CLI left its lock');
    p.scenario({ 1: { dir: store, content: 'v1', files: 2 } });
    const up = await p.run(['up', '--phase', '1', '--env', 'rt']);
    assert.equal(up.code, 5, up.stderr);
    assert.match(up.stderr, new RegExp(`cleared the lock of rt-01-race left by pid ${run.child.pid} on \\S+ \\(run \\S+, up since \\S+\\): that process no longer exists`));
    // file-1 is pending; file-0 too when the kill lands before its create returned (load decides).
    assert.match(up.stderr, /error: phase 1 \(race\) has [12] pending operation\(s\) from an interrupted update; run: platform repair --phase 1 --env rt/);
    const repair = await p.run(['repair', '--phase', '1', '--env', 'rt']);
    assert.equal(repair.code, 0, repair.stderr);
    assert.match(repair.stderr, /pending create of pulumi-nodejs:dynamic\/platform-test:FileResource 'file-1': never created \(no file named file-1--\* in .*\); dropping it/);
    const again = await p.run(['up', '--phase', '1', '--env', 'rt']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual({ ...p.audit('rt-01-race', store), lost: [], duplicates: [] }, { state: 2, files: 2, lost: [], duplicates: [], pending: 0 });
  });

  it('double Ctrl-C mid-create: exit 130, journal run-finished, record cancelled; repair + up: no duplicate', async () => {
    const store = p.path('store');
    p.scenario({ 1: { dir: store, content: 'v1', files: 2, chained: true, slowAfterMs: 60_000 } });
    const run = p.start(['up', '--phase', '1', '--env', 'rt']);
    await untilPending(p.path('.platform', 'state'), 'rt-01-race', 'file-0');
    while (!existsSync(store) || readdirSync(store).length === 0) await sleep(50);
    const tree = processTree(run.child.pid!);
    process.kill(run.child.pid!, 'SIGINT');
    await sleep(300);
    process.kill(run.child.pid!, 'SIGINT');
    const end = await run.done;
    assert.equal(end.code, 130, end.stderr);
    assert.match(end.stderr, /SIGINT again: forcing exit/);
    const t0 = Date.now();
    while (tree.some(processAlive)) {
      assert.ok(Date.now() - t0 < 5000, 'no process of the run outlives it');
      await sleep(50);
    }
    const journal = p.journals().at(-1)!;
    assert.equal(journal.at(-1)!.type, 'run-finished');
    assert.equal(journal.at(-1)!.exitCode, 130);
    assert.equal(p.record(1)?.status, 'cancelled');

    p.scenario({ 1: { dir: store, content: 'v1', files: 2, chained: true } });
    const up = await p.run(['up', '--phase', '1', '--env', 'rt']);
    assert.equal(up.code, 5, up.stderr);
    const repair = await p.run(['repair', '--phase', '1', '--env', 'rt']);
    assert.equal(repair.code, 0, repair.stderr);
    assert.match(repair.stderr, /pending create of \S+ 'file-0': found, id file-0--\S+ \(file .*\); importing it/);
    const again = await p.run(['up', '--phase', '1', '--env', 'rt']);
    assert.equal(again.code, 0, again.stderr);
    const audit = p.audit('rt-01-race', store);
    assert.deepEqual({ ...audit, lost: audit.lost.length, duplicates: audit.duplicates.length }, { state: 2, files: 2, lost: 0, duplicates: 0, pending: 0 });
  });

  it('repair of a pending create nothing can look up: exit 5 listing it; --yes does not drop it; --drop-pending-create does', async () => {
    const store = p.path('store');
    // A store folder the lookup cannot read: existence unknown.
    p.scenario({ 1: { dir: `${store}/\0bad`, content: 'v1', files: 1, delayMs: 60_000 } });
    const run = p.start(['up', '--phase', '1', '--env', 'rt']);
    await untilPending(p.path('.platform', 'state'), 'rt-01-race', 'file-0');
    process.kill(run.child.pid!, 'SIGKILL');
    await run.done;
    const repair = await p.run(['repair', '--phase', '1', '--env', 'rt', '--yes']);
    assert.equal(repair.code, 5, repair.stderr);
    const urn = 'urn:pulumi:rt-01-race::platform::pulumi-nodejs:dynamic/platform-test:FileResource::file-0';
    assert.match(repair.stderr, /pending: creating pulumi-nodejs:dynamic\/platform-test:FileResource 'file-0'/);
    assert.match(repair.stderr, /error: phase 1: 1 pending operation\(s\) unresolved: pulumi-nodejs:dynamic\/platform-test:FileResource 'file-0' \(the lookup failed: .*\); .*--drop-pending-create 'urn:pulumi:rt-01-race::platform::pulumi-nodejs:dynamic\/platform-test:FileResource::file-0'/);
    assert.equal(p.checkpoint('rt-01-race').pending.length, 1, '--yes dropped nothing');
    const drop = await p.run(['repair', '--phase', '1', '--env', 'rt', '--drop-pending-create', urn]);
    assert.equal(drop.code, 0, drop.stderr);
    assert.equal(p.checkpoint('rt-01-race').pending.length, 0);
  });

  it("the canary secret never appears in the CLI's piped stdout or stderr", async () => {
    const canary = `canary-${randomBytes(12).toString('hex')}`;
    writeFileSync(p.path('canary'), canary, { mode: 0o600 });
    const store = p.path('store');
    p.scenario({ 3: { dir: `${store}/3`, content: 'c', canaryFile: p.path('canary') }, 4: { dir: `${store}/4`, content: 'd' } });
    const outs = [
      await p.run(['up', '--phase', '3..4', '--env', 'rt', '--json', '--verbose']),
      await p.run(['outputs', '--phase', '3', '--env', 'rt']),
      await p.run(['outputs', '--phase', '3', '--env', 'rt', '--json']),
      await p.run(['preview', '--phase', '3..4', '--env', 'rt', '--verbose']),
      await p.run(['status', '--env', 'rt']),
    ];
    assert.equal(outs[0]!.code, 0, outs[0]!.stderr);
    assert.match(outs[1]!.stdout, /token\s+=?\s*\[secret\]/);
    for (const [i, o] of outs.entries()) {
      assert.ok(!o.stdout.includes(canary) && !o.stderr.includes(canary), `run ${i} printed the canary`);
    }
    // Positive control: the secret really went through the engine into the provider's store.
    const files = readdirSync(`${store}/3`);
    assert.ok(files.some((f) => f.startsWith('secret-file--')));
  });

  it('metadata sidecars: the engine writes none; an empty one left by a killed engine is removed with one line and up converges', async () => {
    const store = p.path('store');
    const backend = p.path('.platform', 'state', '.pulumi');
    const sidecars = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name.endsWith('.attrs')).map((e) => join(e.parentPath, e.name));
    p.scenario({ 1: { dir: store, content: 'v1', files: 2 } });
    const first = await p.run(['up', '--phase', '1', '--env', 'rt']);
    assert.equal(first.code, 0, first.stderr);
    // Checkpoint, its .bak, history, backups and the lock were all written: none with a sidecar.
    assert.ok(existsSync(join(backend, 'stacks', 'platform', 'rt-01-race.json.bak')), 'the engine wrote its checkpoint twice at least');
    assert.deepEqual(sidecars(backend), []);
    // What a killed engine of an older run leaves: an empty sidecar beside the checkpoint (and beside
    // the latest history entry). Pulumi then fails every read with "failed to load checkpoint: EOF".
    const checkpointAttrs = join(backend, 'stacks', 'platform', 'rt-01-race.json.attrs');
    const history = join(backend, 'history', 'platform', 'rt-01-race');
    const latest = readdirSync(history).filter((f) => f.endsWith('.history.json')).sort().at(-1)!;
    writeFileSync(checkpointAttrs, '');
    writeFileSync(join(history, `${latest}.attrs`), '');
    p.scenario({ 1: { dir: store, content: 'v2', files: 2 } });
    const up = await p.run(['up', '--phase', '1', '--env', 'rt']);
    assert.equal(up.code, 0, up.stderr);
    assert.doesNotMatch(up.stderr, /failed to load checkpoint/);
    assert.match(up.stderr, new RegExp(`warning: removed ${checkpointAttrs.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: an empty metadata file left by a killed engine`));
    assert.match(up.stderr, /warning: removed \S+\.history\.json\.attrs: an empty metadata file/);
    assert.deepEqual(sidecars(backend), []);
    const audit = p.audit('rt-01-race', store);
    assert.deepEqual({ ...audit, lost: audit.lost.length, duplicates: audit.duplicates.length }, { state: 2, files: 2, lost: 0, duplicates: 0, pending: 0 });
    assert.ok(readdirSync(store).every((f) => readFileSync(join(store, f), 'utf8') === 'v2'), 'the update went through');
  });

  it('PLATFORM_REGISTRY naming a missing module: one clear line, exit 2', async () => {
    const r = await p.run(['phases'], { PLATFORM_REGISTRY: p.path('nope.ts') });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: PLATFORM_REGISTRY names a module that cannot be loaded: .*; point PLATFORM_REGISTRY at a module exporting `phases`/m);
  });
});
