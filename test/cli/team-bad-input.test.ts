/**
 * Bad input to the team-mode commands and options (issue 19): one line on stderr naming the value
 * and the fix, the documented exit code (docs/exit-codes.md), no stack trace, and no state changed
 * (.platform/ untouched, no file written).
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { Scratch } from './helpers.js';

describe('CLI: bad input to team-mode commands', function () {
  this.timeout(120_000);
  const s = new Scratch();
  after(() => s.dispose());

  const cases: [string, string[], number, RegExp][] = [
    ['pipeline for the simulate env', ['pipeline', '--env', 'local'], 2, /^error: env local uses the simulate engine: a pipeline deploys real envs only; pick an env whose file says engine: pulumi/],
    ['pipeline --out into a missing folder', ['pipeline', '--env', 'prod', '--out', 'no/such/dir/p.yml'], 2, /^error: invalid --out 'no\/such\/dir\/p\.yml': folder .*no\/such\/dir does not exist; name a file in an existing folder/],
    ['pipeline --out a folder', ['pipeline', '--env', 'prod', '--out', 'stacks'], 2, /^error: invalid --out 'stacks': it is a folder; /],
    ['pipeline without --env', ['pipeline'], 2, /^error: required option '-e, --env <name>' not specified/],
  ];

  for (const [name, args, code, message] of cases) {
    it(`${name}: exit ${code}, one line, nothing changed`, () => {
      const r = s.run(args);
      assert.equal(r.code, code, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
      assert.match(lines[0]!, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.deepEqual(s.stateListing(), []);
      assert.equal(r.stdout, '');
    });
  }

  it('pipeline --out writes the workflow; stdout stays empty', () => {
    const r = s.run(['pipeline', '--env', 'stg', '--out', 'wf.yml']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(s.path('wf.yml')));
    assert.equal(r.stdout, '');
  });
});
