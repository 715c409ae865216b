/**
 * Phase records as JSON files beside the env's file backend, written atomically (temp + rename) so a
 * crash never leaves half a record. A record that cannot be parsed is an error naming the file.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlatformError } from '../core/errors.js';
import type { PhaseId } from '../core/phase.js';
import type { PhaseRecord, RecordStore } from '../core/ports.js';

export class FileRecordStore implements RecordStore {
  constructor(private readonly dir: string) {}

  private file(phase: PhaseId): string {
    return join(this.dir, `phase-${String(phase).padStart(2, '0')}.json`);
  }

  async read(_env: string, phase: PhaseId): Promise<PhaseRecord | undefined> {
    const f = this.file(phase);
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      return JSON.parse(text) as PhaseRecord;
    } catch {
      throw new PlatformError('recovery-needed', `phase record ${f} is not valid JSON`, {
        value: f,
        hint: `restore it from version control of the backend or delete it and run: platform up --phase ${phase} --force`,
      });
    }
  }

  async write(record: PhaseRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const f = this.file(record.phase);
    const tmp = `${f}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(record, null, 2) + '\n');
    await rename(tmp, f);
  }

  async remove(_env: string, phase: PhaseId): Promise<void> {
    await rm(this.file(phase), { force: true });
  }
}
