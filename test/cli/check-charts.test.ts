/**
 * `platform check` as users run it (built CLI, scratch project) sees inside the Helm charts:
 * - with Helm and the pinned charts available (the test toolchain's module charts), it lists every
 *   release with the number of rendered objects it checked and reports 0 findings for prod;
 * - for a user without Helm (or without the charts), every renderable release is NOT rendered, which
 *   is a finding: prod (blockOnViolation) exits 1 with an `error:` line naming how to fix it, and
 *   the same check blocks `up`.
 */
import { strict as assert } from 'node:assert';
import { requireChartToolchain } from '../checks/chart-fixtures.js';
import { Scratch } from './helpers.js';

describe('CLI: platform check renders the charts', function () {
  this.timeout(300_000);
  let s: Scratch;
  before(() => {
    requireChartToolchain();
    s = new Scratch();
  });
  after(() => s?.dispose());

  it('prod: one line per chart with the rendered objects checked, 0 findings', () => {
    const r = s.run(['check', '--phase', '2', '--env', 'prod']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const lines = r.stdout.trim().split('\n');
    const rendered = lines.filter((l) => /^chart \S+ \S+ \(release \S+, phase 2\): \d+ rendered objects? checked; /.test(l));
    assert.deepEqual(
      rendered.map((l) => l.split(' (')[0]).sort(),
      ['chart base 1.30.4', 'chart cert-manager v1.21.1', 'chart cni 1.30.4', 'chart external-dns 1.21.1', 'chart gateway 1.30.4', 'chart istiod 1.30.4', 'chart karpenter 1.14.1', 'chart metrics-server 3.13.1'],
    );
    for (const l of rendered) assert.ok(Number(/: (\d+) rendered/.exec(l)![1]) > 0, l);
    // The charts with no offline source are listed too, never passed silently (their findings are suppressed with a reason in stacks/prod.yaml).
    assert.ok(lines.some((l) => /^chart external-secrets 2\.10\.0 \(release external-secrets, phase 2\): NOT rendered/.test(l)), r.stdout);
    assert.match(lines.at(-1)!, /^checks prod: \d+ rules over \d+ resources, \d+ manifests, \d+ rendered chart objects from 8\/13 charts: 0 findings, \d+ suppressed, 0 failed suppressions in [\d.]+ ms; passed$/);
  });

  it('prod without Helm: every chart is a blocking finding (exit 1) naming what to install', () => {
    const r = s.run(['check', '--phase', '2', '--env', 'prod'], { PLATFORM_HELM: '/nonexistent/helm' });
    assert.equal(r.code, 1);
    const findings = r.stdout.split('\n').filter((l) => l.startsWith('HIGH phase 2 kubernetes:helm.sh/v3:Release'));
    assert.equal(findings.length, 8, r.stdout);
    for (const f of findings) assert.match(f, /was not rendered, so none of its objects were checked: no Helm binary: set PLATFORM_HELM, put helm on PATH, or build the test toolchain's .*\[helm-chart-rendered: /);
    assert.match(r.stderr, /^error: static checks failed in env prod: 8 finding\(s\)/m);
  });
});
