/**
 * Per-stack lock files under `.platform/locks/<stack>.lock`, created with O_EXCL so exactly one
 * process wins. The file names its holder: pid, process start time (so a reused pid is not taken for
 * the holder), host, run id, purpose and time.
 *
 * Rules:
 * - A holder on this host that no longer exists (pid gone, or the pid now belongs to a process that
 *   started at another time) left the lock behind when it was killed: the lock is cleared, one line
 *   says so (`onNotice`), and the acquire goes on. Nothing else is ever removed.
 * - Clearing happens under a short-lived `<stack>.lock.takeover` file (O_EXCL too), and only if the
 *   lock file still holds the same stale content: two processes that both found the same stale lock
 *   cannot remove each other's fresh one. A takeover file older than 10 s was left by a process
 *   killed in those few milliseconds and is removed.
 * - A live holder, one on another host, or an unreadable lock file: 'locked' (exit 4) naming it.
 * - Releasing removes only our own file, and the folder when it is empty.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PlatformError } from '../core/errors.js';
import type { LockHandle, Locker } from '../core/ports.js';
import { holderState, selfIdentity } from './process-identity.js';

export { processAlive } from './process-identity.js';

export interface LockInfo {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (Linux); absent elsewhere. */
  startTicks?: number;
  host: string;
  runId: string;
  purpose: string;
  at: string;
}

const TAKEOVER_STALE_MS = 10_000;

function describe(h: LockInfo): string {
  return `pid ${h.pid} on ${h.host} (run ${h.runId}, ${h.purpose} since ${h.at})`;
}

/**
 * Creates `file` with `content` only if it does not exist, and never visible half-written: the content
 * goes to a private temporary file first, then link(2) puts it in place (atomic, EEXIST when taken).
 * With open('wx') + write, a racer could read the winner's file before its content arrived and report
 * "an unreadable lock file" (seen with 10 racers under load).
 */
async function createExclusive(file: string, content: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    // The folder goes when its last lock is released: make it again if it went meanwhile.
    await writeFile(tmp, content, { flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
      await mkdir(dirname(file), { recursive: true });
      await writeFile(tmp, content, { flag: 'wx' });
    });
    await link(tmp, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export class FileLocker implements Locker {
  constructor(
    private readonly dir: string,
    private readonly runId: string,
    /** Receives the one line saying a stale lock was cleared. */
    private readonly onNotice: (message: string) => void = () => {},
  ) {}

  async acquire(key: string, purpose: string): Promise<LockHandle> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${key}.lock`);
    const info: LockInfo = { ...selfIdentity(), runId: this.runId, purpose, at: new Date().toISOString() };
    const mine = JSON.stringify(info) + '\n';
    // Two rounds at most: the first may find a stale lock and clear it.
    for (let round = 0; round < 2; round++) {
      if (await createExclusive(file, mine)) return this.handle(file, mine);
      const text = await readText(file);
      if (text === undefined) continue; // released between our two calls: try again
      let holder: LockInfo | undefined;
      try {
        holder = JSON.parse(text) as LockInfo;
      } catch {
        /* unreadable: reported below without holder details */
      }
      const state = holder ? holderState({ pid: holder.pid, host: holder.host, startTicks: holder.startTicks, since: holder.at }) : 'elsewhere';
      if (holder && (state === 'gone' || state === 'reused') && round === 0) {
        if (await this.clearStale(file, text)) {
          this.onNotice(
            `cleared the lock of ${key} left by ${describe(holder)}: ${state === 'gone' ? 'that process no longer exists' : `pid ${holder.pid} now belongs to another process`}`,
          );
        }
        continue;
      }
      const who = holder ? describe(holder) : `an unreadable lock file ${file}`;
      throw new PlatformError('locked', `stack ${key} is locked by ${who}`, {
        value: key,
        hint: holder ? 'wait for that run to finish, then run again' : `if no run is active, remove ${file}`,
      });
    }
    throw new PlatformError('locked', `stack ${key} is locked: another process took the lock while a stale one was cleared`, {
      value: key,
      hint: 'wait for that run to finish, then run again',
    });
  }

  /** Removes a stale lock file if it still holds `staleText`; true when this call removed it. */
  private async clearStale(file: string, staleText: string): Promise<boolean> {
    const takeover = `${file}.takeover`;
    if (!(await createExclusive(takeover, `${process.pid}\n`))) {
      const s = await stat(takeover).catch(() => undefined);
      if (s && Date.now() - s.mtimeMs > TAKEOVER_STALE_MS) await rm(takeover, { force: true });
      return false;
    }
    try {
      if ((await readText(file)) !== staleText) return false;
      await rm(file, { force: true });
      return true;
    } finally {
      await rm(takeover, { force: true });
    }
  }

  private handle(file: string, mine: string): LockHandle {
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        // Only our own lock: never a file someone else created after clearing ours.
        if ((await readText(file)) === mine) await rm(file, { force: true });
        // An empty locks folder is not left behind (a run refused before any change changes nothing).
        await rmdir(dirname(file)).catch(() => {});
      },
    };
  }
}
