import { strict as assert } from 'node:assert';
import { buildReport } from '../../src/report/build.js';
import { renderHtml, renderMarkdown } from '../../src/report/render.js';
import type { CheckResult } from '../../src/checks/types.js';
import type { PhaseRecord } from '../../src/core/ports.js';
import { testPhases } from '../helpers/test-phases.js';

const EVIL = '<script>alert("x")</script>';

function report() {
  const checks: CheckResult = {
    env: 'prod',
    rulesEvaluated: ['s3-public'],
    resourcesChecked: 3,
    manifestsChecked: 0,
    charts: [],
    findings: [{ rule: 's3-public', mirrors: ['CKV_AWS_20'], severity: 'high', phase: 1, type: 'aws:s3/bucket:Bucket', name: 'logs', urn: 'u', property: 'acl', message: `bucket is public ${EVIL}`, fix: 'make it private' }],
    suppressed: [],
    suppressions: [{ rule: 'k8s-manifest-known-kind', resource: '4:kubernetes:kafka.strimzi.io/v1:*', reason: 'no published schema', expires: '2027-05-31', matched: 6 }],
    expiredSuppressions: [{ rule: 'eks-public-endpoint', resource: '2:*', expires: '2026-01-31', problem: 'expired' }],
    durationMs: 1,
  };
  const records = new Map<number, PhaseRecord>([
    [0, { env: 'org', phase: 0, stack: 's0', engine: 'pulumi', status: 'succeeded', fingerprint: 'f0', gates: { fingerprint: 'f0', at: '2026-11-30T09:00:00Z', results: [{ gate: 'accounts', status: 'pass', evidence: ['3 accounts ACTIVE'], durationMs: 5 }] }, startedAt: 'x', runId: 'r' }],
    [1, { env: 'prod', phase: 1, stack: 's1', engine: 'pulumi', status: 'succeeded', fingerprint: 'f1b', gates: { fingerprint: 'f1a', at: '2026-11-29T09:00:00Z', results: [{ gate: 'vpc', status: 'fail', evidence: [`saw ${EVIL}`], hint: 'fix <it>', durationMs: 5 }] }, startedAt: 'x', runId: 'r' }],
  ]);
  return buildReport({
    env: 'prod',
    engine: 'pulumi',
    registry: testPhases({ 0: [], 1: [0], 2: [1] }),
    records: records as never,
    checks,
    securityHub: { available: true, region: 'eu-west-1', activeBySeverity: { CRITICAL: 1 }, truncated: false, top: [{ severity: 'CRITICAL', title: `Root keys ${EVIL}`, resource: 'arn:aws:iam::1:root' }] },
    guardDuty: { available: false, reason: 'GuardDuty (eu-west-1): AccessDeniedException: <denied>' },
    backup: { available: false, reason: 'AWS Backup (eu-west-1): no credentials' },
    drBackup: {
      available: true,
      region: 'eu-central-1',
      vaults: [{ name: 'platform-prod-dr', recoveryPoints: 40 }],
      copyJobsByState: { COMPLETED: 3, FAILED: 1 },
      windowHours: 24,
      lastCopiedAt: '2026-11-30T02:10:00.000Z',
      failed: [{ resource: 'arn:aws:ec2:eu-west-1:1:volume/vol-3', state: 'FAILED', message: `copy denied ${EVIL}` }],
    },
    cost: { available: false, reason: 'not planned' },
    notPlanned: [{ phase: 2, reason: 'no program yet' }],
    now: new Date('2026-11-30T10:00:00Z'),
  });
}

describe('report: rendering', () => {
  it('HTML: a finding, a gate evidence line and a Security Hub title holding <script> are escaped text, never markup', () => {
    const html = renderHtml(report());
    assert.doesNotMatch(html, /<script/i);
    assert.equal(html.split('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;').length - 1, 4, 'finding, gate evidence, Security Hub title, DR copy failure');
    assert.match(html, /&lt;denied&gt;/);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  it('Markdown: the same texts are entities, table cells cannot be broken by | or line breaks', () => {
    const md = renderMarkdown(report());
    assert.doesNotMatch(md, /<script/i);
    assert.match(md, /&lt;script&gt;alert\("x"\)&lt;\/script&gt;/);
    for (const line of md.split('\n').filter((l) => l.startsWith('| '))) assert.ok(line.endsWith(' |'), line);
  });

  it('says what it saw: gates per phase (stale when they verified another version), suppressions with expiry, failed suppressions, unavailable sources with the reason, unplanned phases', () => {
    const md = renderMarkdown(report());
    assert.match(md, /\| 0 p0 \| succeeded \| 1 pass \| 2026-11-30T09:00:00Z \| yes \|/);
    assert.match(md, /\| 1 p1 \| succeeded \| 1 fail \| 2026-11-29T09:00:00Z \| no \(stale\) \|/);
    assert.match(md, /\| k8s-manifest-known-kind \| 4:kubernetes:kafka.strimzi.io\/v1:\\\* \| 2027-05-31 \| 6 \| no published schema \|/);
    assert.match(md, /\| eks-public-endpoint \| 2:\\\* \| 2026-01-31 \| expired \|/);
    assert.match(md, /## GuardDuty\n\nUnavailable: GuardDuty \(eu-west-1\): AccessDeniedException: &lt;denied&gt;/);
    assert.match(md, /Not deployed in this env: phase 2\./);
    assert.match(md, /## Backups in the DR region\n\neu-central-1: copies into this region in the last 24 h by state: COMPLETED 3, FAILED 1; last completed copy: 2026-11-30T02:10:00.000Z\./);
    assert.match(md, /\| platform-prod-dr \| 40 \|/);
    assert.match(md, /\| arn:aws:ec2:eu-west-1:1:volume\/vol-3 \| FAILED \| copy denied &lt;script&gt;/);
    assert.match(md, /- phase 2: no program yet \(no static checks, no cost\)/);
  });
});
