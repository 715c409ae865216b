/**
 * The checks over rendered charts, with the real Helm and the module-sourced charts at the pinned
 * releases (the test toolchain; the suite fails, naming the install command, without them):
 * - the objects cert-manager renders with the program's values pass every rule; a chart value that
 *   breaks a rule gives a finding naming the chart, the rendered object and the values key;
 * - the values are judged by the chart's values.schema.json (external-dns) or its values.yaml keys
 *   (istiod, through Istio's `pilot.` prefix): a deliberately unknown key is a finding;
 * - a release that cannot be rendered (no Helm) is a finding, and none of its objects pass silently.
 */
import { strict as assert } from 'node:assert';
import { certManagerValues } from '../../programs/02-cluster/charts/cert-manager.js';
import { externalDnsValues } from '../../programs/02-cluster/charts/external-dns.js';
import { istiodValues } from '../../programs/02-cluster/charts/istio.js';
import { platformNetworkPolicies } from '../../programs/02-cluster/network-policies.js';
import { phase as phase2, type Phase2Inputs } from '../../programs/02-cluster/phase.js';
import { chartPin, type ChartKey } from '../../programs/02-cluster/versions.js';
import { helmRenderer } from '../../src/checks/charts/render.js';
import { findingLine } from '../../src/checks/report.js';
import { runChecks } from '../../src/checks/runner.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { phase1OutputsFor, shippedEnv } from '../programs/phase-02-upstream.js';
import { REPO, requireChartToolchain } from './chart-fixtures.js';
import { env, NOW, res, type Planned } from './fixtures.js';

const charts = helmRenderer({ root: REPO, kubeVersion: '1.35' });

function release(key: ChartKey, name: string, namespace: string, values: Record<string, unknown>): Planned {
  const pin = chartPin(key);
  return res(2, 'kubernetes:helm.sh/v3:Release', name, { name, chart: pin.chart, version: pin.version, ...(pin.repo ? { repositoryOpts: { repo: pin.repo } } : {}), namespace, values });
}

const policies = (): Planned[] => platformNetworkPolicies().map((p, i) => res(2, 'kubernetes:networking.k8s.io/v1:NetworkPolicy', `netpol-${i}`, p));

const lines = async (graph: Planned[], renderer = charts) => {
  const r = await runChecks(graph, { env: env(), now: NOW, charts: renderer });
  return { r, lines: r.findings.map(findingLine) };
};

