/**
 * NetworkPolicies of the platform namespaces whose charts phase 2 can render and check (enforced by
 * the VPC CNI's network policy agent, `enableNetworkPolicy` in cluster.ts):
 * - every one gets `default-deny`: no ingress, no egress for any pod unless another policy allows it;
 * - every one gets `allow-dns-and-https`: egress to CoreDNS (kube-system `k8s-app: kube-dns`, 53
 *   UDP/TCP) and TCP 443 anywhere. 443 is the API server (EKS serves it from ENIs in the VPC whose
 *   addresses are not known ahead) and the AWS APIs the controllers call (Route53, STS, EC2 for
 *   ExternalDNS and cert-manager's DNS-01), reached through the VPC endpoints or NAT;
 * - what each controller needs on top comes from its chart's own policy, enabled in its values:
 *   cert-manager (`networkPolicy`, `webhook.networkPolicy`, `cainjector.networkPolicy`: webhook
 *   10250 and metrics/health in, DNS + 80/443 out), istiod and the ingress gateway
 *   (`global.networkPolicy`: webhook 15017 and xDS 15010-15012 in; the gateway's status, metrics and
 *   service ports in). ExternalDNS's chart has none: `external-dns-metrics` lets its metrics and
 *   health port (7979, `http`) in.
 * The istio-cni node agent is not covered: it runs in the host network, where policies do not apply.
 * Not yet here: external-secrets, monitoring and loki, whose charts cannot be rendered offline (no
 * reachable source), so their pods' labels and ports cannot be checked against a policy.
 */
import { NAMESPACES } from './addons.js';

type Obj = Record<string, unknown>;

export const DEFAULT_DENY = 'default-deny';
export const ALLOW_DNS_HTTPS = 'allow-dns-and-https';

/** The namespaces this file guards. */
export const GUARDED_NAMESPACES = [NAMESPACES.certManager, NAMESPACES.externalDns, NAMESPACES.istioSystem, NAMESPACES.istioIngress] as const;

const policy = (namespace: string, name: string, spec: Obj): Obj => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'platform' } },
  spec,
});

export function platformNetworkPolicies(): Obj[] {
  const out: Obj[] = [];
  for (const ns of GUARDED_NAMESPACES) {
    out.push(policy(ns, DEFAULT_DENY, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
    out.push(
      policy(ns, ALLOW_DNS_HTTPS, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
          },
          { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] },
        ],
      }),
    );
  }
  out.push(
    policy(NAMESPACES.externalDns, 'external-dns-metrics', {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'external-dns' } },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ port: 7979, protocol: 'TCP' }] }],
    }),
  );
  return out;
}
