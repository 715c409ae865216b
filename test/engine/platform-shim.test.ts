/**
 * The engine's children find `platform` on PATH (the shim engineEnv puts first), so the Pulumi
 * Kubernetes provider can run phase 2's kubeconfig exec entry (`platform eks-token`) from a checkout
 * where nothing is installed globally. The shim is spawned exactly as client-go does: by name, with
 * the child's PATH, and its ExecCredential is checked.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineEnv } from '../../src/engine/pulumi/settings.js';
import { makeEnv } from '../helpers/env-fixtures.js';
import { verifyEksToken } from '../helpers/eks-token-verify.js';

describe('engine: the platform shim on the children\'s PATH', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'platform-shim-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs this CLI on this Node: `platform eks-token` answers an ExecCredential', () => {
    const env = makeEnv((e) => ({ ...e, secrets: { provider: 'passphrase' } }));
    const vars = engineEnv(env, { repoRoot: dir, cacheDir: join(dir, 'cache'), processEnv: { PATH: '/usr/bin:/bin', PULUMI_CONFIG_PASSPHRASE: 'x' } }, join(dir, 'engine'));
    const shim = join(dir, 'cache', 'bin', 'platform');
    assert.ok(vars.PATH!.split(':').indexOf(join(dir, 'cache', 'bin')) < vars.PATH!.split(':').indexOf('/usr/bin'), 'before the caller\'s PATH');
    assert.ok(statSync(shim).mode & 0o100, 'executable');
    assert.match(readFileSync(shim, 'utf8'), /bin\/platform\.js' "\$@"/);
    const r = spawnSync('platform', ['eks-token', '--cluster', 'c1', '--region', 'eu-west-1'], {
      encoding: 'utf8',
      env: { PATH: vars.PATH, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'shim-test-secret', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') },
    });
    assert.equal(r.status, 0, r.stderr || String(r.error));
    const cred = JSON.parse(r.stdout);
    verifyEksToken(cred.status.token, { cluster: 'c1', region: 'eu-west-1', secretAccessKey: 'shim-test-secret', now: new Date() });
  });
});
