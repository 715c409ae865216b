/**
 * Output validation: what the engine returned must pass the phase's schema. A mismatch names the
 * field and what was expected, never the value (it may be secret).
 */
import type { AnyPhase } from '../core/phase.js';
import type { OutputMap } from '../core/ports.js';
import { plainOutputs } from '../core/secrets.js';

export function validateOutputs(phase: AnyPhase, outputs: OutputMap): string | undefined {
  const result = phase.outputs.safeParse(plainOutputs(outputs));
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  const path = issue.path.length ? issue.path.join('.') : '(root)';
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
  const what = issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'missing' : issue.message;
  return `output '${path}': ${what}${more}`;
}

/** The secret keys of a phase's outputs: declared by the phase or flagged by the engine. */
export function secretKeys(phase: AnyPhase, outputs: OutputMap): string[] {
  const keys = new Set(phase.secretOutputs);
  for (const [k, v] of Object.entries(outputs)) if (v.secret) keys.add(k);
  return [...keys];
}
