/**
 * `platform check`: plans the selected phases offline (simulate engine on a scratch folder, never
 * the env's state) and runs the static checks over every planned resource. One line per finding plus
 * a summary line, or one JSON document with --json. The exit code agrees with the verdict: 0 when it
 * passes or only warns (the env file does not block on violations), 1 with an `error:` line when the
 * findings block the env (checks.blockOnViolation) or a suppression expired there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSelection, slugMap } from '../../core/selection.js';
import { planPhases } from '../../orchestrator/plan.js';
import type { GlobalOptions, SelectionOptions } from '../main.js';
import { loadRegistry, outputMode } from '../services.js';
import { findRepoRoot } from '../../config/repo-root.js';
import { loadEnv } from '../../config/load-env.js';
import { checkEnvInOrganization, loadOrganization } from '../../config/load-organization.js';
import { organizationTarget, usesLocalOrganization } from '../../core/organization.js';
import { report } from '../report.js';

export default async function check(opts: SelectionOptions & { env: string }, globals: GlobalOptions): Promise<number> {
  let scratch: string | undefined;
  try {
    const root = await findRepoRoot(process.cwd());
    const env = await loadEnv(root, opts.env);
    const organization = await loadOrganization(root, { local: usesLocalOrganization(env.name) });
    checkEnvInOrganization(env, organization, usesLocalOrganization(env.name));
    const registry = await loadRegistry();
    const selection = resolveSelection(opts.phase || opts.from ? opts : { all: true }, registry.map((p) => p.id), slugMap(registry));
    scratch = await mkdtemp(join(tmpdir(), 'platform-check-'));
    const { createSimulateEngine } = await import('../../engine/simulate/simulate-engine.js');
    const graph = await planPhases(env, registry, selection.ids, createSimulateEngine({ stateDir: scratch }), new AbortController().signal, {
      config: organization,
      target: organizationTarget(organization, env),
    });
    const { assertChecksAllowUp, checkPlatform, renderJson, renderPlain, verdict } = await import('../../checks/index.js');
    const result = await checkPlatform(graph.resources, env, Date.now(), { root });
    const json = outputMode(globals) === 'json';
    const v = verdict(result, env);
    const exitCode = v === 'block' ? 1 : 0;
    const notPlanned = graph.skipped.map((s) => `not planned: phase ${s.phase}: ${s.reason}`);
    if (json) process.stdout.write(JSON.stringify({ type: 'check', phases: graph.phases, skipped: graph.skipped, ...renderJson(result, env), exitCode }) + '\n');
    else process.stdout.write([...notPlanned, ...renderPlain(result, env)].join('\n') + '\n');
    if (v === 'block') {
      try {
        assertChecksAllowUp(result, env);
      } catch (e) {
        report(e, process.argv, { json: false });
      }
    }
    return exitCode;
  } catch (e) {
    return report(e, process.argv);
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
