/** `platform doctor [--env E]`: one pass/fail line per check; exit 2 when any fails. */
import { join } from 'node:path';
import type { GlobalOptions } from '../main.js';
import { findRepoRoot } from '../../config/repo-root.js';
import { loadEnv } from '../../config/load-env.js';
import { outputMode } from '../services.js';
import { report } from '../report.js';
import { DEPLOYER_ROLE_NAME } from '../../../programs/00-organization/scps.js';

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
      roleArn: env && env.accountGuard !== false ? `arn:aws:iam::${env.accountId}:role/${DEPLOYER_ROLE_NAME}` : undefined,
      aws: endpoint ? { endpoint } : undefined,
    });
    if (outputMode(globals) === 'json') for (const c of checks) process.stdout.write(JSON.stringify({ type: 'check', ...c }) + '\n');
    else process.stdout.write(doctorLines(checks).join('\n') + '\n');
    return checks.every((c) => c.ok) ? 0 : 2;
  } catch (e) {
    return report(e, process.argv);
  }
}
