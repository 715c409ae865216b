/**
 * A small evaluator of Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), to test that the
 * policies a phase plans let through the flows its controllers need and nothing broader:
 * - a pod selected by no policy of a given type (Ingress/Egress) in its namespace is open that way;
 * - otherwise the flow must match one rule of one policy selecting it (rules are ORed; a rule with
 *   no `from`/`to` matches any peer, with no `ports` any port);
 * - peers: `podSelector` (same namespace), `namespaceSelector` (+ `podSelector`), `ipBlock` (an
 *   address outside the pod network: the API server's ENIs, the Pod Identity agent, AWS APIs);
 * - selectors: `matchLabels` and `matchExpressions` with In / NotIn / Exists / DoesNotExist;
 *   namespaces carry `kubernetes.io/metadata.name` as the API server sets it.
 * IPv4 CIDRs only (IPv6 ipBlocks never match an IPv4 address).
 */
type Labels = Record<string, string>;
export type Endpoint = { ns: string; labels: Labels } | { ip: string };
type Selector = { matchLabels?: Labels; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
type Peer = { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: { cidr: string; except?: string[] } };
type Rule = { from?: Peer[]; to?: Peer[]; ports?: { port?: number | string; protocol?: string }[] };
export interface Policy {
  metadata: { name: string; namespace: string };
  spec: { podSelector: Selector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };
}

export function selects(sel: Selector | undefined, labels: Labels): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    const ok =
      e.operator === 'In' ? has && (e.values ?? []).includes(labels[e.key]!) :
      e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(labels[e.key]!) :
      e.operator === 'Exists' ? has :
      e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}

const ipv4 = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  if (!base || base.includes(':') || ip.includes(':')) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

function peerMatches(p: Peer, policyNs: string, other: Endpoint): boolean {
  if (p.ipBlock) return 'ip' in other && inCidr(other.ip, p.ipBlock.cidr) && !(p.ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
  if (!('ns' in other)) return false;
  const nsOk = p.namespaceSelector ? selects(p.namespaceSelector, { 'kubernetes.io/metadata.name': other.ns }) : other.ns === policyNs;
  return nsOk && selects(p.podSelector, other.labels);
}

function ruleMatches(r: Rule, peers: Peer[] | undefined, policyNs: string, other: Endpoint, port: number, protocol: string): boolean {
  const portOk = !r.ports?.length || r.ports.some((p) => (p.port === undefined || p.port === port) && (p.protocol ?? 'TCP') === protocol);
  return portOk && (!peers?.length || peers.some((p) => peerMatches(p, policyNs, other)));
}

function side(policies: readonly Policy[], self: Endpoint, other: Endpoint, type: 'Ingress' | 'Egress', port: number, protocol: string): boolean {
  if (!('ns' in self)) return true; // outside the cluster: no policy applies
  const applying = policies.filter((p) => p.metadata.namespace === self.ns && selects(p.spec.podSelector, self.labels) && (p.spec.policyTypes ?? ['Ingress']).includes(type));
  if (!applying.length) return true;
  return applying.some((p) => (type === 'Ingress' ? p.spec.ingress : p.spec.egress)?.some((r) => ruleMatches(r, type === 'Ingress' ? r.from : r.to, p.metadata.namespace, other, port, protocol)));
}

/** Whether `src` may open a connection to `dst` on `port` under `policies`. */
export function allowed(policies: readonly Policy[], src: Endpoint, dst: Endpoint, port: number, protocol = 'TCP'): boolean {
  return side(policies, src, dst, 'Egress', port, protocol) && side(policies, dst, src, 'Ingress', port, protocol);
}
