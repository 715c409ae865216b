/**
 * Runs the built CLI (`bin/platform.js`, as users run it) over the test phases of
 * fixtures/cli-registry.ts on the real engine, in a scratch project: its own Pulumi.yaml, an env
 * file `stacks/rt.yaml` (real engine, file backend inside `.platform/`, passphrase file), and the
 * repo's node_modules linked. Everything the CLI does is real: file locks, journal, records, signals,
 * exit codes. Node runs with `--import tsx` because the registry module is TypeScript.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT, requireEngineRoot } from './harness.js';
import type { TestInputs } from './fixtures/test-phases.js';
import { FILE_RESOURCE_TYPE } from './fixtures/file-resource.js';

const CLI = join(REPO_ROOT, 'bin', 'platform.js');
const REGISTRY = join(REPO_ROOT, 'test', 'real-engine', 'fixtures', 'cli-registry.ts');

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process has exited (never rejects). */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Output so far. */
  out(): { stdout: string; stderr: string };
}

export class CliProject {
  readonly dir = mkdtempSync(join(tmpdir(), 'platform-cli-engine-'));
  readonly engineRoot = requireEngineRoot();
  private readonly scenarioFile = join(this.dir, 'scenario.json');

  constructor() {
    writeFileSync(join(this.dir, 'Pulumi.yaml'), readFileSync(join(REPO_ROOT, 'Pulumi.yaml')));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(this.dir, 'node_modules'));
    symlinkSync(join(REPO_ROOT, 'package-lock.json'), join(this.dir, 'package-lock.json'));
    mkdirSync(join(this.dir, 'stacks'));
    // Every env belongs to the organization file (its regions); the test phases never run phase 0.
    writeFileSync(join(this.dir, 'stacks', 'organization.yaml'), readFileSync(join(REPO_ROOT, 'stacks', 'organization.yaml')));
    const env = parse(readFileSync(join(REPO_ROOT, 'stacks', 'local.yaml'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(this.dir, 'passphrase'), `pp-${Math.random().toString(36).slice(2)}\n`, { mode: 0o600 });
    Object.assign(env, {
      name: 'rt',
      engine: 'pulumi',
      accountGuard: false,
      backend: { url: 'file://.platform/state' },
      secrets: { provider: 'passphrase', passphraseFile: 'passphrase' },
    });
    writeFileSync(join(this.dir, 'stacks', 'rt.yaml'), stringify(env));
    this.scenario({});
  }

  path(...p: string[]): string {
    return join(this.dir, ...p);
  }

  /** Sets the inputs of the next runs, per phase id. */
  scenario(s: Record<number, TestInputs & { canaryFile?: string }>): void {
    writeFileSync(this.scenarioFile, JSON.stringify(s));
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      CI: 'true',
      NO_COLOR: '1',
      PLATFORM_REGISTRY: REGISTRY,
      PLATFORM_PULUMI_ROOT: this.engineRoot,
      RT_SCENARIO: this.scenarioFile,
      ...extra,
    };
  }

  /**
   * Starts `platform <args>`; stdout and stderr are piped and kept. `up` on the real engine asks
   * before any change: `--yes` is added unless the test passes `ask: true` (to test the question).
   */
  start(args: string[], extra: NodeJS.ProcessEnv = {}, opts: { ask?: boolean } = {}): CliRun {
    if (args[0] === 'up' && !opts.ask && !args.includes('--yes') && !args.includes('-y')) args = [...args, '--yes'];
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: this.dir, env: this.env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    return { child, done, out: () => ({ stdout, stderr }) };
  }

  /** Runs `platform <args>` to the end. */
  async run(args: string[], extra: NodeJS.ProcessEnv = {}, opts: { ask?: boolean } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return this.start(args, extra, opts).done;
  }

  /** The checkpoint of a stack, read straight from the file backend. */
  checkpoint(stack: string): { resources: Array<{ urn: string; type: string; id?: string; outputs?: Record<string, unknown> }>; pending: Array<{ type: string; resource: { urn: string } }> } {
    const file = this.path('.platform', 'state', '.pulumi', 'stacks', 'platform', `${stack}.json`);
    if (!existsSync(file)) return { resources: [], pending: [] };
    const latest = (JSON.parse(readFileSync(file, 'utf8')) as { checkpoint: { latest?: { resources?: []; pending_operations?: [] } } }).checkpoint.latest;
    return { resources: latest?.resources ?? [], pending: latest?.pending_operations ?? [] };
  }

  /**
   * The provider's store against the state: `lost` = state resources whose file is missing,
   * `duplicates` = files no state resource points to (a second copy of something, or an orphan).
   */
  audit(stack: string, store: string): { state: number; files: number; lost: string[]; duplicates: string[]; pending: number } {
    const cp = this.checkpoint(stack);
    const paths = cp.resources.filter((r) => r.type === FILE_RESOURCE_TYPE).map((r) => String(r.outputs?.path ?? ''));
    const files = existsSync(store) ? readdirSync(store).map((f) => join(store, f)) : [];
    return {
      state: paths.length,
      files: files.length,
      lost: paths.filter((p) => !files.includes(p)),
      duplicates: files.filter((f) => !paths.includes(f)),
      pending: cp.pending.length,
    };
  }

  /** Journal lines of every run so far, oldest first. */
  journals(): Array<Array<{ type: string } & Record<string, unknown>>> {
    const dir = this.path('.platform', 'runs');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .sort()
      .map((f) =>
        readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { type: string } & Record<string, unknown>),
      );
  }

  /** The phase record the CLI keeps beside the state. */
  record(phase: number): { status: string } | undefined {
    const dir = this.path('.platform', 'state', '.platform-records', 'rt');
    if (!existsSync(dir)) return undefined;
    const f = readdirSync(dir).find((n) => n === `phase-${String(phase).padStart(2, '0')}.json`);
    return f ? (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { status: string }) : undefined;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every descendant of `pid` (from /proc), collected before anything is killed. */
export function processTree(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp === p && !out.includes(c)) {
        out.push(c);
        walk(c);
      }
    }
  };
  walk(pid);
  return out;
}

/** The first `platform ...` command a CLI error names (its recovery hint), if any. */
export function hintedCommand(stderr: string): string[] | undefined {
  const line = stderr.trim().split('\n').filter((l) => l.startsWith('error:')).at(-1) ?? '';
  const m = /platform ((?:up|repair) --phase \d+ --env \w+)/.exec(line);
  return m ? m[1]!.split(' ') : undefined;
}
