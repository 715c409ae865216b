/**
 * Phase 2 gates on controller APIs (reference/phases.md, phase 2 "Gate" 2): External Secrets'
 * ClusterSecretStore is Ready (its provider can reach Secrets Manager with its role), and the
 * metrics API served by metrics-server is Available (HPA and `kubectl top` depend on it).
 */
import type { Gate } from '../../src/core/gate.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { Evidence } from '../../src/gates/evidence.js';
import { apiServiceAvailable, crReady } from '../../src/gates/k8s/readiness.js';
import type { Phase2Outputs } from './phase.js';

type G = Gate<Phase2Outputs, Probes>;

/** The APIService metrics-server registers. */
export const METRICS_API_SERVICE = 'v1beta1.metrics.k8s.io';

const secretStoreReady: G = {
  name: 'secret-store-ready',
  description: "External Secrets' ClusterSecretStore is Ready",
  live: true,
  timeoutMs: 5 * 60_000,
  intervalMs: 15_000,
  after: ['workloads-ready'],
  async check({ outputs, probes }) {
    const ev = new Evidence();
    const store = await probes.k8s.read({ kind: 'ClusterSecretStore', name: outputs.clusterSecretStoreName });
    if (!store) return ev.problem(`ClusterSecretStore ${outputs.clusterSecretStoreName} does not exist`).outcome('phase 2 creates it after the External Secrets CRDs: platform up --phase 2');
    const r = crReady(store);
    if (r.ready) ev.saw(r.message);
    else ev.problem(r.message);
    return ev.outcome("an InvalidProviderConfig or ValidationFailed reason names the cause: check the external-secrets role's Pod Identity association and its Secrets Manager policy");
  },
};

const metricsApiAvailable: G = {
  name: 'metrics-api-available',
  description: `The APIService ${METRICS_API_SERVICE} (metrics-server) is Available`,
  live: true,
  timeoutMs: 5 * 60_000,
  intervalMs: 15_000,
  after: ['workloads-ready'],
  async check({ probes }) {
    const ev = new Evidence();
    const api = await probes.k8s.read({ kind: 'APIService', name: METRICS_API_SERVICE });
    if (!api) return ev.problem(`APIService ${METRICS_API_SERVICE} is not registered`).outcome('metrics-server is not installed: platform up --phase 2');
    const r = apiServiceAvailable(api);
    if (r.ready) ev.saw(r.message);
    else ev.problem(r.message);
    return ev.outcome('FailedDiscoveryCheck usually means the control plane cannot reach metrics-server: allow its port (TCP 10250) from the cluster security group to the nodes');
  },
};

/** Controller API gates of phase 2, appended to `gates` in gates.ts. */
export const apiGates: G[] = [secretStoreReady, metricsApiAvailable];
