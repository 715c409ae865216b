/**
 * `preview` over a chain: a phase selected with its upstream is planned on the upstream's planned
 * outputs; an output the upstream's plan leaves unknown is named instead of being guessed.
 */
import { strict as assert } from 'node:assert';
import { runPhases } from '../../src/orchestrator/run.js';
import { resolveSelection } from '../../src/core/selection.js';
import type { OrchestratorPorts } from '../../src/orchestrator/ports.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { testPhases } from '../helpers/test-phases.js';
import { MemoryJournal, MemoryLocker, MemoryRecords, RecordingHost, staticSources } from '../helpers/memory-ports.js';
import { localEnv } from '../helpers/env-fixtures.js';

function setup() {
  const clock = new FakeClock();
  const engine = new FakeEngine(clock);
  const journal = new MemoryJournal();
  const ports: OrchestratorPorts = { engine, records: new MemoryRecords(), journal, locker: new MemoryLocker(), host: new RecordingHost(), clock, sources: staticSources };
  const registry = testPhases({ 0: [], 1: [0], 2: [1] });
  const preview = (spec: string) =>
    runPhases({ command: 'preview', env: localEnv, registry, selection: resolveSelection({ phase: spec }, registry.map((p) => p.id)), parallel: 2, force: false, signal: new AbortController().signal }, ports);
  return { engine, journal, preview };
}

const reasonOf = (j: MemoryJournal, phase: number) =>
  j.events.filter((e) => e.type === 'phase-status' && e.phase === phase).map((e) => (e as { reason?: string }).reason).at(-1);

describe('preview over a chain', () => {
  it("plans each phase on its upstream's planned outputs (before: exit 3, 'no outputs of phase 0')", async () => {
    const t = setup();
    t.engine.planned.set(0, { value: { value: 'planned-0', secret: false } });
    t.engine.planned.set(1, { value: { value: 'planned-1', secret: false } });
    const out = await t.preview('0..2');
    assert.equal(out.exitCode, 0, JSON.stringify(out.error));
    assert.deepEqual(out.phases, { 0: 'succeeded', 1: 'succeeded', 2: 'succeeded' });
    assert.deepEqual(t.engine.calls.map((c) => c.stack), ['local-00-p0', 'local-01-p1', 'local-02-p2']);
  });

  it('an output the plan leaves unknown: the dependent is not planned, and the reason names the value', async () => {
    const t = setup();
    t.engine.planned.set(0, { value: { value: null, secret: false, unknown: true } });
    const out = await t.preview('0..2');
    assert.equal(out.exitCode, 0);
    assert.deepEqual(out.phases, { 0: 'succeeded', 1: 'skipped', 2: 'skipped' });
    assert.equal(reasonOf(t.journal, 1), 'not planned: its inputs need 0.value, which a preview cannot know (created by the update, or secret); deploy first (run: platform up --phase 0 --env local)');
    assert.equal(reasonOf(t.journal, 2), 'not planned: phase 1, whose outputs it needs, was not planned');
    assert.deepEqual(t.engine.calls.map((c) => c.stack), ['local-00-p0'], 'nothing was planned on a placeholder');
  });
});
