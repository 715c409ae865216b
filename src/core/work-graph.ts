/**
 * The scheduling state machine, pure. Each selected phase moves
 *   pending -> running -> succeeded | failed | skipped | cancelled
 *   pending -> blocked (a selected upstream failed, was blocked, or was cancelled) | cancelled
 * Rules:
 * - a phase is ready when every selected upstream is succeeded or skipped (unselected upstreams
 *   were verified by the dependency check before the run started);
 * - at most `parallel` phases run at once; ready phases start smallest id first;
 * - fail-fast: after a failure nothing new starts; dependents of the failed phase become `blocked`
 *   naming it, other pending phases become `cancelled` once the running ones settle;
 * - `cancel()` (Ctrl-C) marks every pending phase cancelled; running ones finish as the engine says.
 */
import type { PhaseId } from './phase.js';
import type { PhaseDag } from './dag.js';

export type WorkState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'blocked' | 'cancelled';

export interface WorkItem {
  id: PhaseId;
  state: WorkState;
  /** For blocked: the phase that failed (transitively the root cause). */
  blockedBy?: PhaseId;
  reason?: string;
}

const DONE: ReadonlySet<WorkState> = new Set(['succeeded', 'skipped']);
const FINAL: ReadonlySet<WorkState> = new Set(['succeeded', 'failed', 'skipped', 'blocked', 'cancelled']);

export class WorkGraph {
  private readonly items = new Map<PhaseId, WorkItem>();
  private stopped: 'failed' | 'cancelled' | undefined;
  private stopCause: PhaseId | undefined;

  constructor(
    private readonly dag: PhaseDag,
    selected: readonly PhaseId[],
    private readonly parallel: number,
  ) {
    for (const id of dag.order(selected)) this.items.set(id, { id, state: 'pending' });
  }

  get(id: PhaseId): WorkItem {
    const it = this.items.get(id);
    if (!it) throw new Error(`phase ${id} is not in this run`);
    return it;
  }

  all(): WorkItem[] {
    return [...this.items.values()];
  }

  running(): PhaseId[] {
    return this.all().filter((i) => i.state === 'running').map((i) => i.id);
  }

  isFinished(): boolean {
    return this.all().every((i) => FINAL.has(i.state));
  }

  /** The selected upstream a pending phase is waiting on, if any. */
  waitingOn(id: PhaseId): PhaseId | undefined {
    return this.dag.dependsOn(id).find((d) => this.items.has(d) && !DONE.has(this.items.get(d)!.state));
  }

  /** Phases that can start now, in start order, within the parallel limit. Marks them running. */
  startReady(): PhaseId[] {
    if (this.stopped) return [];
    const free = this.parallel - this.running().length;
    if (free <= 0) return [];
    const ready = this.all()
      .filter((i) => i.state === 'pending' && this.waitingOn(i.id) === undefined)
      .map((i) => i.id)
      .slice(0, free);
    for (const id of ready) this.get(id).state = 'running';
    return ready;
  }

  finish(id: PhaseId, state: 'succeeded' | 'failed' | 'skipped' | 'cancelled', reason?: string): PhaseId[] {
    const it = this.get(id);
    it.state = state;
    it.reason = reason;
    const changed: PhaseId[] = [];
    if (state === 'failed' || state === 'cancelled') {
      if (!this.stopped) {
        this.stopped = state;
        this.stopCause = id;
      }
      for (const d of this.dag.downstream(id)) {
        const di = this.items.get(d);
        if (di && di.state === 'pending') {
          di.state = 'blocked';
          di.blockedBy = id;
          di.reason = state === 'failed' ? `phase ${id} failed` : `phase ${id} was cancelled`;
          changed.push(d);
        }
      }
    }
    if (this.stopped && this.running().length === 0) changed.push(...this.cancelPending());
    return changed;
  }

  /** Stops the run: nothing new starts. Returns the phases marked cancelled now. */
  cancel(reason = 'cancelled'): PhaseId[] {
    if (!this.stopped) this.stopped = 'cancelled';
    return this.cancelPending(reason);
  }

  private cancelPending(reason?: string): PhaseId[] {
    const out: PhaseId[] = [];
    for (const it of this.items.values()) {
      if (it.state === 'pending') {
        it.state = 'cancelled';
        it.reason =
          reason ?? (this.stopped === 'failed' ? `not started: phase ${this.stopCause} failed (fail-fast)` : 'cancelled');
        out.push(it.id);
      }
    }
    return out;
  }
}
