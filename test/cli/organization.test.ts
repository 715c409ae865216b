import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Scratch } from './helpers.js';

/**
 * Phase 0 is organization-scoped, through the built CLI under the simulate engine: one stack
 * (`org-00-organization`) for dev and stg, reused (skipped as unchanged) by the second env; status
 * and phases show the scope; destroy of phase 0 refuses while any env still has phase 1; bad
 * organization input is one line, exit 2 and no state change.
 */
describe('CLI: the organization stack is shared by every env', function () {
  this.timeout(600_000);
  const s = new Scratch();
  after(() => s.dispose());
  const sim = ['--engine', 'simulate'];
  const events = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  const finalStatus = (evs: Record<string, any>[], phase: number) => evs.filter((e) => e.type === 'phase-status' && e.phase === phase).at(-1)!;

  // stg's `up` runs its blocking static checks on phase 2 alone: the private-API rule must see the
  // runner's group as an upstream value there (it once blocked stg's phase 2).
  it('up --phase 0..2 --env dev, then --env stg: stg reuses the organization stack, reported unchanged', () => {
    const dev = s.run(['up', '--phase', '0..2', '--env', 'dev', ...sim, '--json']);
    assert.equal(dev.code, 0, dev.stderr);
    assert.equal(finalStatus(events(dev.stdout), 0).status, 'succeeded');

    const stg = s.run(['up', '--phase', '0..2', '--env', 'stg', ...sim, '--json']);
    assert.equal(stg.code, 0, stg.stderr);
    const evs = events(stg.stdout);
    const p0 = finalStatus(evs, 0);
    assert.equal(p0.status, 'skipped');
    assert.match(p0.reason, /^unchanged since /);
    assert.equal(evs.filter((e) => e.type === 'phase-summary' && e.phase === 0).length, 0, 'the engine never ran phase 0 for stg');
    assert.equal(finalStatus(evs, 1).status, 'succeeded');
    assert.equal(finalStatus(evs, 2).status, 'succeeded');

    // One organization stack on disk, with its records beside it; none per env.
    assert.deepEqual(readdirSync(s.path('.platform/simulate/org')).filter((f) => f.endsWith('.json')), ['org-00-organization.json']);
    for (const env of ['dev', 'stg']) {
      const files = readdirSync(s.path('.platform/simulate', env));
      assert.ok(!files.some((f) => f.includes('00-organization')), `${env}: ${files.join(', ')}`);
      assert.ok(files.includes(`${env}-01-foundation.json`));
    }
    assert.ok(existsSync(s.path('.platform/simulate/org/records')));
  });

  it('status shows phase 0 as one organization stack, deployed; phases shows the scope', () => {
    const r = s.run(['status', '--env', 'stg', ...sim]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ 0 organization {3}· organization \(stack org-00-organization, shared by every env\) · deployed \(succeeded\) · fresh/m);
    assert.match(r.stdout, /^ 1 foundation {5}· deployed \(succeeded\)/m);
    const json = events(s.run(['status', '--env', 'dev', ...sim, '--json']).stdout);
    assert.deepEqual(
      json.filter((r) => r.type === 'phase' && r.phase <= 1).map((r) => [r.phase, r.scope, r.stack]),
      [[0, 'organization', 'org-00-organization'], [1, 'env', 'dev-01-foundation']],
    );
  });

  it('destroy --phase 0 refuses (exit 3) while an env still has phase 1, also another env than the one named', () => {
    const before = s.stateListing().filter((l) => !l.startsWith('/runs/'));
    const own = s.run(['destroy', '--phase', '0', '--env', 'stg', ...sim, '--yes']);
    assert.equal(own.code, 3, own.stderr);
    assert.match(own.stderr, /cannot destroy phase 0 \(organization\): phase 1 \(foundation\) depends on it and is still deployed in env stg/);

    const down = s.run(['destroy', '--phase', '1', '--env', 'stg', ...sim, '--yes', '--cascade']);
    assert.equal(down.code, 0, down.stderr);
    const afterDown = s.stateListing().filter((l) => !l.startsWith('/runs/'));

    const other = s.run(['destroy', '--phase', '0', '--env', 'stg', ...sim, '--yes', '--cascade']);
    assert.equal(other.code, 3, other.stderr);
    const lines = other.stderr.trim().split('\n').filter((l) => l.startsWith('error:'));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^error: cannot destroy phase 0 \(organization\): it is shared by every env, and phase 1 \(foundation\) still depends on it in env dev; destroy it there first: platform destroy --phase 1 --env dev$/);
    assert.deepEqual(s.stateListing().filter((l) => !l.startsWith('/runs/')), afterDown, 'nothing changed');
    assert.notDeepEqual(afterDown, before);
    assert.ok(existsSync(s.path('.platform/simulate/org/org-00-organization.json')));
  });
});

describe('CLI: bad organization input', function () {
  this.timeout(120_000);

  const refused = (prepare: (s: Scratch) => void, args: string[], code: number, pattern: RegExp) => () => {
    const s = new Scratch();
    try {
      prepare(s);
      const r = s.run(args);
      assert.equal(r.code, code, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, pattern);
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
      assert.deepEqual(s.stateListing().filter((l) => !l.startsWith('/runs/')), [], 'no state written');
    } finally {
      s.dispose();
    }
  };

  it('unknown env: exit 2, names it and the closest', refused(() => {}, ['up', '--phase', '0', '--env', 'stgg', '--engine', 'simulate'], 2, /^error: unknown env 'stgg'; envs in stacks\/: dev, local, prod, stg; did you mean 'stg'\?$/));

  it('the organization file is not an env', refused(() => {}, ['up', '--phase', '0', '--env', 'organization'], 2, /^error: 'organization' is not an env: the name is reserved/));

  it('missing organization file: exit 2 naming it', refused((s) => rmSync(s.path('stacks/organization.yaml')), ['up', '--phase', '0', '--env', 'dev', '--engine', 'simulate'], 2, /^error: stacks\/organization\.yaml not found: phase 0 and every env's phase 1 need the organization file; create stacks\/organization\.yaml/));

  it('invalid organization file: exit 2 with file:line:col', refused((s) => {
    const f = s.path('stacks/organization.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('  region: eu-west-1\n\n# Who may', '  region: eu-west\n\n# Who may'));
  }, ['status', '--env', 'stg', '--engine', 'simulate'], 2, /^error: stacks\/organization\.yaml:\d+:\d+: identityCenter\.region: expected an AWS region such as eu-west-1, got "eu-west"/));

  it('an env outside the organization\'s regions: exit 2 naming both files', refused((s) => {
    const f = s.path('stacks/dev.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('dr: eu-central-1', 'dr: us-east-2'));
  }, ['up', '--phase', '0', '--env', 'dev', '--engine', 'simulate'], 2, /^error: stacks\/dev\.yaml: regions\.dr: expected one of the organization's regions \(eu-west-1, eu-central-1\), got "us-east-2"; the region-deny SCP of stacks\/organization\.yaml/));
});
