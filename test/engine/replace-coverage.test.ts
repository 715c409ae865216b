/**
 * The simulate engine's replace table covers every resource type the phase programs register.
 * prod and stg are planned in full by test/checks/programs.test.ts, which checks their types on the
 * same plan as the checks (one plan per env). This file covers local's organization phase, the one
 * part of local that declares what prod and stg do not (the local organization creates the
 * Organization itself; measured on 2026-11-30: the union of local's 138 types and prod's and stg's
 * differed by that one type). Every planned type must have a rule (replace-rules.ts).
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../../src/config/load-env.js';
import { loadOrganization } from '../../src/config/load-organization.js';
import { phases } from '../../programs/registry.js';
import { planPrograms } from '../checks/plan-programs.js';
import { REPLACE_TABLE_HINT, uncoveredTypes } from './replace-coverage.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('the replace table covers every type the programs register', function () {
  this.timeout(300_000);

  it('local: the organization phase (the local organization) has a replace rule for every type', async () => {
    const env = await loadEnv(repoRoot, 'local');
    const plan = await planPrograms(env, phases.filter((p) => p.id === 0), await loadOrganization(repoRoot, { local: true }));
    const types = plan.resources.map((r) => r.type);
    assert.ok(types.includes('aws:organizations/organization:Organization'), 'the local organization declares the Organization');
    assert.deepEqual(uncoveredTypes(types), [], REPLACE_TABLE_HINT);
  });
});
