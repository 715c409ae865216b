/**
 * Runs the `pulumi` CLI for the Automation API with cancellation we control.
 *
 * Rules (reference/reliability.md §1.4):
 * - The Automation API's own runner sends SIGINT once on abort and nothing more, and hides the child.
 *   We replace the runner on our `PulumiCommand` instance so that every child is tracked here:
 *   the first cancel sends SIGINT (the engine stops scheduling, waits for in-flight steps, releases
 *   its lock); `force()` sends SIGKILL to what is still running (in-flight steps become pending
 *   operations, which `platform repair` resolves) together with its provider processes (process-tree.ts).
 * - Each child dies with our process (parent-death signal, process-tree.ts): a killed CLI leaves no
 *   engine behind to finish creates nobody records.
 * - Our own SIGINT/SIGTERM handling lives in the CLI; here the caller's AbortSignal is the trigger.
 * - Arguments never carry secrets (secret config goes through files), so argv is safe to show.
 * - A failed command rejects with {@link CliFailure}, keeping stdout, stderr and the real exit code
 *   (the SDK's own runner loses it, see reference/stack.md §5).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { killTree, withParentDeath } from './process-tree.js';

/** A `pulumi` invocation that exited non-zero or was killed. */
export class CliFailure extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stdout: string,
    readonly stderr: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
  ) {
    super(`pulumi ${args[0] ?? ''} failed (${signal ? `signal ${signal}` : `exit ${exitCode}`}): ${lastLines(stderr)}`);
    this.name = 'CliFailure';
  }
}

function lastLines(text: string, n = 6): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

/** What runs now: one entry per live `pulumi` child. */
export interface LiveCommand {
  pid: number;
  args: readonly string[];
  startedAt: number;
}

/** Tracks and cancels the `pulumi` children of one engine instance. */
export class CommandTracker {
  private readonly live = new Map<ChildProcess, LiveCommand>();

  /** The children running now (for "what was in flight" reports and tests). */
  running(): LiveCommand[] {
    return [...this.live.values()];
  }

  /** Asks every live child to stop gracefully (SIGINT: the engine's own cancel path). */
  interrupt(): void {
    for (const child of this.live.keys()) child.kill('SIGINT');
  }

  /** Kills every live child now (SIGKILL), with its provider processes. */
  force(): void {
    for (const child of this.live.keys()) if (child.pid) killTree(child.pid);
  }

  /**
   * The runner installed on the SDK's PulumiCommand instance. Same signature as the SDK's internal
   * `run(args, cwd, env, onOutput, onError, signal)`.
   */
  run = (
    command: string,
    args: string[],
    cwd: string,
    additionalEnv: Record<string, string>,
    onOutput?: (data: string) => void,
    onError?: (data: string) => void,
    signal?: AbortSignal,
  ): Promise<{ stdout: string; stderr: string; code: number }> => {
    if (!args.includes('--non-interactive')) args.push('--non-interactive');
    const env: Record<string, string | undefined> = { ...process.env, ...additionalEnv, PULUMI_AUTOMATION_API: 'true' };
    // One passphrase source only: a file we chose wins over an inherited variable.
    if (additionalEnv.PULUMI_CONFIG_PASSPHRASE_FILE && !('PULUMI_CONFIG_PASSPHRASE' in additionalEnv)) {
      delete env.PULUMI_CONFIG_PASSPHRASE;
    }
    if (command.startsWith('/')) {
      const bin = command.slice(0, command.lastIndexOf('/'));
      env.PATH = `${bin}:${additionalEnv.PATH ?? process.env.PATH ?? ''}`;
    }
    return new Promise((resolvePromise, reject) => {
      // detached: a terminal Ctrl-C reaches only us; we decide what the child gets and when.
      const launch = withParentDeath(command, args);
      const child = spawn(launch.file, launch.argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      this.live.set(child, { pid: child.pid ?? -1, args: [...args], startedAt: Date.now() });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        onOutput?.(d);
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        onError?.(d);
      });
      const onAbort = () => child.kill('SIGINT');
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (e) => {
        this.live.delete(child);
        signal?.removeEventListener('abort', onAbort);
        reject(new CliFailure(args, stdout, `${stderr}\n${e.message}`, null, null));
      });
      child.on('close', (code, sig) => {
        this.live.delete(child);
        signal?.removeEventListener('abort', onAbort);
        if (code === 0) resolvePromise({ stdout, stderr, code });
        else reject(new CliFailure(args, stdout, stderr, code, sig));
      });
    });
  };
}

/** Installs the tracker's runner on an SDK PulumiCommand instance (its `run` is internal API). */
export function installRunner<T extends { command: string }>(cmd: T, tracker: CommandTracker): T {
  const target = cmd as unknown as { run: (...a: unknown[]) => unknown };
  target.run = (args: unknown, cwd: unknown, env: unknown, onOut: unknown, onErr: unknown, signal: unknown) =>
    tracker.run(
      cmd.command,
      args as string[],
      cwd as string,
      (env ?? {}) as Record<string, string>,
      onOut as ((d: string) => void) | undefined,
      onErr as ((d: string) => void) | undefined,
      signal as AbortSignal | undefined,
    );
  return cmd;
}
