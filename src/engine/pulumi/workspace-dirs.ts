/**
 * Workspace folders of one engine instance (one CLI process): `<cache>/workspaces/run-<pid>-<rand>/
 * <stack>/`. The Automation API rewrites `Pulumi.yaml` in a workspace folder every time it opens a
 * stack, so processes must never share one (two racers sharing `.cache/workspaces/<stack>/` read a
 * half-written file: "expected project to be an object"). Pulumi's own locking test failed the same
 * way (reference/reliability.md §1.2).
 *
 * Rules: the folder is made on first use and removed when the process exits; folders of processes
 * that no longer exist (killed) are removed when the next engine starts.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { processAlive } from '../../state/process-identity.js';

export class WorkspaceDirs {
  private readonly root: string;
  private made = false;

  constructor(cacheDir: string) {
    this.root = join(cacheDir, 'workspaces', `run-${process.pid}-${randomBytes(3).toString('hex')}`);
  }

  /** The folder of one stack for this process (created). */
  forStack(stack: string): string {
    if (!this.made) {
      this.made = true;
      sweepDead(join(this.root, '..'));
      process.once('exit', () => rmSync(this.root, { recursive: true, force: true }));
    }
    const dir = join(this.root, stack);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}

/** Removes `run-<pid>-*` folders whose process is gone. */
function sweepDead(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^run-(\d+)-[0-9a-f]+$/.exec(n);
    if (m && !processAlive(Number(m[1]))) rmSync(join(parent, n), { recursive: true, force: true });
  }
}
