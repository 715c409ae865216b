/**
 * Helpers for gates that create a throw-away object, wait for it inside one check and always clean
 * it up (a test PVC, a DNS Job, an ExternalDNS Service). Rules:
 * - Waiting uses the runner's clock and deadline (`ctx.clock`, `ctx.deadline`), so tests run through
 *   virtual minutes and a gate never outlives its timeout; a context without them is a bug.
 * - `waitFor` re-reads every `intervalMs` until the step says done, fails terminally, or the deadline
 *   passes; it returns the last reading, so the gate can report what it saw last.
 * - Object names carry a per-run suffix from the clock, so a leftover of an earlier run never
 *   collides with (or is mistaken for) this run's object.
 */
import type { GateContext } from '../core/gate.js';
import type { Clock } from '../core/ports.js';
import { PlatformError } from '../core/errors.js';
import type { Evidence } from './evidence.js';
import type { KubeProbe, ObjectRef } from './probes/k8s.js';

/** One reading of a wait: `done` ends the wait; `failed` ends it too (waiting cannot help). */
export interface WaitStep<T> {
  done: boolean;
  failed?: boolean;
  value: T;
}

/** The clock and deadline the runner put in the context. Throws `bad-phase` when absent (a gate run outside runGates). */
export function timing(ctx: GateContext<unknown, unknown>): { clock: Clock; deadline: number } {
  if (!ctx.clock || ctx.deadline === undefined) {
    throw new PlatformError('bad-phase', 'a waiting gate was called without the runner clock and deadline', {
      hint: 'run gates through runGates (src/gates/run-gates.ts), which sets ctx.clock and ctx.deadline',
    });
  }
  return { clock: ctx.clock, deadline: ctx.deadline };
}

/**
 * Reads `step` until it is done or failed, sleeping `intervalMs` between readings, until the
 * context's deadline. Returns the last step and how many readings were taken.
 */
export async function waitFor<T>(
  ctx: GateContext<unknown, unknown>,
  intervalMs: number,
  step: () => Promise<WaitStep<T>>,
): Promise<WaitStep<T> & { readings: number; timedOut: boolean }> {
  const { clock, deadline } = timing(ctx);
  let readings = 0;
  for (;;) {
    const s = await step();
    readings++;
    if (s.done || s.failed) return { ...s, readings, timedOut: false };
    const now = clock.now();
    if (now >= deadline) return { ...s, readings, timedOut: true };
    await clock.sleep(Math.min(intervalMs, deadline - now), ctx.signal);
  }
}

/** A short, per-run name suffix (base 36 of the clock's epoch ms). */
export function runSuffix(clock: Clock): string {
  return Math.floor(clock.now()).toString(36);
}

/** Label put on every object a gate creates, so leftovers can be found (`kubectl get ... -l`). */
export const GATE_LABELS = { 'app.kubernetes.io/managed-by': 'platform-gates' } as const;

/**
 * Deletes the objects a gate created (in order), noting each deletion in the evidence. A failed
 * deletion is noted as a problem: a leftover object is something the operator must know about.
 */
export async function cleanUp(k: KubeProbe, refs: readonly ObjectRef[], ev: Evidence): Promise<void> {
  for (const ref of refs) {
    const what = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
    try {
      await k.delete(ref);
      ev.saw(`deleted ${what}`);
    } catch (e) {
      ev.problem(`could not delete ${what} (delete it by hand: label ${Object.entries(GATE_LABELS)[0]!.join('=')}): ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
