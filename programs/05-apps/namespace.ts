/**
 * The app namespace of an env and its baseline policy, as pure manifests (the program creates them;
 * the cluster suite checks them with the rendered service chart):
 * - the Namespace: sidecar injection on, Pod Security `restricted` enforced (phase 2 installs Istio
 *   CNI, so no istio-init container needs NET_ADMIN), opted in to the ClusterSecretStore;
 * - PeerAuthentication STRICT for the namespace (the mesh-wide one is phase 2's; this one keeps the
 *   namespace strict even if the mesh default were relaxed);
 * - an AuthorizationPolicy that allows nothing: every service's chart allows only its callers;
 * - a default-deny NetworkPolicy (ingress and egress), and the egress the services need: DNS,
 *   istiod, the namespace itself, the data namespace's PostgreSQL and Kafka, and HTTPS (AWS APIs,
 *   through the VPC endpoints or NAT).
 */
export interface AppNamespaceArgs {
  namespace: string;
  secretStoreLabel: { key: string; value: string };
  dataNamespace: string;
  postgresPort: number;
  kafkaPort: number;
}

type Obj = Record<string, unknown>;

export const ALLOW_NOTHING = 'allow-nothing';
export const DEFAULT_DENY = 'default-deny';
export const ALLOW_EGRESS = 'allow-egress';

const nsSelector = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

export function appNamespaceObjects(a: AppNamespaceArgs): { namespace: Obj; policies: Obj[] } {
  const meta = (name: string) => ({ name, namespace: a.namespace });
  return {
    namespace: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: a.namespace,
        labels: {
          'istio-injection': 'enabled',
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          [a.secretStoreLabel.key]: a.secretStoreLabel.value,
          'app.kubernetes.io/managed-by': 'platform',
        },
      },
    },
    policies: [
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta('default'), spec: { mtls: { mode: 'STRICT' } } },
      // An ALLOW policy with an empty spec matches no request: everything is denied unless another ALLOW matches.
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta(ALLOW_NOTHING), spec: {} },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(DEFAULT_DENY), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta(ALLOW_EGRESS),
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            { to: [{ ...nsSelector('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
            { to: [nsSelector('istio-system')], ports: [{ port: 15012, protocol: 'TCP' }, { port: 15017, protocol: 'TCP' }] },
            { to: [{ podSelector: {} }] },
            { to: [nsSelector(a.dataNamespace)], ports: [{ port: a.postgresPort, protocol: 'TCP' }, { port: a.kafkaPort, protocol: 'TCP' }] },
            { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] },
          ],
        },
      },
    ],
  };
}
