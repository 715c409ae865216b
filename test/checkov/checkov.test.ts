/**
 * checkov 3.3.30 as a second opinion over everything prod and stg create in Kubernetes (issue 20
 * item 3): every plain object of every planned phase plus every object of every Helm release that
 * renders offline, found as `platform check` finds them (scan.ts). Every checkov failure is mapped to
 * one of our rules, or listed in checks/checkov-suppressions.yaml with a reason and an expiry, or the
 * suite fails (verdict.ts). It cannot rubber-stamp: a privileged container planted in a real
 * object and in a new one makes it fail, and so do an expired entry and an entry that matches nothing.
 * Needs `bash scripts/install-checkov.sh` and the test toolchain's helm and charts (.ci/run).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireChartToolchain } from '../checks/chart-fixtures.js';
import { checkovBin, envObjects, mkdirp, runCheckov, writeObjects, type CheckovRun, type EnvObjects, type ScannedObject } from './scan.js';
import { failureLine, judge, loadSuppressions, problemLine, SUPPRESSIONS_FILE, type CheckovSuppression, type EnvRun } from './verdict.js';

const root = resolve(import.meta.dirname, '../..');
const ENVS = ['prod', 'stg'] as const;

describe('checkov over every Kubernetes object of prod and stg', function () {
  this.timeout(1_800_000);
  let bin: string;
  let dir: string;
  const now = Date.now();
  const scans = new Map<string, { objects: EnvObjects; files: Map<string, ScannedObject>; run: CheckovRun }>();
  let entries: CheckovSuppression[];

  before(async () => {
    requireChartToolchain();
    bin = checkovBin(root);
    entries = loadSuppressions(join(root, SUPPRESSIONS_FILE));
    dir = mkdtempSync(join(tmpdir(), 'checkov-'));
    for (const env of ENVS) {
      const objects = await envObjects(env, now);
      const files = writeObjects(mkdirp(join(dir, env)), objects.objects);
      const run = await runCheckov(bin, join(dir, env), files);
      scans.set(env, { objects, files, run });
    }
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  const runs = (): EnvRun[] => ENVS.map((env) => ({ env, failed: scans.get(env)!.run.failed, checks: scans.get(env)!.objects.checks }));

  it('scans the plain objects of every planned phase and every rendered chart, and checkov reads them all', () => {
    for (const env of ENVS) {
      const { objects, files, run } = scans.get(env)!;
      const fromCharts = objects.objects.filter((o) => !o.handle.split(':')[1]!.startsWith('plain')).length;
      const rendered = objects.charts.filter((c) => c.ok);
      console.log(`    ${env}: ${files.size} objects (${fromCharts} from ${rendered.length} rendered charts), checkov: ${run.passed} passed, ${run.failed.length} failed, ${run.resourceCount} resources`);
      assert.equal(run.parsingErrors, 0, `${env}: checkov could not parse some objects`);
      // The same charts `platform check` renders (test/cli/check-charts.test.ts lists them).
      assert.ok(rendered.length >= 8, `${env}: only ${rendered.length} charts rendered: ${objects.charts.map((c) => `${c.release}: ${c.origin}`).join('; ')}`);
      assert.equal(fromCharts, rendered.reduce((a, c) => a + c.objects, 0));
      // Plain objects of more than phase 2 (phase 1's and later phases' manifests are scanned as they land).
      const phases = new Set(objects.objects.filter((o) => o.handle.split(':')[1] === 'plain').map((o) => o.phase));
      assert.ok(phases.size >= 2, `${env}: plain objects only from phases ${[...phases].join(', ')}`);
      // Every workload was judged (checkov has checks for every pod-bearing kind).
      for (const [file, o] of files) {
        if (/^(Deployment|DaemonSet|StatefulSet|Job|CronJob|Pod)$/.test(String(o.manifest.kind))) assert.ok(run.filesJudged.has(file), `${env}: checkov judged nothing in ${o.handle}`);
      }
    }
  });

  it('every failure is mapped to one of our rules or suppressed with a reason and a live expiry; no entry is stale', () => {
    const v = judge(runs(), entries, now);
    const byCheck = new Map<string, number>();
    for (const f of [...v.mapped.map((m) => m.failure), ...v.suppressed.map((s) => s.failure)]) byCheck.set(f.check, (byCheck.get(f.check) ?? 0) + 1);
    console.log(`    ${v.mapped.length} mapped to our rules, ${v.suppressed.length} suppressed (${entries.length} entries), ${v.unexplained.length} unexplained`);
    assert.deepEqual([...v.unexplained.map(failureLine), ...v.problems.map(problemLine)], []);
  });

  it('fails on a planted privileged container, on a new object and on an object whose other failures are suppressed', async () => {
    const prod = scans.get('prod')!;
    // A real rendered workload with suppressed checkov failures, made privileged.
    const target = prod.objects.objects.find((o) => o.handle === '2:istio-cni:DaemonSet:istio-system/istio-cni-node');
    assert.ok(target, 'the istio-cni DaemonSet is among the scanned objects');
    const manifest = structuredClone(target.manifest) as { spec: { template: { spec: { containers: { securityContext?: Record<string, unknown> }[] } } } };
    manifest.spec.template.spec.containers[0]!.securityContext = { ...manifest.spec.template.spec.containers[0]!.securityContext, privileged: true };
    const planted: ScannedObject = { ...target, manifest };
    const pod: ScannedObject = {
      env: 'prod',
      phase: 2,
      handle: '2:plain:Pod:cert-manager/planted',
      type: 'kubernetes:core/v1:Pod',
      name: 'planted',
      manifest: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'planted', namespace: 'cert-manager' }, spec: { containers: [{ name: 'c', image: 'busybox@sha256:'.padEnd(79, '0'), securityContext: { privileged: true } }] } },
    };
    // Scanned through the same pipeline (files, checkov, verdict with the real entries) with the env's
    // NetworkPolicies (what checkov's graph check CKV2_K8S_6 connects pods to), not with every object:
    // a second checkov run over all of them would cost minutes and prove nothing more.
    const netpols = prod.objects.objects.filter((o) => o.manifest.kind === 'NetworkPolicy');
    const pdir = mkdirp(join(dir, 'planted'));
    const files = writeObjects(pdir, [planted, pod, ...netpols]);
    const run = await runCheckov(bin, pdir, files);
    const v = judge([{ env: 'prod', failed: run.failed, checks: prod.objects.checks }], entries.map((e) => ({ ...e, envs: ['prod'] })), now);
    const lines = v.unexplained.map(failureLine);
    assert.ok(lines.includes('prod CKV_K8S_16 2:istio-cni:DaemonSet:istio-system/istio-cni-node: Container should not be privileged'), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('prod CKV_K8S_16 2:plain:Pod:cert-manager/planted:')), lines.join('\n'));
    // Nothing else about the DaemonSet is unexplained: its other failures stay suppressed.
    assert.deepEqual(lines.filter((l) => l.includes('istio-cni-node')), ['prod CKV_K8S_16 2:istio-cni:DaemonSet:istio-system/istio-cni-node: Container should not be privileged']);
  });

  it('an expired entry fails, and so does an entry that matches nothing', () => {
    assert.ok(entries.length > 0);
    const e = entries[0]!;
    const expired = judge(runs(), [{ ...e, expires: '2026-01-01' }, ...entries.slice(1)], now);
    assert.deepEqual(expired.problems.map(problemLine), [`${SUPPRESSIONS_FILE}: ${e.check} ${e.objects.join(', ')}: expired on 2026-01-01: fix the object or renew the entry with a new reason`]);
    assert.ok(expired.unexplained.length > 0, 'what the expired entry covered is unexplained again');
    // A new entry for an object that does not fail, and one real entry given a second object that does not exist.
    const stale: CheckovSuppression = { check: 'CKV_K8S_16', objects: ['2:plain:Pod:nowhere/nothing'], envs: ['prod', 'stg'], reason: 'an entry for an object that does not exist', expires: '2099-01-01' };
    const grown = { ...e, objects: [...e.objects, '9:plain:Deployment:gone/away'] };
    const rotted = judge(runs(), [stale, grown, ...entries.slice(1)], now);
    assert.deepEqual(rotted.problems.map(problemLine).sort(), [
      `${SUPPRESSIONS_FILE}: ${e.check} 9:plain:Deployment:gone/away: matches no checkov failure in prod, stg: remove it (or drop those envs)`,
      `${SUPPRESSIONS_FILE}: CKV_K8S_16 2:plain:Pod:nowhere/nothing: matches no checkov failure in prod, stg: remove it (or drop those envs)`,
    ].sort());
  });
});
