/**
 * The chart lock and what phase 2 installs from it (review B6, B7): every release is an entry of
 * charts.lock.yaml with a digest or evidence; the lock's own schema refuses an entry without one;
 * and the planned releases pass the Helm rules (locked version, writable path under a read-only root).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { CHART_LOCK_URL, chartLock, parseChartLock, vouchedEntry } from '../../programs/shared/chart-lock.js';
import { pinnedRelease } from '../../programs/shared/charts.js';
import { CHART_KEYS, chartPins } from '../../programs/02-cluster/versions.js';
import { GITOPS_CHART_KEYS } from '../../programs/03-gitops/versions.js';
import { runChecks } from '../../src/checks/runner.js';
import { helmRules } from '../../src/checks/rules/helm-charts.js';
import { env as checksEnv, NOW } from '../checks/fixtures.js';
import { releases, runPhase2, values } from './phase-02-run.js';
import { shippedEnv } from './phase-02-upstream.js';
import { disruptionSpec } from '../../programs/02-cluster/charts/karpenter.js';
import { TRACING_CHART_KEYS } from '../../programs/07-observability/tracing.js';

const lockText = () => readFileSync(CHART_LOCK_URL, 'utf8');

describe('chart lock (programs/02-cluster/charts.lock.yaml)', () => {
  it('holds exactly the charts phases 2, 3, 4, 7 and 8 install, each with a digest or the evidence why not', () => {
    const lock = chartLock();
    assert.deepEqual(Object.keys(lock.charts).sort(), [...CHART_KEYS, ...GITOPS_CHART_KEYS, 'strimzi', ...TRACING_CHART_KEYS, 'prometheusAdapter'].sort());
    for (const [key, e] of Object.entries(lock.charts)) {
      if (e.digestSource === 'repository-index') assert.match(e.digest!, /^sha256:[0-9a-f]{64}$/, key);
      if (e.digestSource === 'go-module') assert.match(e.digest!, /^h1:/, key);
      assert.ok(e.evidence.length > 10, `${key} names its evidence`);
    }
  });

  it('pins loki to 12.0.0, the release that exists (12.0.1 was never published)', () => {
    const loki = chartLock().charts.loki!;
    assert.equal(loki.version, '12.0.0');
    assert.equal(loki.digestSource, 'repository-index');
  });

  it('refuses an entry whose digest does not match its source, naming the entry', () => {
    const doc = parse(lockText());
    doc.charts.loki.digest = null;
    assert.throws(() => parseChartLock(stringify(doc)), /charts\.loki\.digest: a repository-index digest is sha256/);
    const range = parse(lockText());
    range.charts.alloy.version = '^1.8.0';
    assert.throws(() => parseChartLock(stringify(range)), /charts\.alloy\.version/);
  });

  it('pinnedRelease refuses a version the lock does not vouch for', () => {
    const pin = { chart: 'loki', version: '12.0.1', repo: 'https://grafana-community.github.io/helm-charts' };
    assert.equal(vouchedEntry(chartLock(), pin), undefined);
    assert.throws(() => pinnedRelease('loki', { pin, namespace: 'loki', releaseName: 'loki', values: {} }, {}), /not in programs\/02-cluster\/charts\.lock\.yaml/);
  });
});

for (const name of ['dev', 'prod']) {
  describe(`phase 2 charts from the lock, ${name}`, () => {
    const env = shippedEnv(name);

    it('installs every locked chart once, at its locked version and repository', async () => {
      const r = await runPhase2(env);
      const rel = releases(r.ev);
      assert.equal(rel.length, CHART_KEYS.length);
      for (const x of rel) {
        const e = vouchedEntry(chartLock(), { chart: String(x.inputs.chart), version: String(x.inputs.version), repo: (x.inputs.repositoryOpts as any)?.repo });
        assert.ok(e, `${x.name}: ${String(x.inputs.chart)} ${String(x.inputs.version)} is in the lock`);
      }
      assert.deepEqual(new Set(rel.map((x) => x.inputs.chart)), new Set(Object.values(chartPins()).map((p) => p.chart)));
    });

    it('passes the Helm rules: locked versions, and a writable volume wherever a chart writes under a read-only root', async () => {
      const r = await runPhase2(env);
      const planned = releases(r.ev).map((x) => ({ phase: 2 as const, urn: x.urn, type: x.type, name: x.name, inputs: x.inputs }));
      const { findings } = await runChecks(planned, { env: checksEnv(), now: NOW, rules: helmRules });
      assert.deepEqual(findings.map((f) => `${f.rule} ${f.name} ${f.property}: ${f.message}`), []);
    });

    it('gives Alloy an emptyDir over /tmp, where its storage path is (B7)', async () => {
      const v = values((await runPhase2(env)).ev.resources.find((x) => x.name === 'alloy')!);
      assert.equal(v.alloy.securityContext.readOnlyRootFilesystem, true);
      assert.equal(v.alloy.storagePath, '/tmp/alloy');
      assert.deepEqual(v.alloy.mounts.extra, [{ name: 'tmp', mountPath: '/tmp' }]);
      assert.deepEqual(v.controller.volumes.extra, [{ name: 'tmp', emptyDir: {} }]);
    });
  });
}

describe("Karpenter disruption on phase 2's NodePools, per env (cluster.karpenterDisruption)", () => {
  it("an env that sets nothing keeps Karpenter's default budget (10%, consolidate after 1m)", () => {
    assert.deepEqual(disruptionSpec(undefined), { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m', budgets: [{ nodes: '10%' }] });
  });
  it('prod: no voluntary disruption (consolidation, drift) in the business-hours window, 10% otherwise', () => {
    const prod = shippedEnv('prod').cluster.karpenterDisruption!;
    const spec = disruptionSpec(prod);
    assert.deepEqual(spec.budgets, [
      { nodes: '10%' },
      { nodes: '0', schedule: prod.freeze!.schedule, duration: prod.freeze!.duration, reasons: ['Underutilized', 'Empty', 'Drifted'] },
    ]);
    assert.equal(spec.consolidateAfter, prod.consolidateAfter);
    // Karpenter's CRD patterns (karpenter.sh_nodepools.yaml): budget duration and nodes.
    assert.match(prod.freeze!.duration, /^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$/);
    assert.match(prod.maxDisruptedNodes, /^((100|[0-9]{1,2})%|[0-9]+)$/);
  });
});
