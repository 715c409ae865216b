import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { Scratch } from './helpers.js';

/**
 * `platform cost` through the built CLI, offline: the estimate of a planned env, and bad input (one
 * line naming the value and the fix, exit 2, .platform/ untouched).
 */
describe('CLI: platform cost', function () {
  this.timeout(240_000);
  const s = new Scratch();
  after(() => s.dispose());

  it('cost -p 1..2 -e prod --json: per-phase totals that add up, from planned resources, nothing written to .platform/', () => {
    const r = s.run(['cost', '-p', '1..2', '-e', 'prod', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout.trim());
    assert.equal(doc.type, 'cost');
    assert.equal(doc.env, 'prod');
    assert.deepEqual(doc.phasesPlanned, [1, 2]);
    assert.deepEqual(
      doc.phases.map((p: { phase: number }) => p.phase),
      [1, 2],
    );
    const sum = doc.phases.reduce((a: number, p: { monthlyUsd: number }) => a + p.monthlyUsd, 0);
    assert.ok(Math.abs(sum - doc.totalMonthlyUsd) < 0.01);
    // prod's file: 4 x m6i.2xlarge system nodes (desired), an EKS control plane, a NAT gateway per AZ.
    const lines = doc.phases.flatMap((p: { lines: unknown[] }) => p.lines) as { priceKey: string; quantity: number; region: string }[];
    assert.deepEqual(
      lines.filter((l) => l.priceKey === 'ec2:m6i.2xlarge').map((l) => l.quantity),
      [4],
    );
    assert.equal(lines.filter((l) => l.priceKey === 'eks:cluster').length, 1);
    assert.deepEqual(
      lines.filter((l) => l.priceKey === 'vpc:nat-gateway').map((l) => [l.quantity, l.region]),
      [
        [3, 'eu-west-1'],
        [1, 'eu-central-1'],
      ],
    );
    // What is billed by use is listed, not priced.
    assert.ok(doc.usage.some((g: { type: string }) => g.type === 'aws:s3/bucket:Bucket'));
    assert.deepEqual(s.stateListing(), []);
  });

  it('plain output: the env and region, one line per phase with its total, and the total (phases 0-1 of local)', () => {
    // What could not be planned is named too: planPhases's own test (test/orchestrator/plan.test.ts)
    // covers it, since every shipped phase has a program.
    const r = s.run(['cost', '-p', '0..1', '-e', 'local']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^cost estimate for env local \(eu-west-1\), USD per month/m);
    assert.match(r.stdout, /^total: [\d,.]+ USD\/month for what could be priced$/m);
    for (const id of [0, 1]) assert.match(r.stdout, new RegExp(`^phase ${id} [a-z-]+: [\\d,.]+`, 'm'), `phase ${id}`);
    assert.doesNotMatch(r.stdout, /^phase [2-9]/m, 'only the selected phases');
    assert.doesNotMatch(r.stdout, /not planned/);
  });

  describe('bad input', () => {
    const table = s.path('prices.json');
    const cases: [string, () => string[], RegExp][] = [
      ['unknown env', () => ['cost', '-e', 'prd'], /^error: unknown env 'prd'.*did you mean 'prod'\?/],
      ['phase 12', () => ['cost', '-p', '12', '-e', 'prod'], /^error: invalid phase '12': 12 is outside 0-10/],
      ['missing --prices file', () => ['cost', '-e', 'prod', '--prices', s.path('nope.json')], /^error: cannot read --prices file '.*nope\.json': ENOENT; give the path of a price table JSON file/],
      [
        '--prices not JSON',
        () => {
          writeFileSync(table, 'ec2: 0.1\n');
          return ['cost', '-e', 'prod', '--prices', table];
        },
        /^error: --prices file '.*prices\.json' is not JSON: .*; write the table as JSON/,
      ],
      [
        '--prices with a negative price',
        () => {
          writeFileSync(
            table,
            JSON.stringify({ schemaVersion: 1, currency: 'USD', hoursPerMonth: 730, generator: 'manual', generatedAt: '2026-11-30', note: 'x', prices: [{ key: 'kms:key', region: 'eu-west-1', unit: 'month', usd: -1, source: 's', date: '2026-11-30' }] }),
          );
          return ['cost', '-e', 'prod', '--prices', table];
        },
        /^error: --prices file '.*prices\.json' is not a valid price table: prices\.0\.usd: .*; fix that field, or regenerate the table/,
      ],
      ['--prices without a value', () => ['cost', '-e', 'prod', '--prices'], /^error: option '--prices <file>' argument missing/],
    ];
    for (const [name, args, message] of cases) {
      it(`${name}: exit 2, one line, no stack trace, .platform/ untouched`, () => {
        const r = s.run(args());
        assert.equal(r.code, 2, r.stderr);
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0]!, message);
        assert.equal(r.stdout, '');
        assert.deepEqual(s.stateListing(), []);
      });
    }
  });
});
