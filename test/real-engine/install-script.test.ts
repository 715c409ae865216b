/**
 * scripts/install-pulumi-engine.sh on a machine where the engine is already built: it recognises
 * the cached build by asking the binary its version (no rebuild), and it steps aside for a
 * compatible `pulumi` on PATH. Both paths are offline.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { compareVersions, sdkVersion } from '../../src/engine/pulumi/settings.js';
import { REPO_ROOT, requireEngineRoot } from './harness.js';

const script = join(REPO_ROOT, 'scripts', 'install-pulumi-engine.sh');
const basePath = ['/usr/local/bin', '/usr/bin', '/bin', '/usr/local/go/bin'].join(':');

function runScript(path: string, args: string[] = []): string {
  return execFileSync('bash', [script, ...args], { env: { PATH: path, HOME: process.env.HOME ?? '/root' }, encoding: 'utf8', timeout: 120_000 });
}

describe('install-pulumi-engine.sh', function () {
  this.timeout(180_000);
  let root: string;
  before(() => {
    root = requireEngineRoot();
  });

  it('is idempotent: a cached build that reports its version is reused', function () {
    if (!root.includes('/.cache/pulumi-engine/')) this.skip(); // PLATFORM_PULUMI_ROOT points elsewhere
    const out = runScript(basePath, ['--allow-nearest', '--print-root']);
    assert.match(out, /up to date: .*\/bin\/pulumi reports v3\.\d+\.\d+/);
    assert.equal(out.trim().split('\n').at(-1), root, '--print-root names the engine root the adapter uses');
    assert.doesNotMatch(out, /compiling/);
  });

  it('steps aside for a compatible pulumi on PATH, and not for an older one', () => {
    const version = execFileSync(join(root, 'bin', 'pulumi'), ['version'], { env: { PULUMI_SKIP_UPDATE_CHECK: 'true', PULUMI_HOME: join(root, '..', 'home') }, encoding: 'utf8' }).trim();
    const onPath = `${join(root, 'bin')}:${basePath}`;
    const same = runScript(onPath, ['--version', version]);
    assert.match(same, new RegExp(`skipped: compatible pulumi ${version.replace(/\./g, '\\.')} already on PATH`));
    const lock = sdkVersion(REPO_ROOT)!;
    if (compareVersions(lock, version) > 0) {
      // The build is older than the lockfile's SDK (the proxy lacked it): on PATH it is not enough,
      // and the script falls back to its recorded nearest build without touching the network.
      const out = runScript(onPath, ['--allow-nearest']);
      assert.match(out, new RegExp(`pulumi on PATH reports '${version.slice(1).replace(/\./g, '\\.')}', not compatible with v${lock.replace(/\./g, '\\.')}`));
      assert.match(out, /up to date/);
    }
  });
});
