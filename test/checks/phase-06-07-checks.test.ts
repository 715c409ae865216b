/**
 * The static checks over phases 6 and 7 for prod, planned by the simulate engine through the same
 * orchestrator function as `platform check`, on top of the real phase 1 and 2 programs. Phase 5 has
 * no program yet, so `platform check` reports 6 and 7 as not planned; here a stand-in phase 5,
 * clearly a test double, returns outputs of phase 5's contract (validated by its schema) so that 6
 * and 7 are planned and checked. Done means zero findings.
 */
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../../src/config/load-env.js';
import { loadOrganization } from '../../src/config/load-organization.js';
import { renderPlain } from '../../src/checks/report.js';
import { runChecks } from '../../src/checks/runner.js';
import type { AnyPhase } from '../../src/core/phase.js';
import { phases } from '../../programs/registry.js';
import { phase as standIn } from './stand-ins/phase5.js';
import { planPrograms } from './plan-programs.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const NOW = Date.parse('2026-11-26T12:00:00Z');

describe('checks: phases 6 and 7 planned for prod (phase 5 stood in by its contract)', function () {
  this.timeout(240_000);
  it('plans both phases and finds nothing', async () => {
    const env = await loadEnv(repoRoot, 'prod');
    const registry = phases.filter((p) => [0, 1, 2, 6, 7].includes(p.id)).concat(standIn as unknown as AnyPhase).sort((a, b) => a.id - b.id);
    const plan = await planPrograms(env, registry, await loadOrganization(repoRoot, { local: false }));
    assert.ok(plan.phases.includes(6) && plan.phases.includes(7), `planned: ${plan.phases.join(', ')}`);
    const mine = plan.resources.filter((r) => /-0[67]-/.test(r.urn) || r.urn.includes('::prod-06-') || r.urn.includes('::prod-07-'));
    assert.ok(mine.length > 20, `only ${mine.length} resources of phases 6 and 7 planned`);
    const result = await runChecks(plan.resources, { env, now: NOW });
    assert.deepEqual(renderPlain(result, env).slice(0, -1), []);
  });
});
