/**
 * The simulate engine's replace table covers every resource type the phase programs register. The
 * shipped envs are planned with the simulate engine, as `platform check` plans them: prod and stg in
 * full (the plans test/checks/programs.test.ts already makes, shared when both run), and local's
 * organization phase, the one part of local that declares what prod and stg do not (the local
 * organization creates the Organization itself; measured on 2026-11-30: the union of local's 138
 * types and prod's and stg's differed by that one type). Every planned type must have a rule
 * (replace-rules.ts): a program that starts registering a new type fails here until the type is added
 * to scripts/replace-table/ and the table regenerated.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../../src/config/load-env.js';
import { loadOrganization } from '../../src/config/load-organization.js';
import { replacePaths } from '../../src/engine/simulate/replace-rules.js';
import { phases } from '../../programs/registry.js';
import { planPrograms, planShippedEnv } from '../checks/plan-programs.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const hint = 'no replace rule for these types: add each to scripts/replace-table/aws_types.py (or kubernetes.py) and run bash scripts/replace-table/generate.sh';
const uncovered = (types: Iterable<string>) => [...new Set(types)].filter((t) => replacePaths(t) === undefined).sort();

describe('the replace table covers every type the programs register', function () {
  // Plans every phase per env (shared with test/checks/programs.test.ts when run together).
  this.timeout(900_000);
  for (const envName of ['prod', 'stg']) {
    it(`${envName}: every planned resource type has a replace rule`, async () => {
      const plan = await planShippedEnv(envName);
      assert.ok(plan.phases.length >= 10, `only phases ${plan.phases.join(',')} planned for ${envName}`);
      assert.deepEqual(uncovered(plan.resources.map((r) => r.type)), [], hint);
    });
  }

  it('local: the organization phase (the local organization) has a replace rule for every type', async () => {
    const env = await loadEnv(repoRoot, 'local');
    const plan = await planPrograms(env, phases.filter((p) => p.id === 0), await loadOrganization(repoRoot, { local: true }));
    const types = plan.resources.map((r) => r.type);
    assert.ok(types.includes('aws:organizations/organization:Organization'), 'the local organization declares the Organization');
    assert.deepEqual(uncovered(types), [], hint);
  });
});
