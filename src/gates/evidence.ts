/**
 * A small builder for gate outcomes: gates note what they looked at (`saw`) and what is wrong
 * (`problem`); the outcome passes only when there is no problem, and lists problems first so the
 * recorded evidence leads with the reason.
 */
import type { GateCheckOutcome } from '../core/gate.js';

export class Evidence {
  private readonly seen: string[] = [];
  private readonly problems: string[] = [];
  private terminal = false;

  saw(line: string): this {
    this.seen.push(line);
    return this;
  }

  /** Records a problem; `terminal` when waiting cannot fix it. */
  problem(line: string, terminal = false): this {
    this.problems.push(line);
    if (terminal) this.terminal = true;
    return this;
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  /** pass when no problem; otherwise fail with `hint`. */
  outcome(hint: string): GateCheckOutcome {
    if (this.ok) return { status: 'pass', evidence: [...this.seen] };
    return { status: 'fail', evidence: [...this.problems, ...this.seen], hint, ...(this.terminal ? { terminal: true } : {}) };
  }
}
