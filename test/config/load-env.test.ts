import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPlatformError, renderError, type PlatformError } from '../../src/core/errors.js';
import { listEnvs, loadEnv } from '../../src/config/load-env.js';
import { validEnv } from '../helpers/env-fixtures.js';
import { removeRepo, snapshot, tempRepo, toYaml } from './fixtures.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const schemaHint = 'the schema is EnvConfigSchema in src/core/env.ts';

/** Loads `env` from a temp repo holding `files`, and returns the PlatformError it must throw. */
async function failure(files: Record<string, string>, env: string): Promise<PlatformError> {
  const root = await tempRepo(files);
  try {
    await loadEnv(root, env);
  } catch (e) {
    assert.ok(isPlatformError(e), `expected a PlatformError, got ${String(e)}`);
    return e;
  } finally {
    await removeRepo(root);
  }
  assert.fail(`loading '${env}' should have failed`);
}

const devYaml = toYaml(validEnv());
const dev = (text: string) => failure({ 'dev.yaml': text }, 'dev');
const mutated = (change: (env: Record<string, any>) => void, name = 'dev') => {
  const env = validEnv(name);
  change(env);
  return toYaml(env);
};

describe('env loading: errors', () => {
  it('the fixture itself is valid (so each failure below comes from its one change)', async () => {
    const root = await tempRepo({ 'dev.yaml': devYaml });
    try {
      assert.equal((await loadEnv(root, 'dev')).network.natGateways, 'Single');
    } finally {
      await removeRepo(root);
    }
  });

  it('unknown env: names the value, lists the envs and suggests the closest', async () => {
    const e = await failure({ 'dev.yaml': devYaml, 'stg.yaml': devYaml, 'prod.yaml': devYaml }, 'stgg');
    assert.equal(e.code, 'unknown-env');
    assert.equal(e.message, "unknown env 'stgg'");
    assert.equal(e.value, 'stgg');
    assert.equal(e.hint, "envs in stacks/: dev, prod, stg; did you mean 'stg'?");
    assert.equal(e.exitCode, 2);
  });

  it('unknown env far from every name: no suggestion', async () => {
    const e = await failure({ 'dev.yaml': devYaml }, 'qa');
    assert.equal(e.hint, 'envs in stacks/: dev');
  });

  it('invalid env name (path traversal) is rejected before any file is read', async () => {
    const e = await failure({ 'dev.yaml': devYaml }, '../x');
    assert.equal(e.code, 'unknown-env');
    assert.equal(e.message, "invalid env name '../x': expected lower-case letters, digits and dashes (at most 16)");
    assert.equal(e.value, '../x');
  });

  for (const typed of ['LOCAL', 'local.yaml', 'stacks/local.yaml', './stacks/Local.yml', 'Locl']) {
    it(`invalid env name '${typed}': the hint suggests the env it names (did you mean 'local')`, async () => {
      const e = await failure({ 'dev.yaml': devYaml, 'local.yaml': devYaml }, typed);
      assert.equal(e.code, 'unknown-env');
      assert.equal(e.exitCode, 2);
      assert.equal(e.message, `invalid env name '${typed}': expected lower-case letters, digits and dashes (at most 16)`);
      assert.equal(e.hint, "envs in stacks/: dev, local; did you mean 'local'?");
    });
  }

  it('invalid env name that names no env: the list, no suggestion', async () => {
    const e = await failure({ 'dev.yaml': devYaml }, 'QA_TEAM');
    assert.equal(e.hint, 'envs in stacks/: dev');
  });

  it('no env files at all: config-missing naming the file', async () => {
    const e = await failure({}, 'dev');
    assert.equal(e.code, 'config-missing');
    assert.match(e.message, /^stacks\/dev\.yaml not found: there are no env files in .*stacks$/);
    assert.match(e.hint!, /^create stacks\/dev\.yaml/);
  });

  it('malformed YAML: file:line:col and the parser message', async () => {
    const e = await dev(devYaml.replace('name: dev', 'name: dev\n  bad: 1'));
    assert.equal(e.code, 'config-invalid');
    assert.equal(e.message, 'stacks/dev.yaml:1:7: Nested mappings are not allowed in compact mappings (and 1 more problem)');
  });

  it('duplicate keys are a YAML error with their position', async () => {
    const e = await dev(`${devYaml}network: {}\n`);
    // The appended key is on the line after the file's last (the file ends with a newline).
    assert.equal(e.message, `stacks/dev.yaml:${devYaml.split('\n').length}:1: Map keys must be unique`);
  });

  it('enum violation: path, allowed values, the wrong value and its line', async () => {
    const e = await dev(mutated((env) => (env.network.natGateways = 'Two')));
    assert.equal(e.code, 'config-invalid');
    assert.equal(e.message, 'stacks/dev.yaml:12:16: network.natGateways: expected one of "Single"|"OnePerAz", got "Two"');
    assert.equal(e.value, 'Two');
    assert.equal(e.hint, `edit stacks/dev.yaml; ${schemaHint}`);
  });

  it('hardening.chaos.podFault: an unknown action and a recovery time out of range name the path, the value and the limit', async () => {
    const action = await dev(mutated((env) => (env.hardening.chaos.podFault.action = 'kill')));
    assert.equal(action.code, 'config-invalid');
    assert.match(action.message, /^stacks\/dev\.yaml:\d+:\d+: hardening\.chaos\.podFault\.action: expected one of "delete"\|"evict", got "kill"$/);
    const recovery = await dev(mutated((env) => (env.hardening.chaos.podFault.recoverySeconds = 5)));
    assert.match(recovery.message, /^stacks\/dev\.yaml:\d+:\d+: hardening\.chaos\.podFault\.recoverySeconds: .*10/);
    assert.equal(recovery.hint, `edit stacks/dev.yaml; ${schemaHint}`);
  });

  it('several problems: the first, then how many more', async () => {
    const e = await dev(mutated((env) => {
      env.network.natGateways = 'Two';
      env.engine = 'terraform';
      env.backupRetentionDays = 0;
    }));
    assert.equal(e.message, 'stacks/dev.yaml:12:16: network.natGateways: expected one of "Single"|"OnePerAz", got "Two" (and 2 more problems)');
  });

  it('unknown key: named as such, with the allowed keys and a did-you-mean', async () => {
    const e = await dev(devYaml.replace('  natGateways:', '  natGateway:'));
    assert.equal(
      e.message,
      "stacks/dev.yaml:12:3: unknown key 'natGateway' at network; allowed: vpcCidr, drVpcCidr, availabilityZones, natGateways, " +
        'publicSubnetMask, privateSubnetMask, isolatedSubnetMask, networkFirewall, interfaceEndpoints, flowLogRetentionDays ' +
        '(and 1 more problem)',
    );
    assert.equal(e.hint, `did you mean 'natGateways'? ${schemaHint}`);
  });

  it('unknown top-level key', async () => {
    const e = await dev(`${devYaml}engin: pulumi\n`);
    assert.ok(e.message.startsWith(`stacks/dev.yaml:${devYaml.split('\n').length}:1: unknown key 'engin' at top level; allowed: name, accountId, `), e.message);
    assert.equal(e.hint, `did you mean 'engine'? ${schemaHint}`);
  });

  it('unquoted account id: says to quote it', async () => {
    const e = await dev(devYaml.replace('accountId: "222222222222"', 'accountId: 222222222222'));
    assert.equal(e.message, 'stacks/dev.yaml:2:12: accountId: expected a string, got 222222222222 (quote it in YAML)');
  });

  it('missing key: points at its parent', async () => {
    const e = await dev(mutated((env) => delete env.network.drVpcCidr));
    assert.equal(e.message, 'stacks/dev.yaml:8:1: network.drVpcCidr: missing; expected a string');
  });

  it('format and range violations say what is allowed', async () => {
    let e = await dev(mutated((env) => (env.regions.primary = 'eu-west')));
    assert.equal(e.message, 'stacks/dev.yaml:5:12: regions.primary: expected an AWS region such as eu-west-1, got "eu-west"');
    e = await dev(mutated((env) => (env.network.availabilityZones = 1)));
    assert.equal(e.message, 'stacks/dev.yaml:11:22: network.availabilityZones: expected at least 2, got 1');
    e = await dev(mutated((env) => (env.network.interfaceEndpoints = [])));
    assert.equal(e.message, 'stacks/dev.yaml:17:23: network.interfaceEndpoints: expected at least 1 item, got 0');
  });

  it('an empty file', async () => {
    const e = await dev('');
    assert.equal(e.message, 'stacks/dev.yaml: top level: expected a mapping, got an empty value');
  });
});

