/**
 * `up` that previews and asks first (the real engine in the CLI), `--expect-no-changes`, and the
 * locks on every exit path of a run (a host that throws included).
 */
import { strict as assert } from 'node:assert';
import { runPhases, describePlan, type RunRequest } from '../../src/orchestrator/run.js';
import { resolveSelection } from '../../src/core/selection.js';
import type { OrchestratorPorts } from '../../src/orchestrator/ports.js';
import type { PlatformEvent } from '../../src/core/events.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { testPhases } from '../helpers/test-phases.js';
import { MemoryJournal, MemoryLocker, MemoryRecords, RecordingHost, staticSources } from '../helpers/memory-ports.js';
import { localEnv } from '../helpers/env-fixtures.js';

const EDGES = { 0: [], 1: [0], 2: [1] };

function setup() {
  const clock = new FakeClock();
  const engine = new FakeEngine(clock, 'pulumi');
  const host = new RecordingHost();
  const locker = new MemoryLocker();
  const journal = new MemoryJournal();
  const ports: OrchestratorPorts = { engine, records: new MemoryRecords(), journal, locker, host, clock, sources: staticSources };
  const registry = testPhases(EDGES);
  // Planned outputs, so that a phase's preview can feed its dependent's in the same plan.
  for (const id of [0, 1] as const) engine.planned.set(id, { value: { value: `planned-${id}`, secret: false }, token: { value: '', secret: true, unknown: true } });
  const run = (extra: Partial<RunRequest> = {}, phase = '0..2') =>
    runPhases({ command: 'up', env: localEnv, registry, selection: resolveSelection({ phase }, registry.map((p) => p.id)), parallel: 2, force: false, signal: new AbortController().signal, ...extra }, ports);
  return { engine, host, locker, journal, ports, run };
}

const last = (events: PlatformEvent[], phase: number) => events.filter((e) => e.type === 'phase-status' && e.phase === phase).at(-1) as { status: string; cause?: string };

