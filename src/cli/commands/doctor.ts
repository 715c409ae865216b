/**
 * `platform doctor [--env E]`: one pass/fail line per check, a summary line, and exit 2 with an
 * `error:` line when any check fails. On an env the simulate engine runs (`local`, or --engine
 * simulate) the Pulumi CLI, its launcher, the backend and the passphrase are not needed: they are
 * reported as such, never as failures.
 */
import { join } from 'node:path';
import type { GlobalOptions } from '../main.js';
import { findRepoRoot } from '../../config/repo-root.js';
import { loadEnv } from '../../config/load-env.js';
import { outputMode } from '../services.js';
import { report } from '../report.js';
import { deployerRoleArn } from '../../core/platform-names.js';

/** Checks only the real engine needs (the simulate engine runs offline, with no Pulumi CLI, backend or passphrase). */
const REAL_ENGINE_ONLY = new Set(['engine', 'dynamic-provider launcher', 'backend', 'secrets provider', 'aws account', 'eks token', 'kubernetes auth']);

export default async function doctor(opts: { env?: string }, globals: GlobalOptions): Promise<number> {
  try {
    const repoRoot = await findRepoRoot(process.cwd());
    const env = opts.env ? await loadEnv(repoRoot, opts.env) : undefined;
    const { runDoctor, doctorLines } = await import('../../engine/pulumi/doctor.js');
    const endpoint = process.env.PLATFORM_AWS_ENDPOINT;
    const checks = await runDoctor({
      repoRoot,
      cacheDir: join(repoRoot, '.cache'),
      env,
      roleArn: env && env.accountGuard !== false ? deployerRoleArn(env.accountId) : undefined,
      aws: endpoint ? { endpoint } : undefined,
    });
    const simulate = env !== undefined && (globals.engine ?? env.engine) === 'simulate';
    const shown = simulate ? checks.map((c) => (c.ok || !REAL_ENGINE_ONLY.has(c.name) ? c : { name: c.name, ok: true, detail: `not needed: env ${env.name} runs the simulate engine (for the real engine: ${c.detail})` })) : checks;
    const failed = shown.filter((c) => !c.ok);
    const exitCode = failed.length ? 2 : 0;
    if (outputMode(globals) === 'json') {
      for (const c of shown) process.stdout.write(JSON.stringify({ type: 'check', ...c }) + '\n');
      process.stdout.write(JSON.stringify({ type: 'summary', passed: shown.length - failed.length, failed: failed.length, exitCode }) + '\n');
    } else process.stdout.write([...doctorLines(shown), `doctor: ${shown.length - failed.length} passed, ${failed.length} failed`].join('\n') + '\n');
    if (failed.length) {
      process.stderr.write(`error: doctor found ${failed.length} problem(s): ${failed.map((c) => c.name).join(', ')}; fix each as its FAIL line says, then run platform doctor${opts.env ? ` --env ${opts.env}` : ''} again\n`);
    }
    return exitCode;
  } catch (e) {
    return report(e, process.argv);
  }
}
