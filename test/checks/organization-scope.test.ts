/**
 * No resource of phase 0 is declared twice across envs: the planned graphs of dev, stg and prod
 * (shipped env files and organization file, simulate engine, the same orchestrator function as
 * `platform check`) hold phase 0 once, as the one organization stack `org-00-organization` with
 * identical declarations whichever env plans it, and no env-scoped phase declares anything phase 0
 * owns (an Organizations object, or the deploy/verifier roles).
 */
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { loadEnv } from '../../src/config/load-env.js';
import { loadOrganization } from '../../src/config/load-organization.js';
import type { PlannedResource } from '../../src/core/ports.js';
import { phases } from '../../programs/registry.js';
import { DEPLOYER_ROLE_NAME, VERIFIER_ROLE_NAME } from '../../src/core/platform-names.js';
import { planPrograms } from './plan-programs.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const stackOf = (urn: string) => urn.split('::')[0]!.split(':').at(-1)!;

describe('the organization stack across the planned graphs of dev, stg and prod', function () {
  this.timeout(600_000);
  const plans: Record<string, PlannedResource[]> = {};

  before(async () => {
    const org = await loadOrganization(repoRoot, { local: false });
    for (const name of ['dev', 'stg', 'prod']) {
      const env = await loadEnv(repoRoot, name);
      plans[name] = (await planPrograms(env, phases.filter((p) => p.id <= 2), org)).resources;
    }
  });

  it('phase 0 is one stack, org-00-organization, declared identically by every env', () => {
    const decl = (env: string) =>
      plans[env]!.filter((r) => r.phase === 0)
        .map((r) => JSON.stringify([r.urn, r.inputs]))
        .sort();
    for (const env of ['dev', 'stg', 'prod']) {
      const stacks = new Set(plans[env]!.filter((r) => r.phase === 0).map((r) => stackOf(r.urn)));
      assert.deepEqual([...stacks], ['org-00-organization'], env);
    }
    assert.ok(decl('dev').length > 40);
    assert.deepEqual(decl('stg'), decl('dev'));
    assert.deepEqual(decl('prod'), decl('dev'));
  });

  it('env-scoped stacks are per env and declare nothing phase 0 owns', () => {
    for (const env of ['dev', 'stg', 'prod']) {
      const own = plans[env]!.filter((r) => r.phase > 0);
      assert.ok(own.length > 0);
      for (const r of own) {
        assert.ok(stackOf(r.urn).startsWith(`${env}-`), `${r.urn} is in a stack of ${env}`);
        assert.ok(!r.type.startsWith('aws:organizations/') && !r.type.startsWith('aws:ssoadmin/') && !r.type.startsWith('aws:identitystore/'), `${env} phase ${r.phase} declares ${r.type} ${r.name}`);
        if (r.type === 'aws:iam/role:Role') assert.ok(![DEPLOYER_ROLE_NAME, VERIFIER_ROLE_NAME].includes(String(r.inputs.name)), `${env} phase ${r.phase} declares role ${String(r.inputs.name)}`);
      }
    }
  });
});
