import { strict as assert } from 'node:assert';
import { runPhases, type RunRequest } from '../../src/orchestrator/run.js';
import { resolveSelection } from '../../src/core/selection.js';
import type { OrchestratorPorts } from '../../src/orchestrator/ports.js';
import type { AnyPhase } from '../../src/core/phase.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { testPhases } from '../helpers/test-phases.js';
import { MemoryJournal, MemoryLocker, MemoryRecords, RecordingHost, staticSources } from '../helpers/memory-ports.js';
import { localEnv } from '../helpers/env-fixtures.js';

// 0 -> 1 -> 2 -> {3, 4} -> 5 ; 6 has no program
const EDGES = { 0: [], 1: [0], 2: [1], 3: [2], 4: [2], 5: [3, 4], 6: [5] };

function setup(opts: { kind?: 'simulate' | 'pulumi'; registry?: AnyPhase[] } = {}) {
  const clock = new FakeClock();
  const engine = new FakeEngine(clock, opts.kind);
  const records = new MemoryRecords();
  const journal = new MemoryJournal();
  const host = new RecordingHost();
  const locker = new MemoryLocker();
  const ports: OrchestratorPorts = { engine, records, journal, locker, host, clock, sources: staticSources };
  const registry = opts.registry ?? testPhases(EDGES, [6]);
  const run = (phase: { phase?: string; all?: boolean; from?: string }, extra: Partial<RunRequest> = {}) =>
    runPhases(
      { command: 'up', env: localEnv, registry, selection: resolveSelection(phase, registry.map((p) => p.id)), parallel: 4, force: false, signal: new AbortController().signal, ...extra },
      ports,
    );
  return { clock, engine, records, journal, host, locker, ports, registry, run };
}

const statusesOf = (j: MemoryJournal, phase: number) =>
  j.events.filter((e) => e.type === 'phase-status' && e.phase === phase).map((e) => (e as { status: string }).status);

