/**
 * Assembles the posture report from what the caller gathered: phase records (gate results with
 * their evidence), the static-check result (findings, suppressions with expiry), the AWS security
 * and backup summaries, and the cost estimate. Pure. A source that could not be read stays
 * `Unavailable` with its reason; nothing is filled in.
 */
import { phaseScope, type AnyPhase, type PhaseId } from '../core/phase.js';
import type { PhaseRecord } from '../core/ports.js';
import type { PhaseGates, PostureReport } from './types.js';

export interface ReportInput extends Omit<PostureReport, 'gates' | 'notDeployed' | 'generatedAt'> {
  registry: readonly AnyPhase[];
  /** The phase records read from the env's (and the organization's) backend. */
  records: ReadonlyMap<PhaseId, PhaseRecord>;
  now: Date;
}

export function buildReport(input: ReportInput): PostureReport {
  const { registry, records, now, ...rest } = input;
  const gates: PhaseGates[] = [];
  const notDeployed: PhaseId[] = [];
  for (const p of registry) {
    const r = records.get(p.id);
    if (!r || r.status === 'destroyed') {
      notDeployed.push(p.id);
      continue;
    }
    gates.push({
      phase: p.id,
      slug: `${p.slug}${phaseScope(p) === 'organization' ? ' (organization)' : ''}`,
      status: r.status,
      ...(r.gates ? { at: r.gates.at } : {}),
      current: Boolean(r.gates && r.fingerprint && r.gates.fingerprint === r.fingerprint),
      results: r.gates?.results ?? [],
    });
  }
  return { ...rest, generatedAt: now.toISOString(), gates, notDeployed };
}
