/**
 * The phase registry: the eleven phase definitions as an explicit, ordered list (phases are data;
 * nothing is discovered from the file system at run time). Its invariants (ids 0..10 in order, id =
 * folder number, slug = folder name, edges point back, the edge set of the design) are proven by
 * test/registry.test.ts.
 */
import { PlatformError } from '../src/core/errors.js';
import { MAX_PHASE, MIN_PHASE, type AnyPhase, type PhaseId } from '../src/core/phase.js';
import { phase as organization } from './00-organization/phase.js';
import { phase as foundation } from './01-foundation/phase.js';
import { phase as cluster } from './02-cluster/phase.js';
import { phase as gitops } from './03-gitops/phase.js';
import { phase as data } from './04-data/phase.js';
import { phase as apps } from './05-apps/phase.js';
import { phase as edge } from './06-edge/phase.js';
import { phase as observability } from './07-observability/phase.js';
import { phase as resilience } from './08-resilience/phase.js';
import { phase as automation } from './09-automation/phase.js';
import { phase as hardening } from './10-hardening/phase.js';

/** Every phase, ordered by id. */
export const phases: readonly AnyPhase[] = Object.freeze([
  organization,
  foundation,
  cluster,
  gitops,
  data,
  apps,
  edge,
  observability,
  resilience,
  automation,
  hardening,
]);

/** The phase with this id; PlatformError 'bad-phase' listing the phases when there is none. */
export function phaseById(id: number): AnyPhase {
  const found = phases.find((p) => p.id === id);
  if (found === undefined) {
    throw new PlatformError('bad-phase', `phase '${id}' does not exist`, {
      value: String(id),
      hint: `phases are ${MIN_PHASE}-${MAX_PHASE}: ${phases.map((p) => `${p.id} ${p.slug}`).join(', ')}`,
    });
  }
  return found;
}

/** Type guard for ids taken from the registry. */
export function isPhaseId(id: number): id is PhaseId {
  return phases.some((p) => p.id === id);
}

/**
 * Phase 8's failover runbook (`platform failover`): a phase capability the CLI reaches through the
 * registry, like everything else of a phase.
 */
export { checkEnvHasDr, checkTarget, failoverRunbook, renderRunbook } from './08-resilience/failover.js';
export { phase8Outputs } from './08-resilience/phase.js';
