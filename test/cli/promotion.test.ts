/**
 * Promotion through the CLI (issue 19, docs/team-mode.md): prod's file says `promoteFrom: stg`, so
 * `up` of a prod phase runs only with program sources that have succeeded, with their gates, in stg.
 * Driven as users do (the built CLI; the simulate engine, so stg and prod evidence are both simulated
 * and gates skipped as simulated are accepted, as a simulated dependency check accepts them):
 * - prod phase 1 with sources never deployed to stg: exit 3 naming stg, before any change (nothing
 *   under .platform/ changes: no state, record, journal or lock);
 * - after stg succeeds with them: prod proceeds;
 * - a program edit not yet in stg: refused again; `--skip-promotion-check "<reason>"` proceeds and the
 *   reason is in the journal;
 * - `status --env prod` shows what is promotable;
 * - bad input: an empty reason, the option for an env without promoteFrom, a promoteFrom naming no
 *   env or the env itself: one line, exit 2, nothing changed.
 */
import { strict as assert } from 'node:assert';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Scratch } from './helpers.js';

describe('promotion: prod takes only what succeeded in stg (CLI, simulate engine)', function () {
  this.timeout(900_000);
  const s = new Scratch();
  after(() => s.dispose());
  const sim = ['--engine', 'simulate'];
  const journals = () =>
    readdirSync(s.path('.platform', 'runs'))
      .sort()
      .map((f) => readFileSync(s.path('.platform', 'runs', f), 'utf8'));

  it('refuses prod before stg, proceeds after, and takes a journalled override', () => {
    const org = s.run(['up', '--phase', '0', '--env', 'stg', ...sim]);
    assert.equal(org.code, 0, org.stderr);
    const before = s.stateListing();

    const refused = s.run(['up', '--phase', '1', '--env', 'prod', '--yes', ...sim]);
    assert.equal(refused.code, 3, refused.stderr);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /^error: phase 1 \(foundation\) cannot be updated in prod: its program sources have not succeeded with their gates in stg: stg has never deployed it; nothing was changed; deploy them to stg first \(platform up --phase 1 --env stg\), or pass --skip-promotion-check "<reason>"/,
    );
    assert.deepEqual(s.stateListing(), before, 'nothing under .platform changed: no state, record, journal or lock');

    const st0 = s.run(['status', '--env', 'prod', ...sim]);
    assert.equal(st0.code, 0, st0.stderr);
    assert.match(st0.stdout, /^ 1 foundation .*not promotable: stg has never deployed it/m);

    const stg = s.run(['up', '--phase', '1', '--env', 'stg', '--yes', ...sim]);
    assert.equal(stg.code, 0, stg.stderr);
    const st1 = s.run(['status', '--env', 'prod', '--json', ...sim]);
    const row1 = st1.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; phase?: number; promotion?: unknown }).find((r) => r.type === 'phase' && r.phase === 1);
    assert.deepEqual(row1?.promotion, { from: 'stg', promotable: true });
    const prod = s.run(['up', '--phase', '1', '--env', 'prod', '--yes', ...sim]);
    assert.equal(prod.code, 0, prod.stderr);
    const st2 = s.run(['status', '--env', 'prod', ...sim]);
    assert.match(st2.stdout, /^ 1 foundation .*runs these sources already/m);

    // A program change that stg has not seen.
    appendFileSync(s.path('programs', '01-foundation', 'phase.ts'), '\n// a change not deployed to stg\n');
    const before2 = s.stateListing();
    const again = s.run(['up', '--phase', '1', '--env', 'prod', '--yes', ...sim]);
    assert.equal(again.code, 3, again.stderr);
    assert.match(again.stderr, /in stg: stg last deployed other sources \([0-9a-f]{12}; these are [0-9a-f]{12}\)/);
    assert.deepEqual(s.stateListing(), before2);
    const st3 = s.run(['status', '--env', 'prod', ...sim]);
    assert.match(st3.stdout, /^ 1 foundation .*not promotable: stg last deployed other sources/m);

    const forced = s.run(['up', '--phase', '1', '--env', 'prod', '--yes', '--skip-promotion-check', 'hotfix INC-4711 approved by oncall', ...sim]);
    assert.equal(forced.code, 0, forced.stderr);
    const last = journals().at(-1)!;
    assert.match(last, /"promotion check from stg skipped: hotfix INC-4711 approved by oncall"/);
  });

  const bad: [string, string[], RegExp, (() => void)?][] = [
    ['an empty reason', ['up', '--phase', '1', '--env', 'prod', '--yes', '--skip-promotion-check', ' ', ...sim], /^error: invalid --skip-promotion-check ' ': give the reason the promotion check is skipped; e\.g\. --skip-promotion-check "/],
    ['the option for an env that promotes from none', ['up', '--phase', '1', '--env', 'stg', '--yes', '--skip-promotion-check', 'why not', ...sim], /^error: --skip-promotion-check given, but env stg promotes from no env \(its file names no promoteFrom\); leave the option out/],
    [
      'promoteFrom naming no env',
      ['up', '--phase', '1', '--env', 'prod', '--yes', ...sim],
      /^error: stacks\/prod\.yaml: promoteFrom: "stgg" names no env \(.*\); name an env that has a file in stacks\//,
      () => writeFileSync(s.path('stacks', 'prod.yaml'), readFileSync(s.path('stacks', 'prod.yaml'), 'utf8').replace(/^promoteFrom: .*$/m, 'promoteFrom: stgg')),
    ],
    [
      'promoteFrom naming the env itself',
      ['status', '--env', 'prod', ...sim],
      /^error: .*promoteFrom: "prod" is this env itself; name the env whose successes it takes/,
      () => writeFileSync(s.path('stacks', 'prod.yaml'), readFileSync(s.path('stacks', 'prod.yaml'), 'utf8').replace(/^promoteFrom: .*$/m, 'promoteFrom: prod')),
    ],
  ];
  for (const [name, args, message, setup] of bad) {
    it(`bad input: ${name}: one line, exit 2, nothing changed`, () => {
      setup?.();
      s.refuses(args, message);
    });
  }
});
