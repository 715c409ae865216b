/**
 * Phase 7's Prometheus rules under the real promtool (built from its Go module by
 * scripts/install-prometheus.sh): every rule parses (`promtool check rules`), and every alert fires
 * on its bad series with its exact labels and annotations and stays quiet on good ones
 * (`promtool test rules`). A deliberately broken copy of the rules must fail the same unit tests,
 * so a harness that always passes is caught too.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { alertNames, ruleGroups, type PromRuleGroup } from '../../programs/07-observability/rules.js';
import { sloServices } from '../../programs/07-observability/services.js';
import { coverage, platformCases, promtoolTests, serviceCases } from './rule-cases.js';
import { run } from './prom-tools.js';

describe('phase 7 rules under the real promtool', function () {
  // promtool evaluates every rule at every step of every test group: minutes on a loaded 2-core box.
  this.timeout(600_000);
  const services = sloServices({ prod: 'apps-prod' }, 'prod');
  const groups = ruleGroups(services);
  const cases = [...services.flatMap(serviceCases), ...platformCases()];
  let dir: string;
  const write = (name: string, data: unknown) => {
    writeFileSync(join(dir, name), stringify(data, { lineWidth: 0 }));
    return join(dir, name);
  };
  before(() => (dir = mkdtempSync(join(tmpdir(), 'phase7-rules-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has a rule group per service plus the platform group', () => {
    assert.deepEqual(groups.map((g) => g.name), [...services.map((s) => `slo-${s.name}`), 'platform']);
    assert.ok(services.length >= 7, `services: ${services.map((s) => s.name).join(', ')}`);
  });

  it('promtool check rules (every lint fatal) accepts every rule', async () => {
    const file = write('rules.yml', { groups });
    const r = await run('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', file]);
    const count = groups.reduce((n, g) => n + g.rules.length, 0);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, new RegExp(`SUCCESS: ${count} rules found`));
  });

  it('every alert has a firing case and a quiet case', () => {
    const gaps = coverage(alertNames(groups), cases);
    assert.deepEqual(gaps, { noFiring: [], noQuiet: [] });
  });

  it('promtool test rules: each alert fires on its bad series and stays quiet on good ones', async () => {
    write('rules.yml', { groups });
    const tests = write('rules_test.yml', promtoolTests('rules.yml', cases));
    const r = await run('promtool', ['test', 'rules', tests], { cwd: dir, timeoutMs: 540_000 });
    assert.equal(r.code, 0, (r.stdout + r.stderr).slice(0, 4000));
    assert.match(r.stdout, /SUCCESS/);
  });

  it('the same unit tests fail on a broken rule (fast-burn threshold raised 100x)', async () => {
    const broken: PromRuleGroup[] = structuredClone(groups);
    const fast = broken[0]!.rules.find((r) => r.alert === 'ServiceErrorBudgetBurnFast')!;
    fast.expr = fast.expr.replace(/> ([0-9.]+)/g, (_m, n: string) => `> ${Number(n) * 100}`);
    write('broken.yml', { groups: broken });
    const tests = write('broken_test.yml', promtoolTests('broken.yml', cases));
    const r = await run('promtool', ['test', 'rules', tests], { cwd: dir, timeoutMs: 540_000 });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout + r.stderr, /FAILED/);
    assert.match(r.stdout + r.stderr, /ServiceErrorBudgetBurnFast/);
  });
});
