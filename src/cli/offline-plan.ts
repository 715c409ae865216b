/**
 * Plans an env's selected phases offline, the way `platform check` does: the simulate engine on a
 * scratch folder (never the env's own state), upstream outputs planned too. For `cost` and
 * `report`. Phases that could not be planned are returned with the reason (no program yet, or an
 * upstream without one), for the command to print.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSelection, slugMap, type SelectionInput } from '../core/selection.js';
import { hasProgram, type AnyPhase, type PhaseId } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import type { PlannedResource } from '../core/ports.js';
import { planPhases } from '../orchestrator/plan.js';
import { findRepoRoot } from '../config/repo-root.js';
import { loadEnv } from '../config/load-env.js';
import { checkEnvInOrganization, loadOrganization } from '../config/load-organization.js';
import { organizationTarget, usesLocalOrganization } from '../core/organization.js';
import { loadRegistry } from './services.js';

export interface OfflinePlan {
  repoRoot: string;
  env: EnvConfig;
  registry: readonly AnyPhase[];
  resources: PlannedResource[];
  planned: PhaseId[];
  /** Selected phases not planned, with why. */
  notPlanned: { phase: PhaseId; reason: string }[];
}

/** Loads the env (exit 2 on a bad env or selection, before anything is planned) and plans it. */
export async function loadEnvAndSelection(envName: string, sel: SelectionInput) {
  const repoRoot = await findRepoRoot(process.cwd());
  const env = await loadEnv(repoRoot, envName);
  const local = usesLocalOrganization(env.name);
  const organization = await loadOrganization(repoRoot, { local });
  checkEnvInOrganization(env, organization, local);
  const registry = await loadRegistry();
  const selection = resolveSelection(sel.phase || sel.from ? sel : { all: true }, registry.map((p) => p.id), slugMap(registry));
  return { repoRoot, env, organization, registry, ids: selection.ids };
}

export async function planOffline(loaded: Awaited<ReturnType<typeof loadEnvAndSelection>>): Promise<OfflinePlan> {
  const { repoRoot, env, organization, registry, ids } = loaded;
  const scratch = await mkdtemp(join(tmpdir(), 'platform-plan-'));
  try {
    const { createSimulateEngine } = await import('../engine/simulate/simulate-engine.js');
    const graph = await planPhases(env, registry, ids, createSimulateEngine({ stateDir: scratch }), new AbortController().signal, {
      config: organization,
      target: organizationTarget(organization, env),
    });
    const byId = new Map(registry.map((p) => [p.id, p] as const));
    const noProgram = ids.filter((id) => !hasProgram(byId.get(id)!)).map((phase) => ({ phase, reason: 'no program yet' }));
    const notPlanned = [...noProgram, ...graph.skipped].sort((a, b) => a.phase - b.phase);
    return { repoRoot, env, registry, resources: graph.resources, planned: graph.phases, notPlanned };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
