/**
 * The checks over the real phase programs: programs/00-organization, 01-foundation and every later
 * phase with a program planned by the simulate engine for prod and stg, with the env files from
 * stacks/. Done means zero findings there; a finding prints as the CLI would print it.
 */
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../../src/config/load-env.js';
import { renderPlain } from '../../src/checks/report.js';
import { runChecks } from '../../src/checks/runner.js';
import { planShippedEnv } from './plan-programs.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const NOW = Date.parse('2026-11-26T12:00:00Z');

for (const envName of ['prod', 'stg']) {
  describe(`checks: the phase programs planned for ${envName}`, function () {
    // Plans every phase with a program (0-9 since phases 8 and 9 landed): ~4 min each env on a loaded 2-core machine.
    this.timeout(900_000);
    it('every phase with a program (at least 0 and 1) passes every check with zero findings', async () => {
      const env = await loadEnv(repoRoot, envName);
      const plan = await planShippedEnv(envName);
      assert.deepEqual(plan.phases.slice(0, 2), [0, 1], 'phases 0 and 1 have programs');
      assert.ok(plan.resources.length > 50, `only ${plan.resources.length} resources planned`);
      const result = await runChecks(plan.resources, { env, now: NOW });
      assert.deepEqual(renderPlain(result, env).slice(0, -1), []);
      assert.equal(result.expiredSuppressions.length, 0);
    });
  });
}
