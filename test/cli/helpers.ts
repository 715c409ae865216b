/**
 * Runs the built CLI (dist/, as users run it) in a scratch project: Pulumi.yaml and stacks/ copied,
 * programs/ linked. Every run gets its own stdout/stderr and exit code; `.platform/` is inside the
 * scratch folder.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
const CLI = join(REPO, 'bin/platform.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'platform-cli-'));
  constructor() {
    cpSync(join(REPO, 'Pulumi.yaml'), join(this.dir, 'Pulumi.yaml'));
    cpSync(join(REPO, 'stacks'), join(this.dir, 'stacks'), { recursive: true });
    // A copy, so the sources the fingerprints hash cannot change under a running test.
    cpSync(join(REPO, 'programs'), join(this.dir, 'programs'), { recursive: true });
  }
  run(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      cwd: this.dir,
      encoding: 'utf8',
      // The checks render Helm charts with the test toolchain's Helm and module charts (found from the
      // repository, not the scratch copy): `platform check` and the pre-up check see inside them.
      env: { ...process.env, CI: 'true', NO_COLOR: '1', PLATFORM_TEST_CLUSTER_CACHE: join(REPO, '.cache/test-cluster'), ...env },
      timeout: 180_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }
  path(...p: string[]): string {
    return join(this.dir, ...p);
  }
  /** Every file under .platform/ with its size and mtime: a fingerprint of the state on disk. */
  stateListing(): string[] {
    const root = this.path('.platform');
    if (!existsSync(root)) return [];
    const out: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        const s = statSync(p);
        if (s.isDirectory()) walk(p);
        else out.push(`${p.slice(root.length)} ${s.size} ${s.mtimeMs}`);
      }
    };
    walk(root);
    return out.sort();
  }
  /**
   * Bad input as the project promises it (docs/exit-codes.md): exit 2, one line on stderr matching
   * `message`, and `.platform/` exactly as before (with `quietStdout`, nothing on stdout either).
   */
  refuses(args: string[], message: RegExp, opts: { quietStdout?: boolean } = {}): CliResult {
    const before = this.stateListing();
    const r = this.run(args);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, message);
    if (opts.quietStdout) assert.equal(r.stdout, '');
    assert.deepEqual(this.stateListing(), before);
    return r;
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