describe('checks: inside the charts (Helm over the module-sourced charts at the pinned release)', function () {
  this.timeout(120_000);
  before(() => requireChartToolchain());

  it("cert-manager's rendered objects with the program's values pass every rule, and are counted", async () => {
    const { r, lines: l } = await lines([release('certManager', 'cert-manager', 'cert-manager', certManagerValues()), ...policies()]);
    assert.deepEqual(l, []);
    const [c] = r.charts;
    assert.deepEqual([c!.chart, c!.version, c!.ok], ['cert-manager', 'v1.21.1', true]);
    // CRDs (6), three Deployments, the startupapicheck Job, webhooks, RBAC, and the chart's 6 NetworkPolicies.
    assert.ok(c!.objects >= 50, `only ${c!.objects} objects rendered`);
    assert.match(c!.origin, /github\.com\/cert-manager\/cert-manager@v1\.21\.1/);
  });

  it('a chart value that breaks a rule is a finding naming the chart, the rendered object and the values key', async () => {
    const v = certManagerValues() as any;
    v.webhook.containerSecurityContext = { ...v.webhook.containerSecurityContext, allowPrivilegeEscalation: true };
    delete v.startupapicheck.resources;
    const { r, lines: l } = await lines([release('certManager', 'cert-manager', 'cert-manager', v), ...policies()]);
    assert.deepEqual(
      r.findings.map((f) => [f.rule, f.name, f.property, f.chart?.chart, f.chart?.valuesKey]),
      [
        ['k8s-no-privilege-escalation', 'cert-manager/Deployment/cert-manager/cert-manager-webhook', 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation', 'cert-manager', 'webhook.containerSecurityContext.allowPrivilegeEscalation'],
        ['k8s-resources', 'cert-manager/Job/cert-manager/cert-manager-startupapicheck', 'spec.template.spec.containers[0].resources', 'cert-manager', 'startupapicheck.resources'],
      ],
    );
    assert.match(l[0]!, /^HIGH phase 2 kubernetes:apps\/v1:Deployment "cert-manager\/Deployment\/cert-manager\/cert-manager-webhook" \(chart cert-manager v1\.21\.1, release cert-manager\) .* fix: values key webhook\.containerSecurityContext\.allowPrivilegeEscalation: /);
  });

  it("without phase 2's NetworkPolicies, the namespace of cert-manager's rendered pods has no default deny", async () => {
    const { r } = await lines([release('certManager', 'cert-manager', 'cert-manager', certManagerValues())]);
    assert.deepEqual(r.findings.map((f) => [f.rule, f.message]), [['k8s-default-deny-network-policy', 'namespace cert-manager runs workloads but has no default-deny NetworkPolicy']]);
  });

  it("a deliberately unknown values key is a finding: external-dns's schema lets it through (additionalProperties: true), its values.yaml and schema properties do not", async () => {
    const e = shippedEnv('prod');
    const inputs = phase2.inputs({ env: e, organization: organizationFor(e).config, upstream: { 1: phase1OutputsFor(e) }, simulated: true }) as Phase2Inputs;
    const good = await lines([release('externalDns', 'external-dns', 'external-dns', externalDnsValues(inputs)), ...policies()]);
    assert.deepEqual(good.lines, []);
    const { r } = await lines([release('externalDns', 'external-dns', 'external-dns', { ...externalDnsValues(inputs), replicaCounts: 2 }), ...policies()]);
    assert.deepEqual(r.findings.map((f) => [f.rule, f.property, f.message]), [
      ['helm-values-known', 'values.replicaCounts', "chart external-dns: values key replicaCounts is not in the chart's values.yaml nor its values.schema.json: Helm ignores it"],
    ]);
    assert.deepEqual(r.charts.map((c) => [c.chart, c.ok]), [['external-dns', true]]);
  });

  it("a key cert-manager's closed schema refuses stops the render: Helm's schema error is a finding per key, and the release is not rendered", async () => {
    const v = certManagerValues() as any;
    v.webhook.replicaCounts = 2;
    const { r } = await lines([release('certManager', 'cert-manager', 'cert-manager', v), ...policies()]);
    assert.deepEqual(r.findings.map((f) => [f.rule, f.property]), [['helm-chart-rendered', 'chart'], ['helm-values-known', 'values.webhook.replicaCounts']]);
    assert.match(r.findings[1]!.message, /values key webhook\.replicaCounts is not in the chart's values\.schema\.json/);
    assert.deepEqual(r.charts.map((c) => [c.chart, c.ok, c.objects]), [['cert-manager', false, 0]]);
  });

  it("without a schema (istiod), values are judged against the chart's values.yaml, through Istio's pilot. prefix", async () => {
    const ok = await lines([release('istiod', 'istiod', 'istio-system', istiodValues())]);
    assert.deepEqual(ok.r.findings.filter((f) => f.rule === 'helm-values-known'), []);
    const v = istiodValues() as any;
    v.pilot.autoscaleMinimum = 2;
    const { r } = await lines([release('istiod', 'istiod', 'istio-system', v)]);
    const bad = r.findings.filter((f) => f.rule === 'helm-values-known');
    assert.deepEqual(bad.map((f) => [f.property, f.message]), [['values.pilot.autoscaleMinimum', "chart istiod: values key pilot.autoscaleMinimum is not in the chart's values.yaml: Helm ignores it"]]);
    assert.equal(r.charts[0]!.ok, true, 'an unknown key in a chart without a schema still renders (Helm ignores the key)');
  });

  it("istiod's global.enableReaderRBAC, read by its templates with `dig` but not declared in values.yaml, is known, and off drops the istio-reader ClusterRole", async () => {
    const off = await lines([release('istiod', 'istiod', 'istio-system', istiodValues())]);
    assert.deepEqual(off.r.findings.filter((f) => f.rule === 'helm-values-known'), []);
    const rendered = async (values: Record<string, unknown>) => {
      const out = await charts({ chart: 'istiod', version: chartPin('istiod').version, releaseName: 'istiod', namespace: 'istio-system', values });
      assert.ok(out.ok, out.ok ? '' : out.reason);
      return out.ok ? out.objects.map((o) => `${o.kind}/${(o.metadata as { name: string }).name}`) : [];
    };
    assert.ok(!(await rendered(istiodValues())).includes('ClusterRole/istio-reader-clusterrole-istio-system'));
    const on = istiodValues() as any;
    on.global.enableReaderRBAC = true;
    assert.ok((await rendered(on)).includes('ClusterRole/istio-reader-clusterrole-istio-system'), 'the key is the one the template reads');
    // A misspelling of it is still unknown.
    const typo = istiodValues() as any;
    typo.global.enableReaderRbac = false;
    const { r } = await lines([release('istiod', 'istiod', 'istio-system', typo)]);
    assert.deepEqual(r.findings.filter((f) => f.rule === 'helm-values-known').map((f) => f.property), ['values.global.enableReaderRbac']);
  });

  it('without Helm, every release is a finding and none of its objects is checked', async () => {
    const noHelm = helmRenderer({ root: REPO, kubeVersion: '1.35', env: { ...process.env, PLATFORM_HELM: '/nonexistent/helm' } });
    const { r } = await lines([release('certManager', 'cert-manager', 'cert-manager', certManagerValues()), ...policies()], noHelm);
    assert.deepEqual(r.findings.map((f) => [f.rule, f.name]), [['helm-chart-rendered', 'cert-manager']]);
    assert.match(r.findings[0]!.message, /no Helm binary: set PLATFORM_HELM/);
    assert.deepEqual(r.charts.map((c) => [c.ok, c.objects]), [[false, 0]]);
  });
});
