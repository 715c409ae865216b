/**
 * `platform pipeline --env E [--out FILE]`: the env's phase DAG as a GitHub Actions workflow
 * (src/pipeline/workflow.ts) on stdout, or written to FILE (atomically; its folder must exist).
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PlatformError } from '../../core/errors.js';
import { findRepoRoot } from '../../config/repo-root.js';
import { loadEnv } from '../../config/load-env.js';
import { checkEnvInOrganization, loadOrganization } from '../../config/load-organization.js';
import { usesLocalOrganization } from '../../core/organization.js';
import { KUBERNETES_PHASES } from '../../preflight/cluster-endpoint.js';
import { generateWorkflow } from '../../pipeline/workflow.js';
import type { GlobalOptions } from '../main.js';
import { report } from '../report.js';
import { loadRegistry } from '../services.js';

export default async function pipeline(opts: { env: string; out?: string }, _globals: GlobalOptions): Promise<number> {
  try {
    let file: string | undefined;
    if (opts.out !== undefined) {
      file = resolve(process.cwd(), opts.out);
      const bad = (why: string) => new PlatformError('usage', `invalid --out '${opts.out}': ${why}`, { value: opts.out, hint: 'name a file in an existing folder, e.g. --out .github/workflows/platform-stg.yml' });
      if (opts.out.trim() === '') throw bad('empty path');
      if (!(await stat(dirname(file)).catch(() => undefined))?.isDirectory()) throw bad(`folder ${dirname(file)} does not exist`);
      if ((await stat(file).catch(() => undefined))?.isDirectory()) throw bad('it is a folder');
    }
    const repoRoot = await findRepoRoot(process.cwd());
    const env = await loadEnv(repoRoot, opts.env);
    const local = usesLocalOrganization(env.name);
    const organization = await loadOrganization(repoRoot, { local });
    checkEnvInOrganization(env, organization, local);
    const text = generateWorkflow({ env, organization, registry: await loadRegistry(), kubernetesPhases: KUBERNETES_PHASES });
    if (!file) {
      process.stdout.write(text);
      return 0;
    }
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, text);
      await rename(tmp, file);
    } finally {
      await rm(tmp, { force: true });
    }
    process.stderr.write(`wrote ${opts.out} (workflow "platform ${env.name}")\n`);
    return 0;
  } catch (e) {
    return report(e, process.argv);
  }
}
