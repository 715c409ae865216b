/**
 * The run journal: one NDJSON file per run under `.platform/runs/<run-id>.ndjson`, appended one line
 * per event with a synchronous append (a crash loses at most the event being written). Events are
 * already masked; the journal adds nothing secret. The file is created on the first event, so a run
 * that fails validation before starting leaves nothing behind.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { PlatformEvent } from '../core/events.js';
import type { Journal } from '../core/ports.js';
import type { PhaseId } from '../core/phase.js';

export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export class FileJournal implements Journal {
  private opened = false;
  readonly file: string;

  constructor(
    private readonly dir: string,
    readonly runId: string,
  ) {
    this.file = join(dir, `${runId}.ndjson`);
  }

  append(event: PlatformEvent): void {
    if (!this.opened) {
      mkdirSync(this.dir, { recursive: true });
      this.opened = true;
    }
    appendFileSync(this.file, JSON.stringify(event) + '\n');
  }

  async close(): Promise<void> {}
}

/** Durations (ms) of each phase's previous successful runs in an env, oldest first, for ETAs. */
export function phaseHistory(dir: string, env: string, limit = 20): Partial<Record<PhaseId, number[]>> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.ndjson')).sort().slice(-limit);
  } catch {
    return {};
  }
  const out: Partial<Record<PhaseId, number[]>> = {};
  for (const f of files) {
    let envOk = false;
    const summaries = new Map<PhaseId, number>();
    const done = new Set<PhaseId>();
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line) continue;
      let e: PlatformEvent;
      try {
        e = JSON.parse(line) as PlatformEvent;
      } catch {
        continue;
      }
      if (e.type === 'run-started') envOk = e.env === env && e.command === 'up';
      else if (e.type === 'phase-summary') summaries.set(e.phase, e.durationMs);
      else if (e.type === 'phase-status' && e.status === 'succeeded') done.add(e.phase);
    }
    if (!envOk) continue;
    for (const [p, d] of summaries) if (done.has(p)) (out[p] ??= []).push(d);
  }
  return out;
}
