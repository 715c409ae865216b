/**
 * Where the real prometheus, promtool, alertmanager and amtool binaries are (built by
 * scripts/install-prometheus.sh into .cache/prometheus/<key>/bin, the key derived from the wrapper
 * modules exactly as the script derives it), and small helpers to run them. A missing binary fails
 * the suite with the command that builds it: these tests never skip.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

function required(wrapper: string, module: string): string {
  const gomod = readFileSync(join(ROOT, 'scripts/prometheus', wrapper, 'go.mod'), 'utf8');
  const m = new RegExp(`^(?:require|\\t)\\s*${module.replace(/\./g, '\\.')} (v\\S+)$`, 'm').exec(gomod);
  if (!m) throw new Error(`scripts/prometheus/${wrapper}/go.mod does not require ${module}`);
  return m[1]!;
}

/** The cache key scripts/install-prometheus.sh uses. */
export function toolsKey(): string {
  const prom = required('prometheus', 'github.com/prometheus/prometheus');
  const am = required('alertmanager', 'github.com/prometheus/alertmanager');
  const m = /^v0\.3(\d{2})\.(\d+)$/.exec(prom);
  if (!m) throw new Error(`cannot derive the Prometheus release from module version ${prom}`);
  return `prometheus-3.${Number(m[1])}.${m[2]}_alertmanager-${am.replace(/^v/, '')}`;
}

export type Tool = 'prometheus' | 'promtool' | 'alertmanager' | 'amtool';

/** Absolute path of a built tool; throws naming the install command when it is missing. */
export function toolPath(tool: Tool): string {
  const root = process.env.PLATFORM_PROMETHEUS_CACHE ?? join(ROOT, '.cache/prometheus');
  const p = join(root, toolsKey(), 'bin', tool);
  if (!existsSync(p)) throw new Error(`${p} is missing: run scripts/install-prometheus.sh (builds prometheus, promtool, alertmanager, amtool)`);
  return p;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool to completion (bounded by `timeoutMs`). */
export function run(tool: Tool, args: string[], opts: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(toolPath(tool), args, { cwd: opts.cwd, timeout: opts.timeoutMs ?? 30_000, env: opts.env ?? process.env }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
