/**
 * Reading a DIY backend's bookkeeping without the CLI: lock files (who holds the stack) and the
 * pending operations of an exported deployment; writing a dated checkpoint backup before each
 * mutating operation. Layout from reference/reliability.md §1.1:
 *   .pulumi/locks/organization/<project>/<stack>/<uuid>.json  {pid, username, hostname, timestamp}
 *   .pulumi/backups/<project>/<stack>/                          Pulumi's own post-op backups (ours go here too)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PendingOperation } from '../../core/ports.js';
import { holderState } from '../../state/process-identity.js';

export const PROJECT = 'platform';

/** One lock file's content, as Pulumi writes it. */
export interface LockHolder {
  file: string;
  pid?: number;
  username?: string;
  hostname?: string;
  timestamp?: string;
  /**
   * True when the holder ran on this host and is gone: its pid does not exist, or belongs to a process
   * started after the lock was taken (a reused pid). A lock left by a killed process.
   */
  stale: boolean;
}

/** The lock files of a stack in a `file://` backend (empty when unlocked or not a file backend). */
export function readLocks(backendDir: string | undefined, stack: string): LockHolder[] {
  if (!backendDir) return [];
  const dir = join(backendDir, '.pulumi', 'locks', 'organization', PROJECT, stack);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const file = join(dir, f);
      try {
        const raw = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number; username?: string; hostname?: string; timestamp?: string };
        const state = holderState({ pid: raw.pid, host: raw.hostname, since: raw.timestamp });
        return { file, ...raw, stale: state === 'gone' || state === 'reused' };
      } catch {
        return { file, stale: false };
      }
    });
}

/**
 * Removes the broken `.attrs` sidecars of a stack in a `file://` backend and returns their paths.
 * gocloud's fileblob (Pulumi's file backend) writes a sidecar beside each file by create-truncate-
 * then-write; an engine killed in between (before we turned sidecars off, settings.ts
 * engineBackendUrl, or by a CLI that still writes them) leaves it empty, and every read of the file
 * then fails with `EOF` ("failed to load checkpoint: EOF"). A sidecar holds only content type and an
 * MD5 that nothing checks on read; without one, fileblob reads the file as it is. The files the
 * sidecars describe are written atomically and are left untouched.
 */
export function removeBrokenSidecars(backendDir: string | undefined, stack: string): string[] {
  if (!backendDir) return [];
  const root = join(backendDir, '.pulumi');
  const candidates: string[] = [join(root, 'meta.yaml.attrs')];
  const stacks = join(root, 'stacks', PROJECT);
  if (existsSync(stacks)) candidates.push(...readdirSync(stacks).filter((f) => f.startsWith(`${stack}.json`) && f.endsWith('.attrs')).map((f) => join(stacks, f)));
  for (const dir of [join(root, 'locks', 'organization', PROJECT, stack), join(root, 'history', PROJECT, stack), join(root, 'backups', PROJECT, stack)]) {
    if (existsSync(dir)) candidates.push(...readdirSync(dir).filter((f) => f.endsWith('.attrs')).map((f) => join(dir, f)));
  }
  const removed: string[] = [];
  for (const file of candidates) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // absent
    }
    try {
      JSON.parse(text);
      continue;
    } catch {
      rmSync(file, { force: true });
      removed.push(file);
    }
  }
  return removed;
}

/** "pid 123 on host by user at time (process gone)" for error messages. */
export function describeHolder(h: LockHolder): string {
  const parts = [
    h.pid !== undefined ? `pid ${h.pid}` : 'unknown pid',
    h.hostname ? `on ${h.hostname}` : '',
    h.username ? `by ${h.username}` : '',
    h.timestamp ? `since ${h.timestamp}` : '',
    h.stale ? '(that process is gone: a stale lock)' : '',
  ];
  return parts.filter(Boolean).join(' ');
}

/** Parses Pulumi's own lock error text for the holder when the lock file is not readable by us. */
export function holderFromText(text: string): string | undefined {
  const m = /created by (\S+)@(\S+) \(pid (\d+)\) at (\S+)/.exec(text);
  return m ? `pid ${m[3]} on ${m[2]} by ${m[1]} since ${m[4]}` : undefined;
}

/** The shape of `stack export` we read. */
export interface Deployment {
  version: number;
  deployment: {
    resources?: Array<{ urn: string; type: string; custom?: boolean }>;
    pending_operations?: Array<{ resource: { urn: string; type: string }; type: string }>;
  } & Record<string, unknown>;
}

/** Pending operations of an exported deployment. */
export function pendingOperations(dep: Deployment | undefined): PendingOperation[] {
  return (dep?.deployment.pending_operations ?? []).map((p) => ({ urn: p.resource.urn, type: p.resource.type, op: p.type }));
}

/** Resources counted as the user sees them (no root stack, no providers). */
export function resourceCount(dep: Deployment | undefined): number {
  return (dep?.deployment.resources ?? []).filter((r) => r.type !== 'pulumi:pulumi:Stack' && !r.type.startsWith('pulumi:providers:')).length;
}

/**
 * Writes the exported checkpoint (secrets stay ciphertext: export never shows them) to a dated file
 * beside the state: `<backend>/.pulumi/backups/platform/<stack>/<stack>.pre-<op>.<stamp>.json` for a
 * file backend, `<cacheDir>/backups/<stack>/...` otherwise. Returns the path.
 */
export function writeBackup(dep: Deployment, where: { backendDir?: string; cacheDir: string }, stack: string, op: string, now: Date): string {
  const dir = where.backendDir
    ? join(where.backendDir, '.pulumi', 'backups', PROJECT, stack)
    : join(where.cacheDir, 'backups', stack);
  mkdirSync(dir, { recursive: true });
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `${stack}.pre-${op}.${stamp}.json`);
  writeFileSync(file, JSON.stringify(dep, null, 2), { mode: 0o600 });
  return file;
}
