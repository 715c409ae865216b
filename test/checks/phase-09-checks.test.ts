/**
 * The static checks over phase 9 for prod and stg, planned by the simulate engine through the same
 * orchestrator function as `platform check`, on top of the real phase 0 and 1 programs. Until phase
 * 8 has a program, `platform check` reports 9 as not planned; here a stand-in phase 8, clearly a test
 * double, returns outputs of phase 8's contract so that 9 is planned and checked, Lambda rules
 * included. Done means zero findings.
 */
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../../src/config/load-env.js';
import { loadOrganization } from '../../src/config/load-organization.js';
import { renderPlain } from '../../src/checks/report.js';
import { runChecks } from '../../src/checks/runner.js';
import type { AnyPhase } from '../../src/core/phase.js';
import { phases } from '../../programs/registry.js';
import { phase as standIn } from './stand-ins/phase8.js';
import { planPrograms } from './plan-programs.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const NOW = Date.parse('2026-11-26T12:00:00Z');

for (const envName of ['prod', 'stg']) {
  describe(`checks: phase 9 planned for ${envName} (phase 8 stood in by its contract)`, function () {
    // Phase 1's program is large: ~3 min per env on a loaded 2-core machine.
    this.timeout(600_000);
    it('plans phase 9 and finds nothing, Lambda rules included', async () => {
      const env = await loadEnv(repoRoot, envName);
      const registry = phases.filter((p) => [0, 1, 9].includes(p.id)).concat(standIn as unknown as AnyPhase).sort((a, b) => a.id - b.id);
      const plan = await planPrograms(env, registry, await loadOrganization(repoRoot, { local: false }));
      assert.ok(plan.phases.includes(9), `planned: ${plan.phases.join(', ')}`);
      const mine = plan.resources.filter((r) => r.urn.startsWith(`urn:pulumi:${envName}-09-automation::`));
      assert.ok(mine.filter((r) => r.type === 'aws:lambda/function:Function').length === 4, `phase 9 functions planned: ${mine.length} resources`);
      const result = await runChecks(plan.resources, { env, now: NOW });
      assert.deepEqual(renderPlain(result, env).slice(0, -1), []);
    });
  });
}
