/**
 * The one fake clock of the test suite: virtual time that moves only when a sleeper is woken.
 *
 * Rules:
 * - `sleep` behaves like the real clock (src/state/clock.ts) on abort: an already aborted signal
 *   rejects at once, an abort while sleeping rejects with `signal.reason` and drops the timer.
 * - With `auto` (default) the clock is a discrete-event simulation: on a later turn of the event
 *   loop it wakes the earliest sleeper, moving time to its deadline, then the next, one per turn,
 *   so parallel sleepers finish in deadline order and polling code runs through virtual minutes
 *   without real waiting.
 * - With `auto: false` only `advance(ms)` moves time, waking every sleeper that is due.
 * - `sleeps` records every requested duration (what polling code waited for), `pending` how many
 *   sleepers are waiting.
 */
import type { Clock } from '../../src/core/ports.js';

interface Timer {
  at: number;
  resolve(): void;
}

/** 2026-11-26T12:00:00Z, where every fake clock starts unless told otherwise. */
export const FAKE_CLOCK_START = Date.UTC(2026, 10, 26, 12, 0, 0);

export class FakeClock implements Clock {
  private t: number;
  private timers: Timer[] = [];
  private draining = false;
  readonly sleeps: number[] = [];

  constructor(
    start = FAKE_CLOCK_START,
    private readonly auto = true,
  ) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = { at: this.t + ms, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((x) => x !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
      if (this.auto) queueMicrotask(() => this.drain());
    });
  }

  /** Moves time forward by `ms`, waking every sleeper that is due (in deadline order). */
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const d of due) d.resolve();
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Wakes the earliest sleeper on the next turn, then the next, until none is left. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      if (this.timers.length === 0) return;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.resolve();
      this.drain();
    });
  }
}
