import { strict as assert } from 'node:assert';
import { PlatformError } from '../../src/core/errors.js';
import { assertChecksAllowUp, renderJson, renderPlain, verdict } from '../../src/checks/report.js';
import { runChecks } from '../../src/checks/runner.js';
import { isExpired, matchesResource } from '../../src/checks/suppressions.js';
import { env, mutate, NOW } from './fixtures.js';

const publicCluster = () => mutate('cluster', (i) => (i.endpointPublicAccess = true));
const handle = '2:eks:index:Cluster:cluster';
const sup = (expires: string, rule = 'eks-endpoint-private', resource = handle) => ({ rule, resource, reason: 'runner needs the public endpoint until the VPN lands', expires });

describe('checks: suppressions', () => {
  it('a valid suppression hides the matching finding and records how many it matched', async () => {
    const e = env({ suppressions: [sup('2026-12-31')] });
    const r = await runChecks(publicCluster(), { env: e, now: NOW });
    assert.deepEqual(r.findings.filter((f) => f.rule === 'eks-endpoint-private'), []);
    assert.equal(r.suppressed.length, 1);
    assert.equal(r.suppressed[0].property, 'endpointPublicAccess');
    assert.deepEqual(r.suppressions, [{ rule: 'eks-endpoint-private', resource: handle, reason: sup('x').reason, expires: '2026-12-31', matched: 1 }]);
    assert.deepEqual(r.expiredSuppressions, []);
    assert.equal(verdict(r, e), 'block', 'the public endpoint also breaks eks-public-endpoint-cidrs, which is not suppressed');
  });

  it('is valid through its expiry day and expired the day after', () => {
    assert.equal(isExpired({ expires: '2026-11-26' }, NOW), false);
    assert.equal(isExpired({ expires: '2026-11-25' }, NOW), true);
  });

  it('an expired suppression suppresses nothing and fails the check', async () => {
    const e = env({ suppressions: [sup('2026-11-01')], blockOnViolation: false });
    const r = await runChecks(publicCluster(), { env: e, now: NOW });
    assert.ok(r.findings.some((f) => f.rule === 'eks-endpoint-private'));
    assert.deepEqual(r.expiredSuppressions, [{ rule: 'eks-endpoint-private', resource: handle, expires: '2026-11-01', problem: 'expired' }]);
    // an expired suppression alone (no findings left) still fails
    const clean = await runChecks(mutate('cluster', () => {}), { env: e, now: NOW });
    assert.equal(clean.findings.length, 0);
    assert.equal(verdict(clean, e), 'warn');
    assert.equal(verdict(clean, env({ suppressions: [sup('2026-11-01')] })), 'block');
  });

  it('a suppression naming no rule is reported, and prefixes match with *', async () => {
    const r = await runChecks(publicCluster(), { env: env({ suppressions: [sup('2027-01-01', 'no-such-rule'), sup('2027-01-01', 'eks-public-endpoint-cidrs', '2:eks:*')] }), now: NOW });
    assert.deepEqual(r.expiredSuppressions.map((p) => p.problem), ['unknown-rule']);
    assert.ok(!r.findings.some((f) => f.rule === 'eks-public-endpoint-cidrs'));
    assert.equal(matchesResource('2:eks:*', handle), true);
    assert.equal(matchesResource('2:eks:index:Cluster:other', handle), false);
  });
});

describe('checks: output and the up verdict', () => {
  it('prints one line per finding plus a summary line, naming resource, property, rule ids and fix', async () => {
    const e = env();
    const r = await runChecks(mutate('trail', (i) => (i.isMultiRegionTrail = false)), { env: e, now: NOW });
    const lines = renderPlain(r, e);
    assert.equal(lines.length, 2);
    assert.equal(lines[0], 'HIGH phase 1 aws:cloudtrail/trail:Trail "trail" isMultiRegionTrail: the trail records one region only [cloudtrail-multi-region: CKV_AWS_67, AVD-AWS-0014, CIS AWS 3.1] fix: set isMultiRegionTrail: true and includeGlobalServiceEvents: true');
    assert.match(lines[1], /^checks prod: \d+ rules over \d+ resources, \d+ manifests: 1 finding, 0 suppressed, 0 failed suppressions in [\d.]+ ms; blocking: env prod blocks on violations$/);
  });

  it('the summary says passed when clean, and JSON lists rules, findings and suppressions', async () => {
    const e = env({ suppressions: [sup('2027-01-01', 'log-group-retention', '1:*')] });
    const r = await runChecks(mutate('flow', (i) => (i.retentionInDays = 30)), { env: e, now: NOW });
    const lines = renderPlain(r, e);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /: 0 findings, 1 suppressed, .*; passed$/);
    const json = JSON.parse(JSON.stringify(renderJson(r, e)));
    assert.equal(json.verdict, 'pass');
    assert.ok(json.rulesEvaluated.includes('log-group-retention'));
    assert.deepEqual(json.findings, []);
    assert.equal(json.suppressions[0].matched, 1);
    assert.equal(json.suppressedFindings[0].property, 'retentionInDays');
    assert.deepEqual(json.expiredSuppressions, []);
  });

  it('blocks up with a check-failed PlatformError where the env says so, and warns elsewhere', async () => {
    const bad = mutate('eks-secrets', (i) => (i.enableKeyRotation = false));
    const prod = env();
    const r = await runChecks(bad, { env: prod, now: NOW });
    assert.throws(
      () => assertChecksAllowUp(r, prod),
      (e: unknown) => e instanceof PlatformError && e.code === 'check-failed' && e.value === 'kms-key-rotation on aws:kms/key:Key "eks-secrets" enableKeyRotation' && /platform check --env prod/.test(e.hint ?? ''),
    );
    const dev = env({ blockOnViolation: false }, 'dev');
    assert.equal(assertChecksAllowUp(await runChecks(bad, { env: dev, now: NOW }), dev), 'warn');
  });

  it('never prints a secret input value', async () => {
    const e = env();
    const planned = mutate('shop', (i) => {
      i.spec.template.spec.containers[0].env = [{ name: 'DB_PASSWORD', value: '[secret]' }];
      i.spec.template.spec.containers[0].securityContext.privileged = true;
    });
    const r = await runChecks(planned, { env: e, now: NOW });
    const out = renderPlain(r, e).join('\n') + JSON.stringify(renderJson(r, e));
    assert.ok(r.findings.length > 0);
    assert.ok(!out.includes('[secret]') && !out.includes('DB_PASSWORD'));
  });
});
