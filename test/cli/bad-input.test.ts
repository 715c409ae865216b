import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { Scratch } from './helpers.js';

/** A registry in which phase 9 has no program (every real phase has one). */
const PROGRAMLESS = new URL('./fixtures/programless-registry.mjs', import.meta.url).pathname;

/**
 * Bad input: one clear line on stderr naming the value and the fix, the documented exit code, no
 * stack trace, and no change to any state (.platform/ stays as it was, here: absent).
 */
describe('CLI: bad input', function () {
  this.timeout(120_000);
  const s = new Scratch();
  before(() => {
    const local = readFileSync(s.path('stacks/local.yaml'), 'utf8');
    writeFileSync(s.path('stacks/broken.yaml'), 'name: broken\nregions: [eu-west-1\n');
    writeFileSync(s.path('stacks/badtype.yaml'), local.replace(/^name: local$/m, 'name: badtype').replace(/availabilityZones: \d+/, 'availabilityZones: three'));
  });
  after(() => s.dispose());

  const cases: [string, string[], number, RegExp][] = [
    ['unknown env', ['up', '--all', '--env', 'stgg'], 2, /^error: unknown env 'stgg'.*did you mean 'stg'\?/],
    ['phase 11', ['up', '--phase', '11', '--env', 'local'], 2, /^error: invalid phase '11': 11 is outside 0-10; phases are integers 0-10/],
    ['phase 3a', ['up', '--phase', '3a', '--env', 'local'], 2, /^error: invalid phase '3a': '3a' is not a whole number/],
    ['dashed range', ['up', '--phase', '2-5', '--env', 'local'], 2, /^error: invalid phase '2-5': a range is written with '\.\.'; did you mean --phase 2\.\.5\?/],
    // A repeated --phase adds up (commander would keep only the last): the bad 11 is still seen.
    ['repeated --phase', ['up', '--phase', '0', '--phase', '11', '--env', 'local'], 2, /^error: invalid phase '0,11': 11 is outside 0-10/],
    ['inverted range', ['up', '--phase', '5..2', '--env', 'local'], 2, /^error: invalid phase range '5\.\.2': 5 is after 2; write the lower phase first: --phase 2\.\.5/],
    ['malformed YAML', ['up', '--all', '--env', 'broken'], 2, /^error: stacks\/broken\.yaml:\d+:\d+: /],
    ['wrong type', ['up', '--all', '--env', 'badtype'], 2, /^error: stacks\/badtype\.yaml:\d+:\d+: network\.availabilityZones: .*"three"/],
    ['missing --env', ['up', '--all'], 2, /^error: required option '-e, --env <name>' not specified/],
    ['misspelt --env', ['up', '--all', '--environment', 'local'], 2, /^error: unknown option '--environment'/],
    ['unknown option', ['up', '--all', '--env', 'local', '--fast'], 2, /^error: unknown option '--fast'/],
    ['bad --parallel', ['up', '--all', '--env', 'local', '--parallel', '0'], 2, /^error: invalid --parallel '0'; use a whole number from 1 to 32/],
    ['two selectors', ['up', '--all', '--phase', '1', '--env', 'local'], 2, /^error: choose one of --phase, --from and --all/],
    ['bad engine', ['up', '--all', '--env', 'local', '--engine', 'terraform'], 2, /^error: option '--engine <engine>' argument 'terraform' is invalid/],
  ];

  for (const [name, args, code, message] of cases) {
    it(`${name}: exit ${code}, one line, no stack trace, .platform/ untouched`, () => {
      const r = s.run(args);
      assert.equal(r.code, code, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
      assert.match(lines[0]!, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.deepEqual(s.stateListing(), []);
    });
  }

  it('a phase without a program (a registry where phase 9 has none): exit 2, one line naming it, .platform/ untouched', () => {
    const r = s.run(['up', '--phase', '9', '--env', 'local'], { PLATFORM_REGISTRY: PROGRAMLESS });
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
    assert.match(lines[0]!, /^error: phase 9 \(automation\) has no program yet; phases with programs: 0, 1, 2, /);
    assert.deepEqual(s.stateListing(), []);
  });

  it('--json on bad input still ends stdout with one JSON error line', () => {
    const r = s.run(['up', '--phase', '11', '--env', 'local', '--json']);
    assert.equal(r.code, 2);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.deepEqual([last.type, last.code, last.exitCode], ['error', 'bad-phase', 2]);
  });
});
