/**
 * Env-file suppressions (`checks.suppressions`). Each names a rule, a resource pattern
 * (`<phase>:<type>:<name>`, or a prefix ending in `*`), a reason and an expiry date. A suppression
 * is valid through the end of its expiry day (UTC). An expired suppression, or one naming a rule
 * that does not exist, suppresses nothing and is itself reported: it fails the check.
 */
import type { Suppression } from '../core/env.js';
import type { AppliedSuppression, Finding, SuppressionProblem } from './types.js';

/** The handle a suppression's `resource` is matched against. */
export function resourceHandle(f: Pick<Finding, 'phase' | 'type' | 'name'>): string {
  return `${f.phase}:${f.type}:${f.name}`;
}

export function matchesResource(pattern: string, handle: string): boolean {
  return pattern.endsWith('*') ? handle.startsWith(pattern.slice(0, -1)) : pattern === handle;
}

const DAY_MS = 86_400_000;

export function isExpired(s: Pick<Suppression, 'expires'>, now: number): boolean {
  return now >= Date.parse(`${s.expires}T00:00:00Z`) + DAY_MS;
}

export interface SuppressionOutcome {
  findings: Finding[];
  suppressed: Finding[];
  applied: AppliedSuppression[];
  problems: SuppressionProblem[];
}

export function applySuppressions(
  findings: readonly Finding[],
  suppressions: readonly Suppression[],
  knownRules: ReadonlySet<string>,
  now: number,
): SuppressionOutcome {
  const problems: SuppressionProblem[] = [];
  const active: { s: Suppression; applied: AppliedSuppression }[] = [];
  for (const s of suppressions) {
    const base = { rule: s.rule, resource: s.resource, expires: s.expires };
    if (!knownRules.has(s.rule)) problems.push({ ...base, problem: 'unknown-rule' });
    else if (isExpired(s, now)) problems.push({ ...base, problem: 'expired' });
    else active.push({ s, applied: { ...base, reason: s.reason, matched: 0 } });
  }
  const kept: Finding[] = [];
  const suppressed: Finding[] = [];
  for (const f of findings) {
    const handle = resourceHandle(f);
    const hit = active.find((a) => a.s.rule === f.rule && matchesResource(a.s.resource, handle));
    if (hit) {
      hit.applied.matched++;
      suppressed.push(f);
    } else kept.push(f);
  }
  return { findings: kept, suppressed, applied: active.map((a) => a.applied), problems };
}
