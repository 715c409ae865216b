/**
 * What the built CLI loads for commands that read only the env file and the records: no Pulumi SDK
 * and no AWS SDK. The registry re-exports phase 8's failover runbook, and the runbook once took two
 * constants from phase 8's program modules, which import @pulumi/aws and @pulumi/kubernetes: every
 * command that touched the registry loaded 1653 CommonJS modules, `platform status` took 1.2 s of
 * CPU instead of 0.3 s, and each of the hundreds of CLI runs in the tests paid for it.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, Scratch } from './helpers.js';

const HOOK = pathToFileURL(join(REPO, 'test/cli/fixtures/loaded-packages.mjs')).href;

function loaded(s: Scratch, args: string[]): { code: number; packages: string[]; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', HOOK, join(REPO, 'bin/platform.js'), ...args], { cwd: s.dir, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1' }, timeout: 60_000 });
  const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  assert.ok(line, `no LOADED line: ${r.stderr}`);
  return { code: r.status ?? -1, packages: JSON.parse(line.slice('LOADED '.length)) as string[], stderr: r.stderr };
}

describe('CLI: what a command that reads only files loads', function () {
  this.timeout(120_000);
  const s = new Scratch();
  after(() => s.dispose());

  // local: the simulate engine and a file backend (prod's S3 backend rightly needs the AWS SDK).
  for (const args of [['status', '--env', 'local'], ['outputs', '--phase', '1', '--env', 'local']]) {
    it(`platform ${args.join(' ')}: no @pulumi/* and no @aws-sdk/* package`, () => {
      const r = loaded(s, args);
      assert.deepEqual(r.packages.filter((p) => /^@pulumi\/|^@aws-sdk\//.test(p)), [], r.stderr);
    });
  }

  it('the hook sees an SDK the CLI does load: platform phases loads every phase\'s gates, which use the AWS SDK', () => {
    // Without this, a hook that saw nothing would pass the cases above.
    const r = loaded(s, ['phases']);
    assert.ok(r.packages.some((p) => p.startsWith('@aws-sdk/')), r.stderr);
  });
});
