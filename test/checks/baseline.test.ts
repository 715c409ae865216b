import { strict as assert } from 'node:assert';
import { runChecks } from '../../src/checks/runner.js';
import { allRules } from '../../src/checks/rules/index.js';
import { baseline, env, NOW } from './fixtures.js';

describe('checks: the secure baseline fixture', () => {
  it('passes every rule with zero findings', async () => {
    const result = await runChecks(baseline(), { env: env(), now: NOW });
    assert.deepEqual(result.findings.map((f) => `${f.rule} ${f.name} ${f.property}: ${f.message}`), []);
    assert.equal(result.rulesEvaluated.length, allRules.length);
    assert.ok(result.manifestsChecked >= 5, `manifests checked: ${result.manifestsChecked}`);
  });

  it('has at least 40 rules with unique names, mirrored ids and a fix', () => {
    assert.ok(allRules.length >= 40, `only ${allRules.length} rules`);
    const names = allRules.map((r) => r.name);
    assert.equal(new Set(names).size, names.length, 'duplicate rule names');
    for (const r of allRules) {
      assert.match(r.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, r.name);
      assert.ok(r.mirrors.length > 0, `${r.name} mirrors no scanner rule`);
      assert.ok(r.fix.length > 10, `${r.name} has no fix`);
    }
  });
});

describe('checks: docs/checks.md', () => {
  it('lists every rule in its table', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../docs/checks.md', import.meta.url), 'utf8');
    const listed = [...doc.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual(listed, allRules.map((r) => r.name));
  });
});
