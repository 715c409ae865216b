/**
 * Per-stack lock files under `.platform/locks/<stack>.lock`, created with O_EXCL so exactly one
 * process wins. The file names its holder (pid, host, run, time). A lock whose holder process is gone
 * on this host is reported as stale, with the command to remove it — never removed silently.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PlatformError } from '../core/errors.js';
import type { LockHandle, Locker } from '../core/ports.js';

export interface LockInfo {
  pid: number;
  host: string;
  runId: string;
  purpose: string;
  at: string;
}

/** Whether a process with this pid runs on this host (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class FileLocker implements Locker {
  constructor(
    private readonly dir: string,
    private readonly runId: string,
  ) {}

  async acquire(key: string, purpose: string): Promise<LockHandle> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${key}.lock`);
    const info: LockInfo = { pid: process.pid, host: hostname(), runId: this.runId, purpose, at: new Date().toISOString() };
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(JSON.stringify(info) + '\n');
      await fh.close();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: LockInfo | undefined;
      try {
        holder = JSON.parse(await readFile(file, 'utf8')) as LockInfo;
      } catch {
        /* unreadable: reported below without holder details */
      }
      const who = holder ? `pid ${holder.pid} on ${holder.host} (run ${holder.runId}, ${holder.purpose} since ${holder.at})` : 'an unknown holder';
      const stale = holder && holder.host === hostname() && !processAlive(holder.pid);
      throw new PlatformError('locked', `stack ${key} is locked by ${who}${stale ? '; that process is gone, so the lock is stale' : ''}`, {
        value: key,
        hint: stale ? `if no run is active, remove ${file}` : 'wait for that run to finish, then run again',
      });
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await rm(file, { force: true });
      },
    };
  }
}
