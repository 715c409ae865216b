/**
 * Who holds a lock, told apart from a process that merely reuses its pid.
 *
 * Rules:
 * - A process is identified on its host by pid plus start time. On Linux the start time is field 22
 *   of /proc/<pid>/stat (clock ticks since boot); with the boot time from /proc/stat (`btime`) it
 *   becomes an absolute time in ms. Elsewhere it is unknown (undefined) and only the pid counts.
 * - A holder recorded on another host is never judged: we cannot see its processes.
 * - A holder on this host is gone when its pid does not exist, or when the pid now belongs to a
 *   process that started after the holder did (the pid was reused).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every Linux build that matters. */
const USER_HZ = 100;

let bootMs: number | undefined | null = null;

function bootTimeMs(): number | undefined {
  if (bootMs !== null) return bootMs;
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    bootMs = m ? Number(m[1]) * 1000 : undefined;
  } catch {
    bootMs = undefined;
  }
  return bootMs;
}

/** Start time of a live process as clock ticks since boot (field 22), or undefined (gone, or no /proc). */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[19]); // field 22 is the 20th after field 2
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Start time of a live process as epoch ms (Linux), or undefined. */
export function processStartMs(pid: number): number | undefined {
  const ticks = processStartTicks(pid);
  const boot = bootTimeMs();
  return ticks === undefined || boot === undefined ? undefined : boot + (ticks * 1000) / USER_HZ;
}

/**
 * Whether a process with this pid runs on this host (EPERM: it does, under another user). A zombie
 * (exited, not yet reaped by its parent) does not run.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return true; // no /proc here: the signal check is all we have
  }
}

/** This process as a lock holder records it. */
export function selfIdentity(): { pid: number; host: string; startTicks?: number } {
  const startTicks = processStartTicks(process.pid);
  return { pid: process.pid, host: hostname(), ...(startTicks !== undefined ? { startTicks } : {}) };
}

export type HolderState = 'alive' | 'gone' | 'reused' | 'elsewhere';

/**
 * Judges a recorded holder. `startTicks` (our own locks) is compared exactly; `since` (a lock that
 * only has a timestamp, as Pulumi's) means "the holder was alive at that time": a process with that
 * pid that started later (beyond a second of clock slack) is another process.
 */
export function holderState(h: { pid?: number; host?: string; startTicks?: number; since?: string }): HolderState {
  if (!h.host || h.host !== hostname() || typeof h.pid !== 'number') return 'elsewhere';
  if (!processAlive(h.pid)) return 'gone';
  const ticks = processStartTicks(h.pid);
  if (h.startTicks !== undefined && ticks !== undefined) return ticks === h.startTicks ? 'alive' : 'reused';
  if (h.since !== undefined) {
    const started = processStartMs(h.pid);
    const since = Date.parse(h.since);
    if (started !== undefined && Number.isFinite(since) && started > since + 1000) return 'reused';
  }
  return 'alive';
}
