import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EnvConfig } from '../../src/core/env.js';
import { listEnvs, loadEnv } from '../../src/config/load-env.js';
import { cidrsOverlap } from '../../src/config/cross-field.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('shipped env files (stacks/*.yaml)', () => {
  const envs: Record<string, EnvConfig> = {};
  before(async () => {
    for (const name of await listEnvs(repoRoot)) envs[name] = await loadEnv(repoRoot, name);
  });

  it('are exactly local, dev, stg and prod, and every one validates', async () => {
    assert.deepEqual(await listEnvs(repoRoot), ['dev', 'local', 'prod', 'stg']);
    for (const [name, env] of Object.entries(envs)) assert.equal(env.name, name);
  });

  it('local runs offline: simulate engine, file backend in .platform/, passphrase secrets, small', () => {
    const local = envs.local!;
    assert.equal(local.engine, 'simulate');
    assert.match(local.backend.url, /^file:\/\/\.platform\//);
    assert.equal(local.secrets.provider, 'passphrase');
    assert.ok(local.cluster.systemNodes.max <= 2);
    assert.equal(local.network.natGateways, 'Single');
  });

  it('dev, stg and prod use the real engine with an s3 backend, KMS secrets and <env>.example.com', () => {
    for (const name of ['dev', 'stg', 'prod']) {
      const env = envs[name]!;
      assert.equal(env.engine, 'pulumi', name);
      assert.match(env.backend.url, /^s3:\/\//, name);
      assert.match(env.secrets.provider, /^awskms:\/\//, name);
      assert.equal(env.domain, `${name}.example.com`);
    }
  });

  it('dev: single NAT, public endpoint limited to named CIDRs, spot, checks warn only', () => {
    const dev = envs.dev!;
    assert.equal(dev.network.natGateways, 'Single');
    assert.equal(dev.cluster.endpointPublicAccess, true);
    assert.ok(dev.cluster.publicAccessCidrs.length > 0);
    assert.ok(dev.cluster.publicAccessCidrs.every((c) => !c.endsWith('/0')));
    assert.equal(dev.cluster.spot, true);
    assert.equal(dev.checks.blockOnViolation, false);
  });

  it('stg and prod are stricter than dev: private endpoint, NAT per AZ, blocking checks, bigger', () => {
    const dev = envs.dev!;
    for (const name of ['stg', 'prod']) {
      const env = envs[name]!;
      assert.equal(env.cluster.endpointPublicAccess, false, name);
      assert.deepEqual(env.cluster.publicAccessCidrs, [], name);
      assert.equal(env.network.natGateways, 'OnePerAz', name);
      assert.equal(env.checks.blockOnViolation, true, name);
      assert.ok(env.cluster.systemNodes.min > dev.cluster.systemNodes.min, name);
      assert.ok(env.cluster.systemNodes.max > dev.cluster.systemNodes.max, name);
      assert.ok(env.backupRetentionDays > dev.backupRetentionDays, name);
      assert.ok(env.network.flowLogRetentionDays > dev.network.flowLogRetentionDays, name);
    }
  });

  it('no env turns on Network Firewall, which phase 1 refuses (it would inspect nothing: no egress route reaches it)', () => {
    for (const [name, env] of Object.entries(envs)) assert.equal(env.network.networkFirewall, false, name);
  });

  it('prod: no spot and the longest retention', () => {
    const prod = envs.prod!;
    assert.equal(prod.cluster.spot, false);
    for (const name of ['local', 'dev', 'stg']) {
      assert.ok(prod.backupRetentionDays > envs[name]!.backupRetentionDays, name);
      assert.ok(prod.network.flowLogRetentionDays > envs[name]!.network.flowLogRetentionDays, name);
    }
  });

  it('no two VPC ranges overlap, across all envs and their DR regions', () => {
    const ranges = Object.values(envs).flatMap((e) => [
      { at: `${e.name}.vpcCidr`, cidr: e.network.vpcCidr },
      { at: `${e.name}.drVpcCidr`, cidr: e.network.drVpcCidr },
    ]);
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++) {
        assert.ok(!cidrsOverlap(ranges[i]!.cidr, ranges[j]!.cidr), `${ranges[i]!.at} overlaps ${ranges[j]!.at}`);
      }
    }
  });

  it('each env names its member account of the organization; none copies the organization (its file is stacks/organization.yaml)', async () => {
    for (const name of ['dev', 'stg', 'prod']) assert.equal(envs[name]!.memberAccount, name);
    assert.equal(envs.local!.memberAccount, 'dev');
    const { readFile } = await import('node:fs/promises');
    for (const name of Object.keys(envs)) {
      const text = await readFile(join(repoRoot, 'stacks', `${name}.yaml`), 'utf8');
      assert.ok(!/^(organization|managementAccountId):/m.test(text), `stacks/${name}.yaml copies organization settings`);
    }
  });

  it('each env has its own account and cluster name', () => {
    const values = Object.values(envs);
    assert.equal(new Set(values.map((e) => e.accountId)).size, values.length);
    assert.equal(new Set(values.map((e) => e.cluster.name)).size, values.length);
  });
});
