/**
 * `platform bootstrap --env E | --organization [--dry-run] [--fix]`: creates the state bucket and the
 * secrets key that the env file (or stacks/organization.yaml) names (see src/bootstrap/). Prints one
 * line per setting, then what changed.
 */
import type { GlobalOptions } from '../main.js';
import { findRepoRoot } from '../../config/repo-root.js';
import { loadEnv } from '../../config/load-env.js';
import { PlatformError } from '../../core/errors.js';
import { usesLocalOrganization } from '../../core/organization.js';
import { outputMode } from '../services.js';
import { report } from '../report.js';

export default async function bootstrapCommand(opts: { env?: string; organization?: boolean; dryRun?: boolean; fix?: boolean }, globals: GlobalOptions): Promise<number> {
  const json = outputMode(globals) === 'json';
  try {
    if (Boolean(opts.env) === Boolean(opts.organization)) {
      throw new PlatformError('usage', 'bootstrap takes one of --env <name> and --organization', {
        hint: 'first `platform bootstrap --organization` (phase 0 state), then `platform bootstrap --env <name>` for each env',
      });
    }
    const repoRoot = await findRepoRoot(process.cwd());
    const [{ bootstrap, stepLine }, { envTarget, organizationTarget }] = await Promise.all([import('../../bootstrap/bootstrap.js'), import('../../bootstrap/target.js')]);
    const { loadOrganization, organizationFile } = await import('../../config/load-organization.js');
    let target;
    if (opts.organization) {
      target = organizationTarget(await loadOrganization(repoRoot, { local: false }), organizationFile(false));
    } else {
      const env = await loadEnv(repoRoot, opts.env!);
      // The env's bucket and key go in the account of the runner's credentials: the management account of its organization file.
      const organization = await loadOrganization(repoRoot, { local: usesLocalOrganization(env.name) });
      target = envTarget(env, organization.managementAccountId);
    }
    const result = await bootstrap(target, {
      dryRun: opts.dryRun,
      fix: opts.fix,
      endpoint: process.env.PLATFORM_AWS_ENDPOINT,
      onStep: (s) => {
        if (json) process.stdout.write(JSON.stringify({ type: 'bootstrap-step', resource: s.resource, name: s.name, setting: s.setting, status: s.status, detail: s.detail, dryRun: Boolean(opts.dryRun) }) + '\n');
        else process.stdout.write(stepLine(s, Boolean(opts.dryRun)) + '\n');
      },
    });
    const summary = result.nothingToDo
      ? result.nothingToDo
      : result.changed === 0
        ? `nothing to change: the state bucket and secrets key of ${target.label} match ${target.file} (account ${result.caller!.account})`
        : `${result.dryRun ? 'would change' : 'changed'} ${result.changed} setting(s) in account ${result.caller!.account}${result.dryRun ? ' (dry run: nothing was changed)' : ''}`;
    if (json) process.stdout.write(JSON.stringify({ type: 'bootstrap-finished', target: target.label, changed: result.changed, dryRun: result.dryRun, message: summary, exitCode: 0 }) + '\n');
    else process.stdout.write(summary + '\n');
    return 0;
  } catch (e) {
    return report(e, process.argv);
  }
}
