/**
 * A 3-phase chain through the orchestrator on the real engine: phase 2 consumes phase 1's outputs; a
 * failure in phase 2 blocks phase 3; the re-run resumes from phase 2 (phase 1 unchanged, skipped).
 * And Ctrl-C during an orchestrated update: the journal records the phase as cancelled.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { resolveSelection } from '../../src/core/selection.js';
import type { OrchestratorPorts } from '../../src/orchestrator/ports.js';
import { runPhases } from '../../src/orchestrator/run.js';
import { readLocks } from '../../src/engine/pulumi/state.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { MemoryJournal, MemoryLocker, MemoryRecords, RecordingHost, staticSources } from '../helpers/memory-ports.js';
import { makeHarness, type Harness } from './harness.js';
import { testPhase, type TestInputs, type TestOutputs } from './fixtures/test-phases.js';

describe('real engine: orchestrated chain', function () {
  this.timeout(300_000);
  let h: Harness;
  afterEach(() => h?.cleanup());

  function chain(flags: { fail: boolean; delayMs: number }) {
    const withInputs = (
      p: PhaseDefinition<TestInputs, TestOutputs>,
      inputs: (ctx: PhaseContext) => TestInputs,
    ): PhaseDefinition<TestInputs, TestOutputs> => ({ ...p, inputs });
    const dir = (n: number) => join(h.dir, `phase-${n}`);
    return [
      withInputs(testPhase(1, 'c1'), () => ({ dir: dir(1), content: 'one', ...(flags.delayMs ? { delayMs: flags.delayMs } : {}) })),
      withInputs(testPhase(2, 'c2', [1]), (ctx) => ({ dir: dir(2), content: 'two', upstream: String(ctx.upstream[1]!.label), fail: flags.fail })),
      withInputs(testPhase(3, 'c3', [2]), (ctx) => ({ dir: dir(3), content: 'three', upstream: String(ctx.upstream[2]!.label) })),
    ];
  }

  function orchestrate(registry: PhaseDefinition<TestInputs, TestOutputs>[], ports: OrchestratorPorts, signal = new AbortController().signal) {
    return runPhases(
      { command: 'up', env: h.env, registry, selection: resolveSelection({ all: true }, registry.map((p) => p.id)), parallel: 2, force: false, signal },
      ports,
    );
  }

  function ports(): OrchestratorPorts & { journal: MemoryJournal } {
    return {
      engine: h.engine,
      records: new MemoryRecords(),
      journal: new MemoryJournal(),
      locker: new MemoryLocker(),
      host: new RecordingHost(),
      clock: new FakeClock(),
      sources: staticSources,
    };
  }

  it('phase 2 consumes phase 1, its failure blocks phase 3, and the re-run resumes from phase 2', async () => {
    h = makeHarness();
    const flags = { fail: true, delayMs: 0 };
    const p = ports();
    const first = await orchestrate(chain(flags), p);
    assert.equal(first.exitCode, 1);
    assert.deepEqual(first.phases, { 1: 'succeeded', 2: 'failed', 3: 'blocked' });
    assert.deepEqual(readdirSync(h.dir).filter((d) => d.startsWith('phase-')).sort(), ['phase-1'], 'phase 3 never ran');

    flags.fail = false;
    const second = await orchestrate(chain(flags), p);
    assert.equal(second.exitCode, 0);
    assert.deepEqual(second.phases, { 1: 'skipped', 2: 'succeeded', 3: 'succeeded' });
    const two = readdirSync(join(h.dir, 'phase-2'));
    assert.equal(readFileSync(join(h.dir, 'phase-2', two[0]!), 'utf8'), 'two <- files:1', "phase 2 was built from phase 1's output");
  });

  it('Ctrl-C during an orchestrated update: graceful stop, lock released, the journal says cancelled', async () => {
    h = makeHarness();
    const p = ports();
    const ac = new AbortController();
    const run = orchestrate(chain({ fail: false, delayMs: 3000 }), p, ac.signal);
    const t0 = Date.now();
    while (!p.journal.events.some((e) => e.type === 'resource-op' && e.status === 'started')) {
      if (Date.now() - t0 > 60_000) throw new Error('the update never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    ac.abort();
    const out = await run;
    assert.equal(out.phases[1], 'cancelled');
    assert.equal(out.exitCode, 130);
    assert.ok(
      p.journal.events.some((e) => e.type === 'phase-status' && e.phase === 1 && e.status === 'cancelled'),
      'the journal records the phase as cancelled',
    );
    assert.deepEqual(readLocks(h.backendDir, 'rt-01-c1'), []);
  });
});
