/**
 * The real clock for the gates runner and the orchestrator: wall time and an abortable sleep.
 * Tests hand in a fake clock instead (test/gates/fake-clock.ts); nothing here knows about tests.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Clock } from '../core/ports.js';

/** Wall-clock time; `sleep` rejects with an AbortError when the signal fires. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms: number, signal?: AbortSignal) => {
    await sleepFor(Math.max(0, ms), undefined, signal ? { signal } : undefined);
  },
};
