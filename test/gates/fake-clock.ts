/**
 * A fake clock for gate tests: time moves only when a sleeper is woken. With `auto` (default) the
 * clock wakes the earliest sleeper on the next turn of the event loop, so polling code runs through
 * virtual minutes without real waiting; with `auto: false` the test moves time with `advance`.
 */
import type { Clock } from '../../src/core/ports.js';

interface Timer {
  at: number;
  resolve(): void;
  reject(e: unknown): void;
}

export class FakeClock implements Clock {
  private t: number;
  private timers: Timer[] = [];
  readonly sleeps: number[] = [];
  constructor(
    start = Date.UTC(2026, 0, 1),
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
      const timer: Timer = { at: this.t + ms, resolve, reject };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal.reason);
      });
      if (this.auto) setImmediate(() => this.wakeEarliest());
    });
  }
  /** Moves time forward by `ms`, waking every sleeper that is due. */
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const d of due) d.resolve();
  }
  get pending(): number {
    return this.timers.length;
  }
  private wakeEarliest(): void {
    if (this.timers.length === 0) return;
    const next = this.timers.reduce((a, b) => (b.at < a.at ? b : a));
    if (next.at > this.t) this.t = next.at;
    this.advance(0);
  }
}
