import { strict as assert } from 'node:assert';
import { loopbackSafe } from './loopback-safe.js';

describe('test cluster: loopbackSafe', () => {
  it('drops webhook configurations and service-backed APIServices, turns conversion webhooks off, keeps the rest as given', () => {
    const crdWebhook = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'a.x.io' }, spec: { group: 'x.io', conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { name: 's' } } } } } };
    const crdNone = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'b.x.io' }, spec: { group: 'x.io', conversion: { strategy: 'None' } } };
    const localApi = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.local' }, spec: { group: 'local', version: 'v1' } };
    const svcApi = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.metrics.k8s.io' }, spec: { service: { name: 'metrics-server', namespace: 'kube-system' } } };
    const mwc = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'm' } };
    const vwc = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'v' } };
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' }, spec: { replicas: 1 } };
    const { kept, dropped } = loopbackSafe([crdWebhook, crdNone, localApi, svcApi, mwc, vwc, dep]);
    assert.deepEqual(dropped, ['conversion-webhook-of/a.x.io', 'APIService/v1beta1.metrics.k8s.io', 'MutatingWebhookConfiguration/m', 'ValidatingWebhookConfiguration/v']);
    assert.deepEqual(kept.map((o) => o.metadata?.name), ['a.x.io', 'b.x.io', 'v1.local', 'd']);
    assert.deepEqual((kept[0] as typeof crdWebhook).spec, { group: 'x.io', conversion: { strategy: 'None' } });
    assert.equal(kept[1], crdNone, 'untouched objects are passed through as they are');
    assert.equal(crdWebhook.spec.conversion.strategy, 'Webhook', 'the input is not mutated');
  });
});
