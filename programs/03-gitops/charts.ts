/**
 * Chart values of Argo CD (argo-cd 10.1.1, Argo CD v3.4.4) and Argo Rollouts (argo-rollouts 2.41.0,
 * v1.9.0), every key checked against the chart's values.yaml at its tag (argoproj/argo-helm
 * `argo-cd-10.1.1`, `argo-rollouts-2.41.0`). The charts' own container security contexts are
 * already the restricted profile (runAsNonRoot, read-only root, no privilege escalation, drop ALL,
 * RuntimeDefault seccomp), so they are not repeated here.
 *
 * Argo CD: the local admin is off (`configs.cm."admin.enabled": false`) and Dex is off: SSO is an
 * OIDC provider the platform team adds under `configs.cm."oidc.config"` (Identity Center or their
 * IdP); until then only `kubectl` reaches it, and the API default role is read-only. The server
 * serves TLS with a cert-manager Certificate (`server.certificate`, secret argocd-server-tls) from
 * phase 2's ClusterIssuer. High availability (stg, prod): Redis HA (three replicas with hard
 * anti-affinity, so at least three nodes), two replicas of server, repo server and ApplicationSet
 * controller, PodDisruptionBudgets; the application controller stays at one replica (sharding is
 * for many clusters, and this topology has one per Argo CD).
 */
export interface GitopsChartOptions {
  domain: string;
  clusterIssuer: string;
  highAvailability: boolean;
}

export const argocdHost = (domain: string): string => `argocd.${domain}`;

export function argoCdValues(o: GitopsChartOptions): Record<string, unknown> {
  const replicas = o.highAvailability ? 2 : 1;
  const pdb = { enabled: o.highAvailability, minAvailable: 1 };
  const metrics = { enabled: true, serviceMonitor: { enabled: true } };
  return {
    global: { domain: argocdHost(o.domain), networkPolicy: { create: true } },
    crds: { install: true, keep: true },
    configs: {
      cm: { 'admin.enabled': false, 'exec.enabled': false },
      rbac: { 'policy.default': 'role:readonly' },
    },
    dex: { enabled: false },
    'redis-ha': { enabled: o.highAvailability },
    controller: { replicas: 1, pdb: { enabled: o.highAvailability, minAvailable: 0 }, metrics },
    server: {
      replicas,
      pdb,
      metrics,
      certificate: {
        enabled: true,
        domain: argocdHost(o.domain),
        issuer: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: o.clusterIssuer },
        privateKey: { rotationPolicy: 'Always', algorithm: 'ECDSA', size: 256 },
      },
    },
    repoServer: { replicas, pdb, metrics },
    applicationSet: { replicas, pdb, metrics },
  };
}

export function argoRolloutsValues(o: GitopsChartOptions): Record<string, unknown> {
  return {
    installCRDs: true,
    keepCRDs: true,
    controller: {
      replicas: o.highAvailability ? 2 : 1,
      pdb: { enabled: o.highAvailability, minAvailable: 1 },
      metrics: { enabled: true, serviceMonitor: { enabled: true } },
    },
    dashboard: { enabled: false },
  };
}
