/**
 * `status`: for every phase of an env, whether it is deployed, fresh or stale (its fingerprint now
 * against the one it was deployed with, and why it moved), its gates, its last run, what the last
 * drift check found, and (an env with promoteFrom) whether its sources now are promotable. Read-only:
 * it never calls a mutating engine operation.
 */
import { fingerprint } from '../core/fingerprint.js';
import { PhaseDag } from '../core/dag.js';
import { hasProgram, type AnyPhase, type PhaseId, type PhaseScope, type UpstreamOutputs } from '../core/phase.js';
import type { EnvConfig } from '../core/env.js';
import type { OutputMap, PhaseRecord } from '../core/ports.js';
import { plainOutputs } from '../core/secrets.js';
import type { OrchestratorPorts } from './ports.js';
import { targetOf } from './scope.js';
import { promotable } from './promotion.js';

export interface PhaseStatusRow {
  phase: PhaseId;
  slug: string;
  /** `env`, or `organization` for a phase with one stack shared by every env. */
  scope: PhaseScope;
  stack: string;
  program: boolean;
  deployed: boolean;
  state: 'not-deployed' | 'no-program' | 'succeeded' | 'failed' | 'in-progress' | 'cancelled' | 'destroyed';
  freshness: 'fresh' | 'stale' | 'unknown' | 'n/a';
  staleBecause?: string;
  gates: 'passed' | 'failed' | 'skipped' | 'not-run' | 'outdated' | 'n/a';
  gateDetail?: string;
  pendingOperations: number;
  lastRun?: { runId: string; at: string; engine: string };
  /**
   * Envs whose file names promoteFrom: whether `up` may update this phase with its program sources as
   * they are now (promotion.ts); `already`: this env runs them already.
   */
  promotion?: { from: string; promotable: boolean; already?: boolean; why?: string };
  /** The program-source hash of its last up (the same sources give the same hash in every env). */
  sources?: string;
  /** What the last `platform drift` found (resources changed outside the CLI), if it ran. */
  drift?: { at: string; resources: number };
}

export async function phaseStatuses(
  env: EnvConfig,
  registry: readonly AnyPhase[],
  ports: Pick<OrchestratorPorts, 'engine' | 'records' | 'sources' | 'organization' | 'promotion'>,
): Promise<PhaseStatusRow[]> {
  const rows: PhaseStatusRow[] = [];
  const outputsById = new Map<PhaseId, OutputMap>();
  for (const phase of registry) {
    const t = targetOf(phase, env, ports);
    const rec = await t.records.read(t.env.name, phase.id);
    const info = await t.engine.info(t.ref, t.env);
    const deployed = info.exists && rec?.status !== 'destroyed';
    let unreadable: string | undefined;
    if (deployed) {
      try {
        outputsById.set(phase.id, await t.engine.outputs(t.ref, t.env));
      } catch (e) {
        // Reported on this row; its dependents then show as stale because this phase gave no outputs.
        unreadable = `its outputs cannot be read: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    const row: PhaseStatusRow = {
      phase: phase.id,
      slug: phase.slug,
      scope: t.scope,
      stack: t.ref.name,
      program: hasProgram(phase),
      deployed,
      state: !hasProgram(phase) && !rec ? 'no-program' : !rec ? (deployed ? 'succeeded' : 'not-deployed') : rec.status,
      freshness: 'n/a',
      gates: 'n/a',
      pendingOperations: info.pendingOperations.length,
      lastRun: rec ? { runId: rec.runId, at: rec.finishedAt ?? rec.startedAt, engine: rec.engine } : undefined,
    };
    if (unreadable) Object.assign(row, { freshness: 'unknown', staleBecause: unreadable });
    else if (rec && deployed && hasProgram(phase)) Object.assign(row, await freshness(env, registry, phase, rec, outputsById, ports));
    if (rec?.gates) Object.assign(row, gateSummary(rec));
    else if (deployed) row.gates = 'not-run';
    if (rec?.sources) row.sources = rec.sources;
    if (rec?.drift && deployed) row.drift = { at: rec.drift.at, resources: rec.drift.resources.length };
    if (ports.promotion && t.scope === 'env' && hasProgram(phase)) {
      const p = await promotable(env.name, phase, ports.promotion, { own: ports.records, sources: ports.sources, simulated: ports.engine.kind === 'simulate' });
      row.promotion = p.ok ? { from: ports.promotion.from, promotable: true, ...(p.already ? { already: true } : {}) } : { from: ports.promotion.from, promotable: false, why: p.why };
    }
    rows.push(row);
  }
  return rows;
}

async function freshness(
  env: EnvConfig,
  registry: readonly AnyPhase[],
  phase: AnyPhase,
  rec: PhaseRecord,
  outputsById: Map<PhaseId, OutputMap>,
  ports: Pick<OrchestratorPorts, 'engine' | 'sources' | 'organization'>,
): Promise<Pick<PhaseStatusRow, 'freshness' | 'staleBecause'>> {
  const upstream: UpstreamOutputs = {};
  // The same upstream set a run hands inputs(): direct and transitive.
  for (const d of [...new PhaseDag(registry).upstream(phase.id)].sort((a, b) => a - b)) {
    const o = outputsById.get(d);
    if (!o) return { freshness: 'stale', staleBecause: `phase ${d} is not deployed or its outputs cannot be read` };
    upstream[d] = plainOutputs(o);
  }
  let inputs: unknown;
  try {
    inputs = phase.inputs({ env, organization: ports.organization?.config, upstream, simulated: ports.engine.kind === 'simulate' });
  } catch (e) {
    return { freshness: 'unknown', staleBecause: `its inputs cannot be built: ${e instanceof Error ? e.message : String(e)}` };
  }
  const fp = fingerprint({ sources: await ports.sources.hash(phase), inputs, engine: rec.engine });
  if (fp === rec.fingerprint) return { freshness: 'fresh' };
  return { freshness: 'stale', staleBecause: 'its program, env file or upstream outputs changed since its last update' };
}

function gateSummary(rec: PhaseRecord): Pick<PhaseStatusRow, 'gates' | 'gateDetail'> {
  const g = rec.gates!;
  if (g.fingerprint !== rec.fingerprint) return { gates: 'outdated', gateDetail: 'gates ran for an older version' };
  const failed = g.results.find((r) => r.status === 'fail');
  if (failed) return { gates: 'failed', gateDetail: `${failed.gate}: ${failed.evidence.at(-1) ?? ''}${failed.hint ? ` (${failed.hint})` : ''}` };
  if (g.results.length > 0 && g.results.every((r) => r.status === 'skipped')) return { gates: 'skipped', gateDetail: g.results[0]!.hint };
  return { gates: 'passed', gateDetail: `${g.results.filter((r) => r.status === 'pass').length} passed` };
}
