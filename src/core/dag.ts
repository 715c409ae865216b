/**
 * The phase DAG. Rules:
 * - edges come from each phase's dependsOn (u -> v when v depends on u);
 * - a cycle is an error that prints its path (`3 -> 5 -> 3`);
 * - topological order is Kahn's algorithm with the smallest ready id first, so the order is stable
 *   and equals numeric order whenever dependencies allow;
 * - upstream/downstream closures are transitive.
 */
import { PlatformError } from './errors.js';
import type { PhaseId } from './phase.js';

export interface DagNode {
  id: PhaseId;
  dependsOn: readonly PhaseId[];
}

export class PhaseDag {
  private readonly nodes = new Map<PhaseId, DagNode>();
  private readonly dependents = new Map<PhaseId, PhaseId[]>();

  constructor(nodes: readonly DagNode[]) {
    for (const n of nodes) this.nodes.set(n.id, n);
    for (const n of nodes) {
      for (const d of n.dependsOn) {
        if (!this.nodes.has(d)) {
          throw new PlatformError('cycle', `phase ${n.id} depends on unknown phase ${d}`, { value: String(d) });
        }
        const list = this.dependents.get(d) ?? [];
        list.push(n.id);
        this.dependents.set(d, list);
      }
    }
    const cycle = this.findCycle();
    if (cycle) {
      throw new PlatformError('cycle', `phase dependencies form a cycle: ${cycle.join(' -> ')}`, {
        value: cycle.join(' -> '),
        hint: 'a phase may depend only on phases that do not depend on it',
      });
    }
  }

  ids(): PhaseId[] {
    return [...this.nodes.keys()].sort((a, b) => a - b);
  }

  dependsOn(id: PhaseId): readonly PhaseId[] {
    return this.nodes.get(id)?.dependsOn ?? [];
  }

  directDependents(id: PhaseId): PhaseId[] {
    return [...(this.dependents.get(id) ?? [])].sort((a, b) => a - b);
  }

  /** All phases `id` depends on, transitively. */
  upstream(id: PhaseId): Set<PhaseId> {
    const out = new Set<PhaseId>();
    const visit = (x: PhaseId) => {
      for (const d of this.dependsOn(x)) {
        if (!out.has(d)) {
          out.add(d);
          visit(d);
        }
      }
    };
    visit(id);
    return out;
  }

  /** All phases that depend on `id`, transitively. */
  downstream(id: PhaseId): Set<PhaseId> {
    const out = new Set<PhaseId>();
    const visit = (x: PhaseId) => {
      for (const d of this.directDependents(x)) {
        if (!out.has(d)) {
          out.add(d);
          visit(d);
        }
      }
    };
    visit(id);
    return out;
  }

  /** Topological order of `subset` (default: all), smallest ready id first. */
  order(subset?: Iterable<PhaseId>): PhaseId[] {
    const want = new Set(subset ?? this.nodes.keys());
    const indeg = new Map<PhaseId, number>();
    for (const id of want) indeg.set(id, this.dependsOn(id).filter((d) => want.has(d)).length);
    const ready = [...want].filter((id) => indeg.get(id) === 0);
    const out: PhaseId[] = [];
    while (ready.length) {
      ready.sort((a, b) => a - b);
      const id = ready.shift()!;
      out.push(id);
      for (const d of this.directDependents(id)) {
        if (!want.has(d)) continue;
        const n = indeg.get(d)! - 1;
        indeg.set(d, n);
        if (n === 0) ready.push(d);
      }
    }
    return out;
  }

  private findCycle(): PhaseId[] | undefined {
    const state = new Map<PhaseId, 'visiting' | 'done'>();
    const stack: PhaseId[] = [];
    const visit = (id: PhaseId): PhaseId[] | undefined => {
      state.set(id, 'visiting');
      stack.push(id);
      for (const d of this.dependsOn(id)) {
        if (state.get(d) === 'visiting') return [...stack.slice(stack.indexOf(d)), d];
        if (!state.has(d)) {
          const c = visit(d);
          if (c) return c;
        }
      }
      stack.pop();
      state.set(id, 'done');
      return undefined;
    };
    for (const id of [...this.nodes.keys()].sort((a, b) => a - b)) {
      if (!state.has(id)) {
        const c = visit(id);
        if (c) return c.reverse();
      }
    }
    return undefined;
  }
}
