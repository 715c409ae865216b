/**
 * Plans the phase programs that exist for one env with the simulate engine (one child process per
 * stack, as `platform check` does, through the same orchestrator function) and returns every
 * planned resource, ready for the checks. The engine, orchestrator and programs are the built ones
 * (dist/, as the CLI runs them; test/helpers/built.ts says why and checks dist/ is current).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvConfig } from '../../src/core/env.js';
import { hasProgram, type AnyPhase, type PhaseId } from '../../src/core/phase.js';
import type { PlannedResource } from '../../src/core/ports.js';
import { organizationTarget, usesLocalOrganization, type OrganizationConfig } from '../../src/core/organization.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../../src/config/load-env.js';
import { loadOrganization } from '../../src/config/load-organization.js';
import { phases as registry } from '../../programs/registry.js';
import { builtCode } from '../helpers/built.js';

export interface PlannedPlatform {
  resources: PlannedResource[];
  phases: PhaseId[];
  /** Wall time of the simulate runs that produced the graph. */
  simulateMs: number;
}

/**
 * Plans every phase that has a program. Organization-scoped phases are planned from `organization`
 * (default: the fixture organization for the env, see test/helpers/env-fixtures.ts).
 */
export async function planPrograms(env: EnvConfig, phases: readonly AnyPhase[], organization?: OrganizationConfig): Promise<PlannedPlatform> {
  const foreign = phases.find((p) => !registry.includes(p));
  if (foreign) throw new Error(`phase ${foreign.id} (${foreign.slug}) is not the registry's: planPrograms plans the shipped programs, as built in dist/`);
  const built = await builtCode();
  const stateDir = await mkdtemp(join(tmpdir(), 'platform-checks-'));
  const started = performance.now();
  try {
    // A phase is plannable when it and every phase it depends on (transitively) has a program: phase 5
    // waits for phase 4's program, and is planned as soon as that lands.
    const byId = new Map(phases.map((p) => [p.id, p]));
    const plannable = (p: AnyPhase): boolean => hasProgram(p) && p.dependsOn.every((d) => byId.has(d) && plannable(byId.get(d)!));
    const ids = phases.filter(plannable).map((p) => p.id);
    const org = organization ? { config: organization, target: organizationTarget(organization, env) } : organizationFor(env);
    const graph = await built.planPhases(env, built.phases.filter((p) => byId.has(p.id)), ids, built.createSimulateEngine({ stateDir }), new AbortController().signal, org);
    return { ...graph, simulateMs: performance.now() - started };
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const shipped = new Map<string, Promise<PlannedPlatform>>();

/**
 * Every phase planned for a shipped env (stacks/<name>.yaml with the organization file the CLI would
 * use), once per mocha process: the checks over the programs and the replace-table coverage read the
 * same plan instead of paying for it twice.
 */
export function planShippedEnv(name: string): Promise<PlannedPlatform> {
  let plan = shipped.get(name);
  if (!plan) {
    plan = (async () => {
      const env = await loadEnv(repoRoot, name);
      return planPrograms(env, registry, await loadOrganization(repoRoot, { local: usesLocalOrganization(name) }));
    })();
    shipped.set(name, plan);
  }
  return plan;
}