describe('orchestrated up', () => {
  it('runs the chain in dependency order and reports program-less phases plainly (exit 0)', async () => {
    const t = setup();
    const out = await t.run({ all: true });
    assert.equal(out.exitCode, 0);
    assert.deepEqual(t.engine.calls.map((c) => c.stack), ['local-00-p0', 'local-01-p1', 'local-02-p2', 'local-03-p3', 'local-04-p4', 'local-05-p5']);
    const six = t.journal.events.find((e) => e.type === 'phase-status' && e.phase === 6);
    assert.equal((six as { reason: string }).reason, 'no program yet; nothing was run');
    assert.equal(out.phases[6], 'skipped');
  });

  it('reports each phase waiting on a given upstream once (no repeated identical waiting event)', async () => {
    const t = setup();
    await t.run({ all: true });
    for (const id of [1, 2, 3, 4, 5]) {
      const seq = t.journal.events
        .filter((e) => e.type === 'phase-status' && e.phase === id)
        .map((e) => { const s = e as { status: string; on?: number }; return `${s.status}${s.on === undefined ? '' : `:${s.on}`}`; });
      for (let i = 1; i < seq.length; i++) assert.notEqual(seq[i], seq[i - 1], `phase ${id} repeats ${seq[i]}: ${seq.join(' ')}`);
      assert.ok(seq.some((s) => s.startsWith('waiting:')), `phase ${id} waited: ${seq.join(' ')}`);
    }
  });

  it('an explicit selection of a program-less phase fails (exit 2) before any engine call', async () => {
    const t = setup();
    await assert.rejects(t.run({ phase: '6' }), (e: { exitCode: number; message: string }) => e.exitCode === 2 && /phase 6 \(p6\) has no program yet/.test(e.message));
    assert.equal(t.engine.calls.length, 0);
  });

  it('skips an unchanged phase and says so; --force runs it', async () => {
    const t = setup();
    await t.run({ phase: '0..1' });
    const second = await t.run({ phase: '1' });
    assert.equal(second.exitCode, 0);
    assert.equal(second.phases[1], 'skipped');
    const skip = t.journal.events.filter((e) => e.type === 'phase-status' && e.phase === 1 && e.status === 'skipped').at(-1) as { reason: string };
    assert.match(skip.reason, /unchanged since .* \(fingerprint [0-9a-f]{16}\); --force runs it anyway/);
    assert.equal(t.engine.calls.filter((c) => c.op === 'up').length, 2);
    const forced = await t.run({ phase: '1' }, { force: true });
    assert.equal(forced.phases[1], 'succeeded');
    assert.equal(t.engine.calls.filter((c) => c.op === 'up').length, 3);
  });

  it('re-runs a phase when its consumed upstream outputs change', async () => {
    const t = setup();
    await t.run({ phase: '0..1' });
    t.engine.stacks.get('local-00-p0')!.outputs.value.value = 'changed-upstream-value-longer';
    const r = await t.run({ phase: '1' });
    assert.equal(r.phases[1], 'succeeded');
  });

  it('--all: a phase whose upstream has no program is reported (skipped, naming it) and left out, not blocking the run', async () => {
    const t = setup({ registry: testPhases({ 0: [], 1: [0], 2: [1] }, [1]) });
    const out = await t.run({ all: true });
    assert.equal(out.exitCode, 0);
    assert.deepEqual(out.phases, { 0: 'succeeded', 1: 'skipped', 2: 'skipped' });
    const two = t.journal.events.find((e) => e.type === 'phase-status' && e.phase === 2) as { reason: string; cause: string; on: number };
    assert.deepEqual([two.cause, two.on], ['no-program', 1]);
    assert.match(two.reason, /needs phase 1 \(p1\), which has no program yet/);
  });

  it('a missing upstream without a program: the hint names it, never `up` for it', async () => {
    const t = setup({ registry: testPhases({ 0: [], 1: [0] }, [0]) });
    const out = await t.run({ phase: '1' });
    assert.equal(out.exitCode, 3);
    assert.equal(out.error!.hint, 'phase 0 (p0) has no program yet, so phase 1 cannot be deployed yet');
  });

  it('hints keep the engine the run was called with (--engine), so they run as printed', async () => {
    const t = setup({ kind: 'pulumi' });
    const out = await t.run({ phase: '2' });
    assert.equal(out.error!.hint, 'run: platform up --phase 0..2 --env local --engine pulumi');
  });

  it('dependency check: upstream never deployed -> exit 3 naming it and the fix, no engine call', async () => {
    const t = setup();
    const out = await t.run({ phase: '2' });
    assert.equal(out.exitCode, 3);
    assert.match(out.error!.message, /phase 2 \(p2\) needs phase 1 \(p1\): it has not been deployed in env local/);
    // The whole missing chain in one command (not `--phase 1`, which would then fail on phase 0).
    assert.equal(out.error!.hint, 'run: platform up --phase 0..2 --env local');
    assert.equal(t.engine.mutatingCalls().length, 0);
    assert.equal(t.records.writes, 0);
    assert.equal(out.phases[2], 'blocked', 'hosts show it blocked by phase 1, not queued');
    const ev = t.journal.events.find((e) => e.type === 'phase-status' && e.phase === 2) as { status: string; on: number };
    assert.deepEqual([ev.status, ev.on], ['blocked', 1]);
  });

  it('dependency check covers transitive upstreams: phase 2 needs phase 0 too (exit 3 naming it)', async () => {
    const t = setup();
    await t.run({ phase: '0..1' });
    t.records.records.delete(0);
    const out = await t.run({ phase: '2' });
    assert.equal(out.exitCode, 3);
    assert.match(out.error!.message, /phase 2 \(p2\) needs phase 0 \(p0\): it has not been deployed in env local/);
  });

  it('inputs(ctx) receive transitive upstream outputs too', async () => {
    const seen: number[][] = [];
    const registry = testPhases(EDGES, [6]).map((p) => (p.id === 2 ? { ...p, inputs: (ctx: { upstream: object }) => (seen.push(Object.keys(ctx.upstream).map(Number)), {}) } : p));
    const t = setup({ registry });
    await t.run({ phase: '0..2' });
    await t.run({ phase: '2' }, { force: true });
    assert.deepEqual(seen, [[0, 1], [0, 1]]);
  });

  it('dependency check: upstream outputs breaking its schema -> exit 3 naming the field', async () => {
    const t = setup();
    await t.run({ phase: '0..1' });
    t.engine.stacks.get('local-01-p1')!.outputs = { value: { value: 7, secret: false } };
    const out = await t.run({ phase: '2' });
    assert.equal(out.exitCode, 3);
    assert.match(out.error!.message, /outputs do not match its contract: output 'value': .*expected string/);
  });

  it('dependency check: gates failed for the current fingerprint -> exit 3 with the verify command', async () => {
    const t = setup();
    await t.run({ phase: '0..1' });
    const rec = t.records.records.get(1)!;
    rec.gates = { fingerprint: rec.fingerprint!, at: 'x', results: [{ gate: 'dns', status: 'fail', evidence: ['NXDOMAIN'], durationMs: 1 }] };
    const out = await t.run({ phase: '2' });
    assert.equal(out.exitCode, 3);
    assert.match(out.error!.message, /its gate 'dns' failed/);
    assert.equal(out.error!.hint, 'run: platform verify --phase 1 --env local');
  });

  it('dependency check: simulated upstream can never feed a real run', async () => {
    const t = setup({ kind: 'pulumi' });
    await t.run({ phase: '0' });
    t.records.records.get(0)!.engine = 'simulate';
    const out = await t.run({ phase: '1' });
    assert.equal(out.exitCode, 3);
    assert.match(out.error!.message, /only simulated/);
  });

  it('simulated pending operations upstream -> exit 3: a new up of that phase supersedes them', async () => {
    const t = setup();
    await t.run({ phase: '0..1' });
    t.engine.stacks.get('local-01-p1')!.pending = 1;
    const out = await t.run({ phase: '2' });
    assert.equal(out.exitCode, 3);
    assert.match(out.error!.message, /its last simulated update was interrupted/);
    assert.equal(out.error!.hint, 'run: platform up --phase 1 --env local');
  });

  it('a selected real stack with pending operations -> exit 5 before any change', async () => {
    const t = setup({ kind: 'pulumi' });
    await t.run({ phase: '0' });
    t.engine.stacks.get('local-00-p0')!.pending = 1;
    t.engine.calls.length = 0;
    const out = await t.run({ phase: '0' }, { force: true });
    assert.equal(out.exitCode, 5);
    assert.equal(out.error!.hint, 'run: platform repair --phase 0 --env local');
    assert.equal(t.engine.mutatingCalls().length, 0);
  });

  it('pending operations upstream (real engine) -> exit 5 with the repair command', async () => {
    const t = setup({ kind: 'pulumi' });
    await t.run({ phase: '0..1' });
    t.engine.stacks.get('local-01-p1')!.pending = 2;
    const out = await t.run({ phase: '2' });
    assert.equal(out.exitCode, 5);
    assert.match(out.error!.message, /2 pending operation\(s\)/);
    assert.equal(out.error!.hint, 'run: platform repair --phase 1 --env local --engine pulumi');
  });

  it('a locked stack -> exit 4 before any change', async () => {
    const t = setup();
    await t.locker.acquire('local-00-p0');
    const out = await t.run({ phase: '0' });
    assert.equal(out.exitCode, 4);
    assert.equal(t.engine.calls.length, 0);
  });

  it('a failure blocks its dependents naming it (exit 1); a re-run resumes from it', async () => {
    const t = setup();
    t.engine.failures.set(3, 'quota exceeded');
    const out = await t.run({ phase: '0..5' }, { parallel: 1 });
    assert.equal(out.exitCode, 1);
    assert.equal(out.phases[3], 'failed');
    assert.equal(out.phases[5], 'blocked');
    const blocked = t.journal.events.find((e) => e.type === 'phase-status' && e.phase === 5 && e.status === 'blocked') as { on: number; reason: string };
    assert.equal(blocked.on, 3);
    assert.match(blocked.reason, /phase 3 failed/);
    const failedEv = t.journal.events.find((e) => e.type === 'phase-status' && e.phase === 3 && e.status === 'failed') as { reason: string };
    assert.match(failedEv.reason, /quota exceeded/);
    t.engine.failures.clear();
    const again = await t.run({ phase: '0..5' }, { parallel: 1 });
    assert.equal(again.exitCode, 0);
    for (const p of [0, 1, 2]) assert.equal(again.phases[p as 0], 'skipped');
    assert.equal(again.phases[3], 'succeeded');
  });

  it('outputs breaking the contract fail the phase, naming the field', async () => {
    const t = setup();
    t.engine.badOutputs.add(0);
    const out = await t.run({ phase: '0' });
    assert.equal(out.exitCode, 1);
    assert.match(out.error!.message, /returned outputs that break its contract: output 'value'/);
  });

  it('secret outputs never reach events, the journal or the host', async () => {
    const t = setup();
    await t.run({ phase: '0..2' });
    const text = JSON.stringify(t.journal.events) + JSON.stringify(t.host.events);
    assert.ok(!text.includes('secret-token-'), 'a secret output value leaked');
    const outputs = t.journal.events.find((e) => e.type === 'outputs') as { outputs: Record<string, unknown>; simulated: boolean };
    assert.equal(outputs.outputs.token, '[secret]');
    assert.equal(outputs.simulated, true);
  });

  it('parallel phases overlap: 3 and 4 run side by side after 2', async () => {
    const t = setup();
    for (const p of [0, 1, 2, 3, 4, 5]) t.engine.delays.set(p as 0, 1000);
    const start = t.clock.now();
    await t.run({ phase: '0..5' }, { parallel: 4 });
    assert.equal(t.clock.now() - start, 5000, 'critical path 0-1-2-{3,4}-5 is five steps');
    const t1 = setup();
    for (const p of [0, 1, 2, 3, 4, 5]) t1.engine.delays.set(p as 0, 1000);
    const s1 = t1.clock.now();
    await t1.run({ phase: '0..5' }, { parallel: 1 });
    assert.equal(t1.clock.now() - s1, 6000);
  });

  it('cancellation through the signal: running phase cancelled, pending ones not started, exit 130', async () => {
    const t = setup();
    t.engine.delays.set(1, 10_000);
    const ac = new AbortController();
    const p = t.run({ phase: '0..3' }, { signal: ac.signal });
    while (!t.engine.calls.some((c) => c.stack === 'local-01-p1')) await new Promise((r) => setImmediate(r));
    ac.abort();
    const out = await p;
    assert.equal(out.exitCode, 130);
    assert.equal(out.phases[1], 'cancelled');
    assert.equal(out.phases[3], 'cancelled');
    assert.equal(t.records.records.get(1)!.status, 'cancelled');
    assert.equal(t.locker.held.size, 0, 'locks released');
    assert.deepEqual(statusesOf(t.journal, 0).slice(-1), ['succeeded']);
  });
});

