import { strict as assert } from 'node:assert';
import { PhaseDag } from '../../src/core/dag.js';
import type { PhaseId } from '../../src/core/phase.js';

const n = (id: number, deps: number[]) => ({ id: id as PhaseId, dependsOn: deps as PhaseId[] });
// The platform's edges (DESIGN.md).
const PLATFORM = [n(0, []), n(1, [0]), n(2, [1]), n(3, [2]), n(4, [2]), n(5, [1, 3, 4]), n(6, [1, 2, 5]), n(7, [2, 5]), n(8, [1, 2, 4, 5]), n(9, [1, 8]), n(10, [6, 7, 8, 9])];

describe('phase DAG', () => {
  const dag = new PhaseDag(PLATFORM);
  it('orders every phase after its dependencies, smallest ready id first', () => {
    assert.deepEqual(dag.order(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
  it('orders a subset by the same rules', () => {
    assert.deepEqual(dag.order([9, 4, 8]), [4, 8, 9]);
  });
  it('computes transitive upstream and downstream', () => {
    assert.deepEqual([...dag.upstream(5)].sort((a, b) => a - b), [0, 1, 2, 3, 4]);
    assert.deepEqual([...dag.downstream(8)].sort((a, b) => a - b), [9, 10]);
    assert.deepEqual([...dag.downstream(3)].sort((a, b) => a - b), [5, 6, 7, 8, 9, 10]);
  });
  it('detects a cycle and prints its path', () => {
    assert.throws(() => new PhaseDag([n(0, []), n(1, [0, 3]), n(2, [1]), n(3, [2])]), (e: Error) => /cycle: (1 -> 2 -> 3 -> 1|3 -> 1 -> 2 -> 3|2 -> 3 -> 1 -> 2)/.test(e.message));
    assert.throws(() => new PhaseDag([n(4, [4])]), /cycle: 4 -> 4/);
  });
  it('rejects an edge to an unknown phase', () => {
    assert.throws(() => new PhaseDag([n(1, [7])]), /phase 1 depends on unknown phase 7/);
  });
});
