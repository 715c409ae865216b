/**
 * istio-mesh-strict-mtls judges the phase that installs Istio (istiod's chart), not every phase that
 * adds mesh policy: phase 5 plans an AuthorizationPolicy and a namespace PeerAuthentication, and
 * must not be told to create phase 2's mesh-wide default again (it blocked `up` of phase 5 in prod).
 */
import { strict as assert } from 'node:assert';
import { runChecks } from '../../src/checks/runner.js';
import { meshRules } from '../../src/checks/rules/kubernetes.js';
import { EnvConfigSchema } from '../../src/core/env.js';
import { validEnv } from '../helpers/env-fixtures.js';

const env = EnvConfigSchema.parse(validEnv());
const rule = meshRules.filter((r) => r.name === 'istio-mesh-strict-mtls');
const r = (phase: number, type: string, name: string, inputs: Record<string, unknown>) => ({ phase, urn: `urn:${name}`, type, name, inputs }) as any;
const authz = r(5, 'kubernetes:security.istio.io/v1:AuthorizationPolicy', 'allow-nothing', { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'allow-nothing', namespace: 'apps-dev' }, spec: {} });
const istiod = r(2, 'kubernetes:helm.sh/v3:Release', 'istiod', { chart: 'istiod', version: '1.30.4', namespace: 'istio-system', values: {} });

describe('istio-mesh-strict-mtls: scope', () => {
  it('a phase that only adds mesh policy is not asked for the mesh-wide default', async () => {
    const res = await runChecks([authz], { env, now: 0, rules: rule });
    assert.deepEqual(res.findings, []);
  });
  it('the phase that installs istiod without the mesh-wide STRICT default is reported', async () => {
    const res = await runChecks([istiod, authz], { env, now: 0, rules: rule });
    assert.deepEqual(res.findings.map((f) => f.message), ['no PeerAuthentication istio-system/default: the mesh accepts plain text']);
  });
});
