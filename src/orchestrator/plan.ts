/**
 * Plans phases without touching any deployed state: previews each selected phase that has a program,
 * in DAG order, with an engine the caller gives (the CLI passes a simulate engine on a scratch
 * folder), feeding each phase the planned outputs of its upstreams. Returns every planned resource,
 * for the static checks, and the selected phases it could not plan because an upstream has no
 * program yet (`skipped`, with the reason: `platform check` prints them).
 */
import { PhaseDag } from '../core/dag.js';
import { hasProgram, type AnyPhase, type PhaseId, type UpstreamOutputs } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import type { Engine, PlannedResource } from '../core/ports.js';
import { plainOutputs } from '../core/secrets.js';
import type { OrganizationConfig } from '../core/organization.js';
import type { RecordStore } from '../core/ports.js';
import { targetOf } from './scope.js';

/** Planning reads and writes no records. */
const NO_RECORDS: RecordStore = {
  read: async () => undefined,
  write: async () => {},
  remove: async () => {},
};

export interface PlannedGraph {
  resources: PlannedResource[];
  phases: PhaseId[];
  /** Selected phases that could not be planned, with why (an upstream has no program yet). */
  skipped: { phase: PhaseId; reason: string }[];
}

/**
 * `organization` is the organization file and its target (see organizationTarget): an
 * organization-scoped phase is planned as the organization's one stack, from the organization file.
 */
export async function planPhases(
  env: EnvConfig,
  registry: readonly AnyPhase[],
  ids: readonly PhaseId[],
  engine: Engine,
  signal: AbortSignal,
  organization?: { config: OrganizationConfig; target: EnvConfig },
): Promise<PlannedGraph> {
  const dag = new PhaseDag(registry);
  const byId = new Map(registry.map((p) => [p.id, p] as const));
  // Upstreams are planned too (their outputs feed the selected phases) but only selected phases' resources are returned.
  const needed = new Set<PhaseId>();
  for (const id of ids) {
    needed.add(id);
    for (const u of dag.upstream(id)) needed.add(u);
  }
  const upstream: UpstreamOutputs = {};
  const resources: PlannedResource[] = [];
  const planned: PhaseId[] = [];
  const skipped: PlannedGraph['skipped'] = [];
  // Why each phase could not be planned, so a selected phase names the root cause through the chain.
  const notPlanned = new Map<PhaseId, string>();
  for (const id of dag.order(needed)) {
    const phase = byId.get(id)!;
    // A phase without a program plans nothing; a selected phase downstream of it has nothing to be
    // planned from: it is reported in `skipped` (never fed made-up outputs), not an error, so the
    // phases that can be planned still are.
    if (!hasProgram(phase)) {
      notPlanned.set(id, 'has no program yet');
      continue;
    }
    const missing = phase.dependsOn.filter((d) => upstream[d] === undefined);
    if (missing.length > 0) {
      const why = (d: PhaseId) => {
        const r = notPlanned.get(d)!;
        return r.startsWith('has no program') ? `upstream phase ${d} ${r}` : `upstream phase ${d} was not planned (${r})`;
      };
      const reason = missing.map(why).join('; ');
      notPlanned.set(id, reason);
      if (ids.includes(id)) skipped.push({ phase: id, reason });
      continue;
    }
    const inputs = phase.inputs({ env, organization: organization?.config, upstream, simulated: true });
    // The engine is the caller's scratch engine for both scopes; only the stack and its config differ.
    const t = targetOf(phase, env, { engine, records: NO_RECORDS, organization: organization && { ...organization, engine, records: NO_RECORDS } });
    const result = await engine.up({ stack: t.ref, env: t.env, phase, inputs, signal, emit: () => {} });
    upstream[id] = plainOutputs(result.outputs ?? {});
    if (ids.includes(id)) {
      resources.push(...(result.resources ?? []));
      planned.push(id);
    }
  }
  return { resources, phases: planned, skipped };
}
