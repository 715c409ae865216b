import { strict as assert } from 'node:assert';
import { planPhases } from '../../src/orchestrator/plan.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { testPhases } from '../helpers/test-phases.js';
import { localEnv } from '../helpers/env-fixtures.js';

// 0 -> 1 -> 2 -> {3, 4} -> 5 ; 3 has no program
const EDGES = { 0: [], 1: [0], 2: [1], 3: [2], 4: [2], 5: [3, 4] };

/**
 * The offline planner behind `platform check`, `cost` and `report`: upstreams are planned to feed
 * their outputs, only the selected phases' resources are returned, and a phase downstream of one
 * without a program is named with the reason instead of being fed made-up outputs.
 */
describe('planPhases (offline plan for check, cost and report)', () => {
  it('plans the upstreams too, returns only the selected phases, and names what it could not plan and why', async () => {
    const engine = new FakeEngine(new FakeClock());
    const graph = await planPhases(localEnv, testPhases(EDGES, [3]), [2, 4, 5], engine, new AbortController().signal);
    assert.deepEqual(engine.calls.map((c) => c.stack), ['local-00-p0', 'local-01-p1', 'local-02-p2', 'local-04-p4'], 'upstreams 0 and 1 planned, in order; 5 never run');
    assert.deepEqual(graph.phases, [2, 4]);
    assert.deepEqual(graph.skipped, [{ phase: 5, reason: 'upstream phase 3 has no program yet' }]);
    // One test:Thing per planned phase, and none of the unselected upstreams'.
    assert.equal(graph.resources.length, 2);
    assert.ok(graph.resources.every((r) => r.type === 'test:Thing'));
  });

  it('a selected phase two steps below a program-less one names the chain; an unselected upstream is not listed', async () => {
    const engine = new FakeEngine(new FakeClock());
    const graph = await planPhases(localEnv, testPhases({ 0: [], 1: [0], 2: [1] }, [0]), [2], engine, new AbortController().signal);
    assert.deepEqual(engine.calls, []);
    assert.deepEqual(graph.phases, []);
    assert.deepEqual(graph.skipped, [{ phase: 2, reason: 'upstream phase 1 was not planned (upstream phase 0 has no program yet)' }]);
  });
});
