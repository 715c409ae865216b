/**
 * Child processes a test cluster starts, and their end. Every process is recorded at spawn; `stop`
 * ends exactly those (SIGTERM, then SIGKILL after a grace period) in reverse start order. If the
 * test process ends first (mocha done, a failure, SIGINT/SIGTERM from a CI timeout), an exit hook
 * kills whatever is still running, so no etcd or API server outlives the suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of live) c.kill('SIGKILL');
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

export interface Started {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Set when the process exited on its own (before stop). */
  exited?: { code: number | null; signal: NodeJS.Signals | null };
}

/** Starts `bin args` with stdout and stderr appended to `logFile`. */
export function startProcess(name: string, bin: string, args: string[], logFile: string): Started {
  hookExit();
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  live.add(child);
  const started: Started = { name, child, logFile };
  child.once('exit', (code, signal) => {
    live.delete(child);
    started.exited = { code, signal };
  });
  child.once('error', () => live.delete(child));
  return started;
}

/** Ends one process: SIGTERM, SIGKILL after `graceMs`; resolves when it has exited. */
export async function stopProcess(p: Started, graceMs = 5000): Promise<void> {
  const c = p.child;
  if (c.exitCode !== null || c.signalCode !== null) return;
  const exited = once(c, 'exit');
  c.kill('SIGTERM');
  const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Processes started by this module that are still running (for tests of the helpers). */
export function liveProcesses(): number[] {
  return [...live].map((c) => c.pid!).filter(Boolean);
}
