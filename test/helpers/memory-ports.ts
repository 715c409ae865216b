/**
 * In-memory implementations of the orchestrator's other ports (records, journal, locker, host,
 * source hasher), for tests that drive runPhases and friends without a disk or a terminal.
 */
import { PlatformError } from '../../src/core/errors.js';
import type { PlatformEvent } from '../../src/core/events.js';
import type { PhaseId } from '../../src/core/phase.js';
import type { Host, Journal, Locker, PhaseRecord, RecordStore, SourceHasher } from '../../src/core/ports.js';

export class MemoryRecords implements RecordStore {
  readonly records = new Map<PhaseId, PhaseRecord>();
  writes = 0;
  async read(_env: string, phase: PhaseId) {
    return structuredClone(this.records.get(phase));
  }
  async write(r: PhaseRecord) {
    this.writes++;
    this.records.set(r.phase, structuredClone(r));
  }
  async remove(_env: string, phase: PhaseId) {
    this.records.delete(phase);
  }
}

export class MemoryJournal implements Journal {
  readonly events: PlatformEvent[] = [];
  constructor(readonly runId = 'run-test') {}
  append(e: PlatformEvent) {
    this.events.push(e);
  }
  async close() {}
}

export class MemoryLocker implements Locker {
  readonly held = new Set<string>();
  async acquire(key: string) {
    if (this.held.has(key)) throw new PlatformError('locked', `stack ${key} is locked by test`);
    this.held.add(key);
    return { release: async () => void this.held.delete(key) };
  }
}

/** Records every event and every question; answers `answer`. */
export class RecordingHost implements Host {
  readonly events: PlatformEvent[] = [];
  answer = false;
  asked: string[] = [];
  notify(e: PlatformEvent) {
    this.events.push(e);
  }
  async confirm(req: { message: string }) {
    this.asked.push(req.message);
    return this.answer;
  }
  async close() {}
}

/** A source hasher that gives each phase a fixed fingerprint of its sources. */
export const staticSources: SourceHasher = { hash: async (p) => `src-${p.id}` };
