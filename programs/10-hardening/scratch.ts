/**
 * The scratch namespace restore drills land in, as plain manifests: restricted Pod Security, outside
 * the mesh (a restored database is checked through the API server's exec, never over the network),
 * every ingress and egress denied, and a quota that fits one restored database and nothing more.
 * The drill deletes what it creates there; the namespace and its policy stay.
 */
type Manifest = Record<string, any>;

export const SCRATCH_NAMESPACE = 'restore-drill';

export function scratchManifests(namespace = SCRATCH_NAMESPACE): { namespace: Manifest; policies: Manifest[] } {
  return {
    namespace: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'istio-injection': 'disabled',
          'app.kubernetes.io/part-of': 'platform-hardening',
        },
      },
    },
    policies: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'deny-all', namespace },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      },
      {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'one-restore', namespace },
        spec: { hard: { pods: '2', persistentvolumeclaims: '2', 'requests.cpu': '2', 'requests.memory': '4Gi', 'limits.memory': '4Gi' } },
      },
    ],
  };
}
