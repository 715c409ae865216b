/**
 * The shipped envs' plans, each made once in this file (prod and stg, every phase with a program,
 * planned by the simulate engine with the env files from stacks/ as `platform check` plans them)
 * and read by everything that needs a whole env's plan:
 * - every phase with a program is planned (none silently skipped);
 * - the checks find nothing (a finding prints as the CLI would print it);
 * - the simulate engine's replace table has a rule for every planned resource type: a program that
 *   starts registering a new type fails here until the type is added to scripts/replace-table/ and
 *   the table regenerated (test/engine/replace-coverage.test.ts covers what only local declares).
 * One file, so that one mocha worker plans each env once (a plan is ~15 s of CPU).
 */
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../../src/config/load-env.js';
import { renderPlain } from '../../src/checks/report.js';
import { runChecks } from '../../src/checks/runner.js';
import { hasProgram } from '../../src/core/phase.js';
import { phases } from '../../programs/registry.js';
import { planShippedEnv, type PlannedPlatform } from './plan-programs.js';
import { uncoveredTypes, REPLACE_TABLE_HINT } from '../engine/replace-coverage.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const NOW = Date.parse('2026-11-26T12:00:00Z');

for (const envName of ['prod', 'stg']) {
  describe(`the phase programs planned for ${envName}`, function () {
    // One plan of every phase: ~15 s of CPU from dist/, minutes on a loaded machine.
    this.timeout(900_000);
    let plan: PlannedPlatform;
    before(async () => {
      plan = await planShippedEnv(envName);
    });

    it('plans every phase that has a program', () => {
      assert.deepEqual(plan.phases, phases.filter(hasProgram).map((p) => p.id));
      assert.ok(plan.resources.length > 50, `only ${plan.resources.length} resources planned`);
    });

    it('passes every check with zero findings', async () => {
      const env = await loadEnv(repoRoot, envName);
      const result = await runChecks(plan.resources, { env, now: NOW });
      assert.deepEqual(renderPlain(result, env).slice(0, -1), []);
      assert.equal(result.expiredSuppressions.length, 0);
    });

    it('has a replace rule for every planned resource type', () => {
      assert.deepEqual(uncoveredTypes(plan.resources.map((r) => r.type)), [], REPLACE_TABLE_HINT);
    });
  });
}
