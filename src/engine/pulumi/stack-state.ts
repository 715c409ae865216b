/**
 * The real engine's `state(stack, env)`: what a skip decision needs, in one pass, no secret decrypted.
 *
 * Rules:
 * - `file://` and `s3://` backends: the checkpoint is read directly (checkpoint.ts, s3-checkpoint.ts);
 *   no Pulumi CLI process at all.
 * - Any other backend, or a checkpoint this CLI does not read (other version, legacy layout, zstd,
 *   unknown URL options): exactly one CLI call, `pulumi stack export --stack <name>` (never
 *   `--show-secrets`), and the result says why (`fallback`), so the caller can tell the user.
 * - Lock files of a file backend give `lockedBy` (a live holder), as `info` does.
 */
import type { EnvConfig } from '../../core/env.js';
import type { StackRef, StackState } from '../../core/ports.js';
import { parseExport, readFileCheckpoint, type CheckpointView, type ReadResult } from './checkpoint.js';
import { S3CheckpointReader } from './s3-checkpoint.js';
import { backendDir, backendUrl } from './settings.js';
import { describeHolder, PROJECT, readLocks } from './state.js';

export interface StateReaderDeps {
  repoRoot: string;
  /**
   * One CLI call: `pulumi stack export --stack <name>` (secrets stay ciphertext). Resolves its stdout,
   * or undefined when the stack does not exist.
   */
  exportViaCli(stack: StackRef, env: EnvConfig): Promise<string | undefined>;
}

export class StackStateReader {
  private readonly s3: S3CheckpointReader;

  constructor(private readonly deps: StateReaderDeps) {
    this.s3 = new S3CheckpointReader();
  }

  /** Reads the checkpoint directly where the backend allows, else with one CLI call (stated). */
  async read(stack: StackRef, env: EnvConfig): Promise<StackState> {
    const url = backendUrl(env, this.deps.repoRoot);
    const dir = backendDir(env, this.deps.repoRoot);
    let direct: ReadResult;
    if (dir) direct = readFileCheckpoint(dir, PROJECT, stack.name);
    else if (url.startsWith('s3://')) direct = await this.s3.read(url, PROJECT, stack.name, env.regions?.primary);
    else direct = { unreadable: `the backend ${url.replace(/\?.*$/, '')} is neither file:// nor s3://` };

    let view: CheckpointView;
    let fallback: string | undefined;
    if ('view' in direct) view = direct.view;
    else {
      fallback = direct.unreadable;
      const text = await this.deps.exportViaCli(stack, env);
      view = text === undefined ? { exists: false, pendingOperations: [], stateHash: '', outputs: {} } : parseExport(text);
    }
    const live = readLocks(dir, stack.name).filter((l) => !l.stale);
    return {
      exists: view.exists,
      pendingOperations: view.pendingOperations,
      stateHash: view.stateHash,
      outputs: view.outputs,
      ...(live.length ? { lockedBy: live.map(describeHolder).join('; ') } : {}),
      ...(fallback ? { fallback } : {}),
    };
  }

  dispose(): void {
    this.s3.destroy();
  }
}