describe('env loading: cross-field rules', () => {
  it('name must equal the file name', async () => {
    const e = await dev(mutated((env) => (env.name = 'stg')));
    assert.equal(e.code, 'config-invalid');
    assert.equal(e.message, 'stacks/dev.yaml:1:7: name: expected "dev" (the file name), got "stg"');
  });

  it('systemNodes: desired between min and max, min <= max', async () => {
    let e = await dev(mutated((env) => (env.cluster.systemNodes.desired = 5)));
    assert.equal(
      e.message,
      'stacks/dev.yaml:31:14: cluster.systemNodes.desired: expected between cluster.systemNodes.min (2) and cluster.systemNodes.max (4), got 5',
    );
    e = await dev(mutated((env) => Object.assign(env.cluster.systemNodes, { min: 5, desired: 5, max: 4 })));
    assert.equal(e.message, 'stacks/dev.yaml:30:10: cluster.systemNodes.min: expected at most cluster.systemNodes.max (4), got 5');
  });

  it('resilience: cold storage leaves AWS Backup its 90 days before the delete; DR nodes min <= desired <= max', async () => {
    let e = await dev(mutated((env) => Object.assign(env, { backupRetentionDays: 100 }, { resilience: { ...env.resilience, backup: { ...env.resilience.backup, coldStorageAfterDays: 30 } } })));
    assert.match(e.message, /resilience\.backup\.coldStorageAfterDays: expected at most backupRetentionDays - 90 \(10; AWS Backup keeps cold storage at least 90 days\), got 30$/);
    e = await dev(mutated((env) => Object.assign(env.resilience.drCluster.nodes, { min: 2, desired: 1, max: 3 })));
    assert.match(e.message, /resilience\.drCluster\.nodes: expected min <= desired <= max, got 2 <= 1 <= 3$/);
    e = await dev(mutated((env) => (env.resilience.backup.schedule = '0 3 * * *')));
    assert.match(e.message, /resilience\.backup\.schedule: .*AWS Backup cron expression/);
  });

  it("karpenterDisruption follows Karpenter's NodePool patterns (nodes count or percent, hour/minute durations)", async () => {
    let e = await dev(mutated((env) => (env.cluster.karpenterDisruption = { maxDisruptedNodes: '150%', consolidateAfter: '1m' })));
    assert.match(e.message, /cluster\.karpenterDisruption\.maxDisruptedNodes: .*node count or a percentage/);
    e = await dev(mutated((env) => (env.cluster.karpenterDisruption = { maxDisruptedNodes: '10%', consolidateAfter: '1m', freeze: { schedule: '0 7 * * mon-fri', duration: '30s' } })));
    assert.match(e.message, /cluster\.karpenterDisruption\.freeze\.duration: .*hours and minutes/);
  });

  it('private endpoint: no public CIDRs', async () => {
    const e = await dev(mutated((env) => (env.cluster.endpointPublicAccess = false)));
    assert.equal(
      e.message,
      'stacks/dev.yaml:26:5: cluster.publicAccessCidrs: expected an empty list when cluster.endpointPublicAccess is false, got 1 CIDR',
    );
  });

  it('public endpoint: at least one CIDR, never the whole internet', async () => {
    let e = await dev(mutated((env) => (env.cluster.publicAccessCidrs = [])));
    assert.equal(
      e.message,
      'stacks/dev.yaml:25:22: cluster.publicAccessCidrs: expected at least one restricted CIDR when cluster.endpointPublicAccess is true, got an empty list',
    );
    e = await dev(mutated((env) => (env.cluster.publicAccessCidrs = ['203.0.113.0/28', '0.0.0.0/0'])));
    assert.equal(
      e.message,
      'stacks/dev.yaml:27:7: cluster.publicAccessCidrs[1]: expected a restricted CIDR (the runner\'s egress), got "0.0.0.0/0" (the whole internet)',
    );
  });

  it('DR VPC must not overlap the primary VPC', async () => {
    const e = await dev(mutated((env) => (env.network.drVpcCidr = '10.10.128.0/17')));
    assert.equal(
      e.message,
      'stacks/dev.yaml:10:14: network.drVpcCidr: expected a range that does not overlap network.vpcCidr "10.10.0.0/16", got "10.10.128.0/17"',
    );
  });

  it('engine pulumi accepts a file:// backend as well as s3://', async () => {
    const root = await tempRepo({ 'dev.yaml': mutated((env) => (env.backend.url = 'file://.platform/state')) });
    try {
      assert.equal((await loadEnv(root, 'dev')).backend.url, 'file://.platform/state');
    } finally {
      await removeRepo(root);
    }
  });

  it('local must use the simulate engine and a file:// backend inside .platform/', async () => {
    const local = (change: (env: Record<string, any>) => void) => failure({ 'local.yaml': mutated(change, 'local') }, 'local');
    let e = await local(() => {});
    assert.equal(
      e.message,
      'stacks/local.yaml:42:9: engine: expected "simulate" for the local env, got "pulumi" (and 1 more problem)',
    );
    e = await local((env) => Object.assign(env, { engine: 'simulate', backend: { url: 'file:///tmp/state' } }));
    assert.equal(e.message, 'stacks/local.yaml:39:8: backend.url: expected file://.platform/<dir> for the local env, got "file:///tmp/state"');
    e = await local((env) => Object.assign(env, { engine: 'simulate', backend: { url: 'file://.platform/../state' } }));
    assert.equal(e.code, 'config-invalid');
    assert.match(e.message, /backend\.url: expected file:\/\/\.platform\/<dir>/);
  });

  it('no error carries a stack trace or spans lines', async () => {
    const errors = [
      await failure({ 'dev.yaml': devYaml }, 'stgg'),
      await dev('a: [1\n'),
      await dev(mutated((env) => (env.network.natGateways = 'Two'))),
      await dev(mutated((env) => (env.network.drVpcCidr = '10.10.0.0/17'))),
    ];
    for (const e of errors) {
      const text = renderError(e);
      assert.ok(!text.includes('\n'), text);
      assert.doesNotMatch(text, /\bat .*:\d+:\d+\)?$/m);
      assert.doesNotMatch(text, /load-env|node:internal/);
    }
  });
});

describe('env loading: reads only', () => {
  it('loading (valid and invalid) writes nothing in the repo or a temp repo', async () => {
    const root = await tempRepo({ 'dev.yaml': devYaml, 'stg.yaml': 'x: [' });
    try {
      const before = [await snapshot(root), await snapshot(join(repoRoot, 'stacks'))];
      await loadEnv(root, 'dev');
      await loadEnv(root, 'stg').catch(() => undefined);
      await loadEnv(root, 'nope').catch(() => undefined);
      await loadEnv(repoRoot, 'local');
      await listEnvs(repoRoot);
      assert.deepEqual([await snapshot(root), await snapshot(join(repoRoot, 'stacks'))], before);
    } finally {
      await removeRepo(root);
    }
  });
});
