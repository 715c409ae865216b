/**
 * `platform failover --env E --to dr` driven as users do (the built CLI in a scratch repo): bad input
 * gets one line naming the value and the fix, its documented exit code (docs/exit-codes.md), and no
 * change under .platform/; the runbook itself is checked for its order on phase 8's outputs.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { checkTarget, failoverRunbook, renderRunbook } from '../../programs/08-resilience/failover.js';
import { phase8Outputs } from '../../programs/08-resilience/phase.js';
import { sampleUpstream } from '../config/upstream-samples.js';
import { shippedEnv } from '../programs/phase-02-upstream.js';
import { Scratch } from './helpers.js';

describe('CLI: platform failover', function () {
  this.timeout(180_000);
  const s = new Scratch();
  before(() => {
    const local = readFileSync(s.path('stacks/local.yaml'), 'utf8');
    writeFileSync(s.path('stacks/nodr.yaml'), local.replace(/^name: local$/m, 'name: nodr').replace(/drCluster:\n    enabled: true/, 'drCluster:\n    enabled: false'));
  });
  after(() => s.dispose());

  const cases: [string, string[], number, RegExp][] = [
    ['a --to other than dr', ['failover', '--env', 'local', '--to', 'primary'], 2, /^error: --to 'primary' is not a failover target; use --to dr/],
    ['no --to', ['failover', '--env', 'local'], 2, /^error: required option '--to <side>' not specified/],
    ['unknown env', ['failover', '--env', 'prd', '--to', 'dr'], 2, /^error: unknown env 'prd'.*did you mean 'prod'\?/],
    ['an env without a pilot-light cluster', ['failover', '--env', 'nodr', '--to', 'dr'], 2, /^error: env nodr has no pilot-light DR cluster to fail over to; set resilience\.drCluster\.enabled: true in stacks\/nodr\.yaml/],
    ['phase 8 not deployed', ['failover', '--env', 'local', '--to', 'dr'], 3, /^error: stack local-08-resilience does not exist \(simulated\); deploy it first: platform up --phase 8 --env local/],
  ];
  for (const [name, args, code, message] of cases) {
    it(`${name}: exit ${code}, one line, no stack trace, .platform/ untouched`, () => {
      const before = s.stateListing();
      const r = s.run(args);
      assert.equal(r.code, code, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
      assert.match(lines[0]!, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.deepEqual(s.stateListing(), before);
    });
  }

  it('the runbook restores data before it scales the DR cluster, and moves traffic last; it names the env\'s DR values', () => {
    const env = shippedEnv('prod');
    const o = phase8Outputs.parse(sampleUpstream[8]);
    const steps = failoverRunbook(env, o);
    const at = (re: RegExp) => steps.findIndex((x) => re.test(x.title));
    assert.ok(at(/Confirm/) < at(/Restore the data/));
    assert.ok(at(/Restore the data/) < at(/Scale the DR cluster/));
    assert.ok(at(/Scale the DR cluster/) < at(/DR gateway/));
    assert.ok(at(/DR gateway/) < at(/Move traffic/));
    const text = renderRunbook(env, steps, false);
    assert.match(text, /list-recovery-points-by-backup-vault --region eu-central-1 --backup-vault-name dr/);
    assert.match(text, new RegExp(`update-nodegroup-config --region eu-central-1 --cluster-name ${o.drClusterName} .*minSize=${env.cluster.systemNodes.min}`));
    assert.match(text, /update-health-check --health-check-id hc-1 --inverted/);
    assert.match(text, /nothing was changed/);
    assert.doesNotMatch(text, /dr-secret/, 'the DR kubeconfig (secret) never appears');
    assert.throws(() => checkTarget('DR'), /--to 'DR' is not a failover target/);
  });
});
