import { strict as assert } from 'node:assert';
import { expandManifests, loadModels, modelFor, validateManifest } from '../../src/checks/manifests.js';
import { runChecks } from '../../src/checks/runner.js';
import { allRules } from '../../src/checks/rules/index.js';
import { env, NOW, res } from './fixtures.js';

const manifestRules = allRules.filter((r) => r.name.startsWith('k8s-manifest-'));

async function model(apiVersion: string, kind: string) {
  await loadModels([{ apiVersion, kind }]);
  const m = modelFor(apiVersion, kind);
  assert.ok(m, `no model for ${apiVersion} ${kind}`);
  return m;
}

describe('checks: manifest schemas', () => {
  it('loads models from kubernetes-models and each @kubernetes-models package', async () => {
    for (const [v, k] of [
      ['v1', 'ConfigMap'],
      ['apps/v1', 'Deployment'],
      ['networking.k8s.io/v1', 'NetworkPolicy'],
      ['security.istio.io/v1', 'PeerAuthentication'],
      ['argoproj.io/v1alpha1', 'ApplicationSet'],
      ['argoproj.io/v1alpha1', 'Rollout'],
      ['cert-manager.io/v1', 'Certificate'],
      ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
    ]) {
      const m = await model(v, k);
      assert.equal(m.kind, k);
    }
  });

  it('knows no model for an unknown kind, a sub-object, or a path-like kind', async () => {
    await loadModels([{ apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'Kafka' }, { apiVersion: 'v1', kind: 'Container' }, { apiVersion: 'v1', kind: '../x' }]);
    assert.equal(modelFor('kafka.strimzi.io/v1beta2', 'Kafka'), null);
    assert.equal(modelFor('v1', 'Container'), null);
    assert.equal(modelFor('v1', '../x'), null);
  });

  it('reports schema errors with a dotted path and the allowed values', async () => {
    const m = await model('security.istio.io/v1', 'PeerAuthentication');
    const r = validateManifest(m, { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'x' }, spec: { mtls: { mode: 'STRICTT' } } });
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].property, 'spec.mtls.mode');
    assert.match(r.errors[0].message, /allowed values.*STRICT/);
  });

  it('finds unknown fields in typed objects but not in maps or free-form values', async () => {
    const cert = await model('cert-manager.io/v1', 'Certificate');
    const c = validateManifest(cert, { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c', labels: { anyKey: 'ok' } }, spec: { secretName: 's', secretNmae: 'oops', dnsNames: ['a.example.com'], issuerRef: { name: 'le' } } });
    assert.deepEqual(c.unknownFields, ['spec.secretNmae']);
    assert.deepEqual(c.errors, []);
    const app = await model('argoproj.io/v1alpha1', 'Application');
    const a = validateManifest(app, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' }, spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'x' }, source: { repoURL: 'https://git.example.com/r', helm: { valuesObject: { whatever: { nested: 1 } } } } } });
    assert.deepEqual(a.unknownFields, []);
  });

  it('does not report a secret placeholder as a schema error', async () => {
    const m = await model('v1', 'Secret');
    const r = validateManifest(m, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: '[secret]' } });
    assert.deepEqual(r.errors, []);
  });

  it('expands ConfigGroup objs and yaml into manifests with their property path', () => {
    const group = res(3, 'kubernetes:yaml/v2:ConfigGroup', 'argocd-apps', {
      objs: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'argocd' }, data: { k: 'v' } }],
      yaml: ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: c\n'],
    });
    const { resources, unreadable } = expandManifests([{ ...group, props: group.inputs }]);
    assert.deepEqual(unreadable, []);
    assert.deepEqual(resources.slice(1).map((r) => [r.type, r.name, r.embeddedAt]), [
      ['kubernetes:core/v1:ConfigMap', 'argocd-apps/ConfigMap/argocd/a', 'objs[0]'],
      ['kubernetes:core/v1:ConfigMap', 'argocd-apps/ConfigMap/b', 'yaml[0]#0'],
      ['kubernetes:core/v1:ServiceAccount', 'argocd-apps/ServiceAccount/c', 'yaml[0]#1'],
    ]);
  });

  it('reports manifests it cannot read, unknown kinds, and schema errors inside a ConfigGroup', async () => {
    const planned = [
      res(3, 'kubernetes:yaml/v2:ConfigFile', 'crds', { file: 'crds.yaml' }),
      res(3, 'kubernetes:yaml/v2:ConfigGroup', 'bad', { yaml: ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: [1, 2]\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n---\nkey: [unclosed\n'] }),
      res(3, 'kubernetes:helm.sh/v3:Release', 'chart', { chart: 'argo-cd', values: { notAManifest: true } }),
    ];
    const { findings, manifestsChecked } = await runChecks(planned, { env: env(), now: NOW, rules: manifestRules });
    assert.equal(manifestsChecked, 2);
    const got = findings.map((f) => `${f.rule} ${f.name} ${f.property}`);
    assert.ok(got.includes('k8s-manifest-known-kind crds (source)'), got.join('\n'));
    assert.ok(got.includes('k8s-manifest-known-kind bad yaml[0]'), got.join('\n'));
    assert.ok(got.includes('k8s-manifest-known-kind bad/Widget/w yaml[0]#1.kind'), got.join('\n'));
    assert.ok(got.includes('k8s-manifest-schema bad/ConfigMap/x yaml[0]#0.data'), got.join('\n'));
    assert.ok(!got.some((g) => g.includes(' chart ')), 'a Helm release is not a manifest');
  });
});
