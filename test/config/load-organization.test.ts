import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPlatformError, type PlatformError } from '../../src/core/errors.js';
import { loadOrganization } from '../../src/config/load-organization.js';
import { listEnvs, loadEnv } from '../../src/config/load-env.js';
import { validOrganization } from '../helpers/env-fixtures.js';
import { removeRepo, snapshot, tempRepo, toYaml } from './fixtures.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const schemaHint = 'the schema is OrganizationConfigSchema in src/core/organization.ts';

const mutated = (change: (o: Record<string, any>) => void) => {
  const o = validOrganization();
  change(o);
  return toYaml(o);
};

async function failure(files: Record<string, string>, local = false): Promise<{ e: PlatformError; changed: boolean }> {
  const root = await tempRepo(files);
  const before = await snapshot(root);
  try {
    await loadOrganization(root, { local });
  } catch (e) {
    assert.ok(isPlatformError(e), `expected a PlatformError, got ${String(e)}`);
    return { e, changed: JSON.stringify(await snapshot(root)) !== JSON.stringify(before) };
  } finally {
    await removeRepo(root);
  }
  assert.fail('loading the organization should have failed');
}
const org = async (text: string) => (await failure({ 'organization.yaml': text })).e;

describe('organization file loading', () => {
  it('the fixture is valid, and the local file is a different one', async () => {
    const root = await tempRepo({ 'organization.yaml': toYaml(validOrganization()) });
    try {
      const o = await loadOrganization(root, { local: false });
      assert.equal(o.organization.existingId, 'o-abcdefghij');
      assert.equal(o.identityCenter.region, 'us-east-1');
      await assert.rejects(loadOrganization(root, { local: true }), /stacks\/organization\.local\.yaml not found/);
    } finally {
      await removeRepo(root);
    }
  });

  it('missing file: config-missing (exit 2) naming the file, nothing written', async () => {
    const { e, changed } = await failure({ 'dev.yaml': 'name: dev\n' });
    assert.equal(e.code, 'config-missing');
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, "stacks/organization.yaml not found: phase 0 and every env's phase 1 need the organization file");
    assert.match(e.hint!, /^create stacks\/organization\.yaml/);
    assert.equal(changed, false);
  });

  it('schema problem: file:line:col, path, allowed, got', async () => {
    const e = await org(mutated((o) => (o.identityCenter.region = 'eu-west')));
    assert.equal(e.code, 'config-invalid');
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, 'stacks/organization.yaml:13:11: identityCenter.region: expected an AWS region such as eu-west-1, got "eu-west"');
    assert.equal(e.hint, `edit stacks/organization.yaml; ${schemaHint}`);
  });

  it('unknown key: did-you-mean', async () => {
    const e = await org(toYaml(validOrganization()).replace('identityCenter:', 'identityCentre:'));
    assert.match(e.message, /^stacks\/organization\.yaml:12:1: unknown key 'identityCentre' at top level; allowed: name, managementAccountId, /);
    assert.equal(e.hint, `did you mean 'identityCenter'? ${schemaHint}`);
  });

  it('a deployer that is not a role ARN (e.g. the account root) is refused', async () => {
    const e = await org(mutated((o) => (o.deployers.ciRoleArns = ['arn:aws:iam::999999999999:root'])));
    assert.match(e.message, /^stacks\/organization\.yaml:\d+:\d+: deployers\.ciRoleArns\[0\]: expected an IAM role ARN/);
  });

  it('adopting and creating are exclusive, and one of them is required', async () => {
    let e = await org(mutated((o) => (o.organization = { existingId: 'o-abcdefghij', create: true })));
    assert.match(e.message, /^stacks\/organization\.yaml:\d+:\d+: organization\.create: expected no create when organization\.existingId/);
    e = await org(mutated((o) => (o.organization = {})));
    assert.match(e.message, /organization: expected existingId: o-\.\.\. \(adopt .*\) or create: true \(create a new one\), got neither$/);
    e = await org(mutated((o) => (o.organization.serviceAccessPrincipals = ['sso.amazonaws.com'])));
    assert.match(e.message, /organization\.serviceAccessPrincipals: expected only with create: true/);
  });

  it('the local organization must be simulated inside .platform/', async () => {
    const { e } = await failure({ 'organization.local.yaml': mutated((o) => (o.organization = { create: true })) }, true);
    assert.equal(e.message, 'stacks/organization.local.yaml:22:9: engine: expected "simulate" for the local organization, got "pulumi" (and 1 more problem)');
  });

  it('is not an env: listEnvs skips it and loadEnv refuses the reserved names', async () => {
    const root = await tempRepo({ 'organization.yaml': toYaml(validOrganization()), 'org.yaml': 'name: org\n' });
    try {
      assert.deepEqual(await listEnvs(root), []);
      for (const name of ['organization', 'org']) {
        await assert.rejects(loadEnv(root, name), (e: unknown) => isPlatformError(e) && e.code === 'unknown-env' && /reserved for the organization/.test(e.message));
      }
    } finally {
      await removeRepo(root);
    }
  });

  it('the shipped files validate: the shared one adopts, the local one creates a simulated organization', async () => {
    const shared = await loadOrganization(repoRoot, { local: false });
    assert.match(shared.organization.existingId ?? '', /^o-/);
    assert.equal(shared.organization.create, undefined);
    assert.equal(shared.engine, 'pulumi');
    assert.match(shared.backend.url, /^s3:\/\//);
    assert.match(shared.secrets.provider, /^awskms:\/\//);
    const local = await loadOrganization(repoRoot, { local: true });
    assert.equal(local.organization.create, true);
    assert.equal(local.engine, 'simulate');
    assert.notEqual(local.managementAccountId, shared.managementAccountId);
  });
});
