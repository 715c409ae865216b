/**
 * The engine's process tree, and how it dies with us.
 *
 * Rules:
 * - `pulumi` runs in its own process group (we decide what a terminal Ctrl-C does), and starts each
 *   provider plugin in a process group of its own (Pulumi's RegisterProcessGroup). Killing one group
 *   therefore misses the providers: a forced stop collects every descendant first (from /proc), then
 *   SIGKILLs the whole set, so nothing is re-parented before it is reached.
 * - Parent death: on Linux `pulumi` is started through `setpriv --pdeathsig KILL` (util-linux), so
 *   the kernel kills it the moment our process dies, however it dies (kill -9, OOM). The provider
 *   launcher we install (scripts/pulumi-engine/pulumi-resource-pulumi-nodejs) `exec`s node with a
 *   watch that exits as soon as its parent (the engine) is gone. Where setpriv is missing, one
 *   warning says so (the engine then outlives a killed CLI until its output pipe breaks).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Parent pid of every process visible in /proc (empty where there is no /proc). */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const d of entries) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      out.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Every descendant of `pid`, children first. */
export function descendants(pid: number): number[] {
  const parent = parents();
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp !== p || out.includes(c)) continue;
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** SIGKILLs `pid`, its process group and every descendant (collected before the first kill). */
export function killTree(pid: number): void {
  const all = descendants(pid);
  for (const target of [-pid, pid, ...all]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

let setprivPath: string | null | undefined;

/** `setpriv` on PATH (Linux, util-linux), or undefined. */
export function findSetpriv(pathVar = process.env.PATH ?? ''): string | undefined {
  if (process.platform !== 'linux') return undefined;
  if (setprivPath !== undefined) return setprivPath ?? undefined;
  setprivPath = null;
  for (const dir of pathVar.split(delimiter)) {
    if (dir && existsSync(join(dir, 'setpriv'))) {
      setprivPath = join(dir, 'setpriv');
      break;
    }
  }
  return setprivPath ?? undefined;
}

/**
 * The command line that runs `command args` so that it dies with us: `setpriv --pdeathsig KILL --`
 * in front on Linux (setpriv execs the command: same pid, the death signal survives the exec).
 */
export function withParentDeath(command: string, args: string[]): { file: string; argv: string[]; guarded: boolean } {
  const setpriv = findSetpriv();
  if (!setpriv) return { file: command, argv: args, guarded: false };
  return { file: setpriv, argv: ['--pdeathsig', 'KILL', '--', command, ...args], guarded: true };
}