describe('up: preview, then confirm', () => {
  it('off a terminal without --yes: exit 2 before any lock, preview or change', async () => {
    const t = setup();
    const heldAt: number[] = [];
    const acquire = t.locker.acquire.bind(t.locker);
    t.locker.acquire = async (k: string) => (heldAt.push(1), acquire(k));
    const out = await t.run({ approval: { yes: false, interactive: false } });
    assert.equal(out.exitCode, 2);
    assert.equal(out.error!.code, 'confirmation-required');
    assert.match(out.error!.hint!, /--yes \(-y\)/);
    assert.deepEqual(t.engine.calls, []);
    assert.equal(heldAt.length, 0);
    assert.deepEqual([last(t.host.events, 0).status, last(t.host.events, 0).cause], ['cancelled', 'confirmation-required']);
  });

  it('on a terminal: previews every phase, asks with the counts, and "no" changes nothing (exit 130, declined)', async () => {
    const t = setup();
    t.host.answer = false;
    const out = await t.run({ approval: { yes: false, interactive: true } });
    assert.deepEqual(t.engine.calls.map((c) => c.op), ['preview', 'preview', 'preview']);
    assert.equal(t.host.asked.length, 1);
    assert.match(t.host.asked[0]!, /^Apply to env local: 3 to create\?$/);
    assert.equal(out.exitCode, 130);
    assert.equal(out.error!.code, 'declined');
    for (const p of [0, 1, 2]) assert.deepEqual([last(t.host.events, p).status, last(t.host.events, p).cause], ['cancelled', 'declined']);
    assert.equal(t.locker.held.size, 0);
    // The plan is not a result: previewed phases are `planned` (not final) before the question.
    assert.ok(t.host.events.some((e) => e.type === 'phase-status' && e.status === 'planned'));
    assert.ok(!t.host.events.some((e) => e.type === 'phase-status' && e.status === 'succeeded'));
  });

  it('"yes" runs the update after the plan, with the locks held from the preview through the update', async () => {
    const t = setup();
    let heldWhileAsking: string[] = [];
    t.host.confirm = async () => {
      heldWhileAsking = [...t.locker.held].sort();
      return true;
    };
    const out = await t.run({ approval: { yes: false, interactive: true } });
    assert.equal(out.exitCode, 0);
    assert.deepEqual(t.engine.calls.map((c) => c.op), ['preview', 'preview', 'preview', 'up', 'up', 'up']);
    assert.deepEqual(heldWhileAsking, ['local-00-p0', 'local-01-p1', 'local-02-p2']);
    assert.deepEqual(out.phases, { 0: 'succeeded', 1: 'succeeded', 2: 'succeeded' });
    assert.equal(t.locker.held.size, 0);
  });

  it('an unchanged phase is not previewed before the question (a no-op asks without any engine preview)', async () => {
    const t = setup();
    assert.equal((await t.run({ approval: { yes: true, interactive: false } })).exitCode, 0);
    t.engine.calls.length = 0;
    t.host.answer = true;
    // Nothing changed: the question comes with no preview at all, and the update skips every phase.
    const noop = await t.run({ approval: { yes: false, interactive: true } });
    assert.equal(noop.exitCode, 0);
    assert.deepEqual(t.engine.calls.map((c) => c.op).filter((op) => op === 'preview' || op === 'up'), []);
    assert.match(t.host.asked.at(-1)!, /^Apply to env local: no resource changes\?$/);
    assert.deepEqual(noop.phases, { 0: 'skipped', 1: 'skipped', 2: 'skipped' });
  });

  it('--yes skips the preview and the question', async () => {
    const t = setup();
    const out = await t.run({ approval: { yes: true, interactive: false } });
    assert.equal(out.exitCode, 0);
    assert.deepEqual(t.engine.calls.map((c) => c.op), ['up', 'up', 'up']);
    assert.equal(t.host.asked.length, 0);
  });

  it('an interrupt while the question is open ends it as interrupted (130), never as a silent "no"', async () => {
    const t = setup();
    const ac = new AbortController();
    t.host.confirm = () => {
      setImmediate(() => ac.abort());
      return new Promise<boolean>(() => {});
    };
    const out = await t.run({ approval: { yes: false, interactive: true }, signal: ac.signal });
    assert.equal(out.exitCode, 130);
    assert.equal(out.error!.code, 'cancelled');
    assert.equal(last(t.host.events, 1).cause, 'interrupted');
    assert.deepEqual(t.engine.mutatingCalls(), []);
    assert.equal(t.locker.held.size, 0);
  });

  it('describePlan says when nothing would change', () => {
    const zero = { create: 0, update: 0, replace: 0, delete: 0, same: 4 };
    assert.equal(describePlan({ phases: [{ id: 1, changes: zero, planned: true }], changed: false }), 'no resource changes');
    assert.equal(describePlan({ phases: [{ id: 1, changes: { ...zero, update: 2, delete: 1 }, planned: true }], changed: true }), '2 to update, 1 to delete');
  });
});

describe('preview --expect-no-changes', () => {
  it('exits 6 (changes-pending) when anything would change, 0 when nothing would', async () => {
    const t = setup();
    const pending = await t.run({ command: 'preview', expectNoChanges: true });
    assert.equal(pending.exitCode, 6);
    assert.equal(pending.error!.code, 'changes-pending');
    await t.run({ approval: { yes: true, interactive: false } });
    // Deployed now: the engine plans from the stacks' outputs, not from the first plan's stand-ins.
    t.engine.planned.clear();
    const clean = await t.run({ command: 'preview', expectNoChanges: true });
    assert.equal(clean.exitCode, 0);
  });
});

describe('locks on every exit path of a run', () => {
  it('a host that throws mid-run: the run ends and every lock is released', async () => {
    const t = setup();
    let thrown = 0;
    const notify = t.host.notify.bind(t.host);
    t.host.notify = (e) => {
      notify(e);
      if (e.type === 'phase-summary' && thrown++ === 0) throw new Error('render bug');
    };
    await t.run({ approval: { yes: true, interactive: false } }).catch(() => undefined);
    assert.equal(t.locker.held.size, 0);
  });
});
