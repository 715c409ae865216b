import { strict as assert } from 'node:assert';
import { PhaseDag } from '../../src/core/dag.js';
import { WorkGraph } from '../../src/core/work-graph.js';
import type { PhaseId } from '../../src/core/phase.js';

const n = (id: number, deps: number[]) => ({ id: id as PhaseId, dependsOn: deps as PhaseId[] });
const dag = new PhaseDag([n(0, []), n(1, [0]), n(2, [1]), n(3, [2]), n(4, [2]), n(5, [3, 4])]);

describe('work graph (scheduling state machine)', () => {
  it('runs independent phases side by side within the limit', () => {
    const g = new WorkGraph(dag, [2, 3, 4, 5], 4);
    assert.deepEqual(g.startReady(), [2]);
    g.finish(2, 'succeeded');
    assert.deepEqual(g.startReady(), [3, 4]);
    assert.equal(g.waitingOn(5), 3);
  });
  it('respects the parallel limit', () => {
    const g = new WorkGraph(dag, [3, 4], 1);
    assert.deepEqual(g.startReady(), [3]);
    assert.deepEqual(g.startReady(), []);
    g.finish(3, 'succeeded');
    assert.deepEqual(g.startReady(), [4]);
  });
  it('blocks dependents of a failed phase naming it, and cancels the rest (fail-fast)', () => {
    const g = new WorkGraph(dag, [2, 3, 4, 5], 1);
    g.startReady();
    g.finish(2, 'succeeded');
    assert.deepEqual(g.startReady(), [3]);
    const changed = g.finish(3, 'failed', 'boom');
    assert.deepEqual(changed.sort(), [4, 5]);
    assert.equal(g.get(5).state, 'blocked');
    assert.equal(g.get(5).blockedBy, 3);
    assert.equal(g.get(4).state, 'cancelled');
    assert.match(g.get(4).reason!, /phase 3 failed \(fail-fast\)/);
    assert.ok(g.isFinished());
  });
  it('a skipped phase satisfies its dependents', () => {
    const g = new WorkGraph(dag, [1, 2], 2);
    g.startReady();
    g.finish(1, 'skipped');
    assert.deepEqual(g.startReady(), [2]);
  });
  it('cancel() stops everything pending; nothing new starts', () => {
    const g = new WorkGraph(dag, [2, 3, 4], 2);
    g.startReady();
    assert.deepEqual(g.cancel().sort(), [3, 4]);
    g.finish(2, 'cancelled');
    assert.deepEqual(g.startReady(), []);
    assert.ok(g.isFinished());
  });
});