describe('orchestrated up: a phase whose inputs cannot be built', () => {
  it('fails that phase as a bug (code internal, never engine-failed) with its cause (exit 1, run-finished emitted), not the whole process', async () => {
    const registry = testPhases({ 0: [], 1: [0] });
    registry[1] = { ...registry[1]!, inputs: () => { throw new TypeError('env names no account'); } };
    const clock = new FakeClock();
    const journal = new MemoryJournal();
    const ports: OrchestratorPorts = { engine: new FakeEngine(clock), records: new MemoryRecords(), journal, locker: new MemoryLocker(), host: new RecordingHost(), clock, sources: staticSources };
    const out = await runPhases({ command: 'up', env: localEnv, registry, selection: resolveSelection({ all: true }, [0, 1]), parallel: 1, force: false, signal: new AbortController().signal }, ports);
    assert.equal(out.exitCode, 1);
    assert.equal(out.phases[1], 'failed');
    assert.equal(out.error!.code, 'internal');
    assert.equal(out.error!.message, 'phase 1 (p1) failed on a bug (not an engine or provider failure): TypeError: env names no account');
    assert.match(String((out.error!.cause as Error).stack), /^TypeError: env names no account\n\s+at /, 'the stack travels as the cause, for --verbose');
    assert.equal(journal.events.at(-1)!.type, 'run-finished');
  });

  it('a failure of the record store (an AWS SDK error, a Node system error) stays engine-failed, not a bug', async () => {
    for (const failure of [
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      Object.assign(new Error("EACCES: permission denied, open '.platform/records/local/1.json'"), { code: 'EACCES', syscall: 'open' }),
    ]) {
      const records = new MemoryRecords();
      records.write = () => Promise.reject(failure);
      const clock = new FakeClock();
      const ports: OrchestratorPorts = { engine: new FakeEngine(clock), records, journal: new MemoryJournal(), locker: new MemoryLocker(), host: new RecordingHost(), clock, sources: staticSources };
      const out = await runPhases({ command: 'up', env: localEnv, registry: testPhases({ 0: [] }), selection: resolveSelection({ all: true }, [0]), parallel: 1, force: false, signal: new AbortController().signal }, ports);
      assert.equal(out.exitCode, 1);
      assert.equal(out.error!.code, 'engine-failed', failure.message);
      assert.equal(out.error!.message, `phase 0 (p0) failed: ${failure.message}`);
    }
  });
});
