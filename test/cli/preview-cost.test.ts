import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadPrices } from '../../src/cost/index.js';
import { Scratch } from './helpers.js';

/**
 * `preview` says what a change adds per month: the planned resources priced against what the
 * simulated stack holds, through the built CLI.
 */
describe('CLI: preview shows the monthly cost of a change', function () {
  this.timeout(240_000);
  const s = new Scratch();
  after(() => s.dispose());
  const prices = loadPrices();
  const monthly = (key: string) => prices.monthly(prices.find(key, 'eu-west-1')!);

  it('a new stack: the whole planned cost; then one NAT gateway per AZ instead of one: the added NAT gateways and their IPv4 addresses', () => {
    const first = s.run(['preview', '-p', '0..1', '-e', 'local']);
    assert.equal(first.code, 0, first.stderr);
    const line1 = /^phase 1 foundation: cost: \+([\d.]+) USD\/month \(0\.00 -> ([\d.]+)\); not estimated: aws:/m.exec(first.stderr);
    assert.ok(line1, first.stderr);
    assert.equal(line1[1], line1[2]);

    const up = s.run(['up', '-p', '0..1', '-e', 'local']);
    assert.equal(up.code, 0, up.stderr);
    const unchanged = s.run(['preview', '-p', '1', '-e', 'local']);
    assert.match(unchanged.stderr, /^phase 1 foundation: cost: \+0\.00 USD\/month \(([\d.]+) -> \1\)/m);

    const file = s.path('stacks/local.yaml');
    const yaml = readFileSync(file, 'utf8');
    assert.match(yaml, /natGateways: Single/);
    writeFileSync(file, yaml.replace('natGateways: Single', 'natGateways: OnePerAz'));
    const r = s.run(['preview', '-p', '1', '-e', 'local']);
    assert.equal(r.code, 0, r.stderr);
    // From 1 NAT gateway to one per AZ (local has 2), each with a public IPv4: (AZs - 1) x (NAT
    // hourly + IPv4 hourly) x hours per month, from the committed table.
    const azs = Number(/availabilityZones: (\d+)/.exec(yaml)![1]);
    assert.ok(azs >= 2);
    const expected = (azs - 1) * (monthly('vpc:nat-gateway') + monthly('vpc:public-ipv4'));
    const m = /^phase 1 foundation: cost: \+([\d.]+) USD\/month \(([\d.]+) -> ([\d.]+)\)/m.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.equal(Number(m[1]), Math.round(expected * 100) / 100);
    assert.equal(Math.round((Number(m[3]) - Number(m[2])) * 100) / 100, Number(m[1]));
  });

  it('--json carries the cost on the phase-summary event', () => {
    const r = s.run(['preview', '-p', '1', '-e', 'local', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'phase-summary' && e.phase === 1);
    assert.ok(summary?.cost, r.stdout);
    assert.equal(typeof summary.cost.deltaUsd, 'number');
    assert.ok(summary.cost.notEstimated.includes('aws:s3/bucket:Bucket'));
  });
});
