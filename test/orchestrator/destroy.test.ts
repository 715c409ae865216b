import { strict as assert } from 'node:assert';
import { destroyPhases } from '../../src/orchestrator/destroy.js';
import { runPhases } from '../../src/orchestrator/run.js';
import { resolveSelection } from '../../src/core/selection.js';
import type { OrchestratorPorts } from '../../src/orchestrator/ports.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { testPhases } from '../helpers/test-phases.js';
import { MemoryJournal, MemoryLocker, MemoryRecords, RecordingHost, staticSources } from '../helpers/memory-ports.js';
import { localEnv } from '../helpers/env-fixtures.js';

const EDGES = { 0: [], 1: [0], 2: [1], 3: [2] };

async function deployed() {
  const clock = new FakeClock();
  const engine = new FakeEngine(clock);
  const host = new RecordingHost();
  const ports: OrchestratorPorts = { engine, records: new MemoryRecords(), journal: new MemoryJournal(), locker: new MemoryLocker(), host, clock, sources: staticSources };
  const registry = testPhases(EDGES);
  const ids = registry.map((p) => p.id);
  await runPhases({ command: 'up', env: localEnv, registry, selection: resolveSelection({ all: true }, ids), parallel: 2, force: false, signal: new AbortController().signal }, ports);
  engine.calls.length = 0;
  const destroy = (phase: string, o: { cascade?: boolean; yes?: boolean; interactive?: boolean } = {}) =>
    destroyPhases({ env: localEnv, registry, selection: resolveSelection({ phase }, ids), parallel: 2, cascade: Boolean(o.cascade), yes: o.yes ?? true, interactive: o.interactive ?? false, signal: new AbortController().signal }, ports);
  return { engine, host, ports, destroy };
}

describe('orchestrated destroy', () => {
  it('destroys in reverse dependency order', async () => {
    const t = await deployed();
    const out = await t.destroy('0..3');
    assert.equal(out.exitCode, 0);
    assert.deepEqual(t.engine.calls.map((c) => c.stack), ['local-03-p3', 'local-02-p2', 'local-01-p1', 'local-00-p0']);
  });
  it('refuses while a dependent is deployed (exit 3, nothing destroyed) unless --cascade', async () => {
    const t = await deployed();
    const refused = await t.destroy('1');
    assert.equal(refused.exitCode, 3);
    assert.match(refused.error!.message, /cannot destroy phase 1 \(p1\): phase 2 \(p2\) depends on it and is still deployed in env local/);
    assert.match(refused.error!.hint!, /--cascade/);
    assert.equal(t.engine.calls.length, 0);
    const cascaded = await t.destroy('1', { cascade: true });
    assert.equal(cascaded.exitCode, 0);
    assert.deepEqual(t.engine.calls.map((c) => c.stack), ['local-03-p3', 'local-02-p2', 'local-01-p1']);
  });
  it('without a terminal and without --yes it refuses (exit 2) and changes nothing', async () => {
    const t = await deployed();
    const out = await t.destroy('3', { yes: false, interactive: false });
    assert.equal(out.exitCode, 2);
    assert.match(out.error!.message, /destroy needs confirmation/);
    assert.equal(out.error!.hint, 'pass --yes (-y) to confirm when not on a terminal');
    assert.equal(t.engine.calls.length, 0);
  });
  it('asks on a terminal; "no" changes nothing and exits 130 with the phases cancelled (not "queued, exit 0")', async () => {
    const t = await deployed();
    t.host.answer = false;
    const out = await t.destroy('3', { yes: false, interactive: true });
    assert.equal(out.exitCode, 130);
    assert.equal(out.error!.code, 'declined');
    assert.equal(out.phases[3], 'cancelled');
    const last = t.host.events.filter((e) => e.type === 'phase-status' && e.phase === 3).at(-1) as { status: string; cause?: string };
    assert.deepEqual([last.status, last.cause], ['cancelled', 'declined']);
    assert.match(t.host.asked[0]!, /Destroy phases 3 \(p3\) of env local\?/);
    assert.equal(t.engine.calls.length, 0);
    t.host.answer = true;
    await t.destroy('3', { yes: false, interactive: true });
    assert.deepEqual(t.engine.calls.map((c) => c.stack), ['local-03-p3']);
  });
});

describe('orchestrated destroy: the question', () => {
  it('holds the locks while it asks (what is confirmed cannot change under it) and releases them after "no"', async () => {
    const t = await deployed();
    const locker = t.ports.locker as unknown as { held: Set<string> };
    let heldWhileAsking: string[] = [];
    t.host.confirm = async () => {
      heldWhileAsking = [...locker.held];
      return false;
    };
    await t.destroy('3', { yes: false, interactive: true });
    assert.deepEqual(heldWhileAsking, ['local-03-p3']);
    assert.equal(locker.held.size, 0);
  });
  it('an interrupt while it asks (Ctrl-C) exits 130 as interrupted, destroys nothing, releases the locks', async () => {
    const t = await deployed();
    const ac = new AbortController();
    t.host.confirm = () => {
      setImmediate(() => ac.abort());
      return new Promise<boolean>(() => {}); // never answered
    };
    const ids = [0, 1, 2, 3] as const;
    const { destroyPhases: d } = await import('../../src/orchestrator/destroy.js');
    const { testPhases: tp } = await import('../helpers/test-phases.js');
    const out = await d({ env: localEnv, registry: tp(EDGES), selection: resolveSelection({ phase: '3' }, ids), parallel: 1, cascade: false, yes: false, interactive: true, signal: ac.signal }, t.ports);
    assert.equal(out.exitCode, 130);
    assert.equal(out.error!.code, 'cancelled');
    assert.equal(t.engine.calls.length, 0);
    assert.equal((t.ports.locker as unknown as { held: Set<string> }).held.size, 0);
  });
  it('phases never deployed are skipped with the typed cause not-deployed', async () => {
    const t = await deployed();
    await t.destroy('0..3');
    const again = await t.destroy('0..3');
    assert.equal(again.exitCode, 0);
    const causes = t.host.events.filter((e) => e.type === 'phase-status' && e.status === 'skipped').slice(-4).map((e) => (e as { cause?: string }).cause);
    assert.deepEqual(causes, ['not-deployed', 'not-deployed', 'not-deployed', 'not-deployed']);
  });
});
