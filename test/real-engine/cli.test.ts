import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { Scratch } from '../cli/helpers.js';
import { requireEngineRoot } from './harness.js';

/**
 * The built CLI on the real engine: `platform up --phase 0 --env local --engine pulumi` cannot run
 * phase 0 here (no AWS provider plugin, no downloads) and must say exactly that, with exit 2 and no
 * stack trace; `doctor` reports the engine it found.
 */
describe('CLI on the real engine', function () {
  this.timeout(300_000);
  const s = new Scratch();
  let root: string;
  before(() => {
    root = requireEngineRoot();
    writeFileSync(s.path('passphrase'), 'correct horse battery staple\n');
  });
  after(() => s.dispose());
  const env = () => ({ PLATFORM_PULUMI_ROOT: root, PULUMI_CONFIG_PASSPHRASE_FILE: s.path('passphrase') });

  it('up --phase 0 --env local --engine pulumi: a clear missing-plugin error, exit 2', () => {
    const r = s.run(['up', '--phase', '0', '--env', 'local', '--engine', 'pulumi', '--yes'], env());
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error: the Pulumi provider plugin 'aws' v7\.48\.0 is not installed, and plugin downloads are off; install it with `pulumi plugin install resource aws 7\.48\.0`/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('doctor finds the engine and the launcher', () => {
    const r = s.run(['doctor'], env());
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^PASS engine: pulumi 3\.\d+\.\d+ at /m);
    assert.match(r.stdout, /^PASS dynamic-provider launcher: /m);
  });
});
