import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { Scratch } from './helpers.js';

/**
 * The core issue's end-to-end scenario through the built CLI on the local env (simulate engine):
 * dependency check on an empty .platform/, deploy, skip when unchanged, re-run with a diff naming the
 * changed resources after an env-file edit, --json as valid NDJSON with secrets masked, destroy rules.
 * Each step needs the state the previous ones left, so the scenario is one test (it runs alone with
 * --grep) and a failing assertion names its step.
 */
describe('CLI: the local chain end to end', function () {
  this.timeout(300_000);

  it('a scenario on one .platform/: refuse, deploy, skip, re-run on an edit, --json, status, destroy', () => {
    const s = new Scratch();
    const step = (name: string, fn: () => void) => {
      try {
        fn();
      } catch (e) {
        if (e instanceof Error) e.message = `step '${name}': ${e.message}`;
        throw e;
      }
    };
    try {
      step('up --phase 2 on an empty .platform/ exits 3 naming phase 1 and the fix, before any change', () => {
        const r = s.run(['up', '--phase', '2', '--env', 'local']);
        assert.equal(r.code, 3, r.stderr);
        assert.match(r.stderr, /error: phase 2 \(cluster\) needs phase 1 \(foundation\): it has not been deployed in env local; run: platform up --phase 0\.\.2 --env local/);
        assert.deepEqual(readdirSync(s.path('.platform')).sort(), ['runs'], 'only the run journal was written');
      });
      step('up --phase 0..1 deploys; up --phase 1 then skips it as unchanged', () => {
        const first = s.run(['up', '--phase', '0..1', '--env', 'local']);
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stderr, /phase 1 foundation: \+\d+ ~0 -0 ±0/);
        const again = s.run(['up', '--phase', '1', '--env', 'local']);
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stderr, /phase 1 foundation: skipped \(unchanged since .* \(fingerprint [0-9a-f]{16}\); --force runs it anyway\)/);
      });
      step('editing stacks/local.yaml makes phase 1 run again with a diff naming the changed resources', () => {
        const f = s.path('stacks/local.yaml');
        writeFileSync(f, readFileSync(f, 'utf8').replace(/flowLogRetentionDays: \d+/, 'flowLogRetentionDays: 731'));
        const r = s.run(['up', '--phase', '1', '--env', 'local']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /~ aws:cloudwatch\/logGroup:LogGroup network-flow-logs \[retentionInDays\]/);
        assert.match(r.stderr, /phase 1 foundation: \+0 ~\d+ -0 ±0/);
      });
      step('--json: NDJSON on stdout, run-finished last, secret outputs masked everywhere', () => {
        const r = s.run(['up', '--phase', '2', '--env', 'local', '--json']);
        assert.equal(r.code, 0, r.stderr);
        const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
        assert.equal(events.at(-1).type, 'run-finished');
        assert.equal(events.at(-1).exitCode, 0);
        const outputs = events.find((e) => e.type === 'outputs' && e.phase === 2);
        assert.equal(outputs.outputs.kubeconfig, '[secret]');
        assert.equal(outputs.simulated, true);
        // The real (synthetic) kubeconfig sits in the simulated state; it must appear nowhere else.
        const state = JSON.parse(readFileSync(s.path('.platform/simulate/local/local-02-cluster.json'), 'utf8'));
        const kube: string = state.outputs.kubeconfig.value;
        assert.match(kube, /"server":"https:\/\//, 'the simulated state holds a kubeconfig to look for');
        const journals = readdirSync(s.path('.platform/runs')).map((f) => readFileSync(s.path('.platform/runs', f), 'utf8')).join('');
        for (const [where, text] of [['stdout', r.stdout], ['stderr', r.stderr], ['journal', journals]]) {
          assert.ok(!text.includes(kube!), `kubeconfig leaked into ${where}`);
        }
        const out = s.run(['outputs', '--phase', '2', '--env', 'local']);
        assert.match(out.stdout, /^kubeconfig = \[secret\]$/m);
        assert.ok(!out.stdout.includes(kube!));
      });
      step('status shows every phase: deployed and fresh, or not deployed', () => {
        const r = s.run(['status', '--env', 'local']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, / 1 foundation {5}· deployed \(succeeded\) · fresh · gates skipped \(simulated\)/);
        assert.match(r.stdout, / 4 data {11}· not deployed/);
        assert.match(r.stdout, /10 hardening {6}· not deployed/);
      });
      step('destroy refuses without --yes off a terminal, refuses with deployed dependents, and cascades', () => {
        const noYes = s.run(['destroy', '--phase', '2', '--env', 'local']);
        assert.equal(noYes.code, 2);
        assert.match(noYes.stderr, /destroy needs confirmation.*pass --yes/);
        const dependents = s.run(['destroy', '--phase', '1', '--env', 'local', '--yes']);
        assert.equal(dependents.code, 3);
        assert.match(dependents.stderr, /cannot destroy phase 1 \(foundation\): phase 2 \(cluster\) depends on it and is still deployed in env local/);
        const cascade = s.run(['destroy', '--phase', '1', '--env', 'local', '--yes', '--cascade']);
        assert.equal(cascade.code, 0, cascade.stderr);
        assert.ok(cascade.stderr.indexOf('phase 2 cluster: running') < cascade.stderr.indexOf('phase 1 foundation: running'), 'dependents first');
        const status = s.run(['status', '--env', 'local']);
        assert.match(status.stdout, / 2 cluster {8}· destroyed/);
      });
    } finally {
      s.dispose();
    }
  });
});

describe('CLI: phases', function () {
  this.timeout(60_000);
  it('lists every phase with its dependencies, program state, gate count and plan changes', () => {
    const s = new Scratch();
    try {
      const r = s.run(['phases']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^ 0 {2}organization {3}.*\(one stack for the organization; no dependencies; \d+ gates\)$/m);
      assert.match(r.stdout, /^ 1 {2}foundation {5}.*\(per env; after 0; \d{2} gates\)$/m);
      assert.match(r.stdout, /^ 6 {2}edge {11}.*\(per env; after 1, 2, 5; 4 gates\)$/m);
      assert.match(r.stdout, /^ 8 {2}resilience {5}.*\(per env; after 1, 2, 4, 5, 6; 4 gates\)$/m);
      assert.match(r.stdout, /^10 {2}hardening {6}.*\(per env; after 1, 2, 4, 6, 7, 8, 9; \d gates\)$/m);
      assert.match(r.stdout, /design decision: Route53 zones .* because phase 2's gates need/);
      assert.doesNotMatch(r.stdout, /the plan/, 'no reference to a document the user does not have');
      const json = s.run(['phases', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(json.length, 11);
      assert.deepEqual(json.map((p) => p.scope), ['organization', ...Array(10).fill('env')]);
      assert.ok(json[2].gates.includes('certificate-issued'));
    } finally {
      s.dispose();
    }
  });
});
