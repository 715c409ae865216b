/**
 * Phase 6 gates (reference/phases.md, phase 6 "Gate"):
 * - dns: every public host resolves, and only to addresses of the ingress NLB (ExternalDNS wrote
 *   alias records to the gateway Service's load balancer).
 * - tls: every host serves a chain the trust store accepts, valid for the host, not expired, TLS 1.2
 *   or newer; under 14 days left is a warning in the evidence (cert-manager renews at a third of the
 *   life left, so a short remainder means renewal is failing), not a failure.
 * - https: http:// redirects to https://, the frontend answers 2xx, and each API route answers 2xx
 *   on its health path.
 * - mtls: the mesh-wide PeerAuthentication is STRICT, and a plain-text call to every meshed
 *   service, made by the API server's service proxy from outside the mesh, is refused.
 */
import type { Gate } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { tlsProblems } from '../../src/gates/probes/tls.js';
import { plaintextVerdict, type PlaintextAnswer } from './mtls.js';
import type { Phase6Outputs } from './phase.js';

type G = Gate<Phase6Outputs, Probes>;
const MIN = 60_000;
/** Days left under which the tls gate warns. */
export const TLS_WARN_DAYS = 14;
/** The path every service answers health on (phase 5's charts). */
export const HEALTH_PATH = '/health';

const allHosts = (o: Phase6Outputs) => [...o.hostnames.frontend, o.hostnames.api];

export const dnsGate: G = {
  name: 'dns',
  description: 'Every public host resolves to the ingress load balancer',
  live: true,
  timeoutMs: 15 * MIN,
  intervalMs: 30_000,
  async check({ outputs, probes }) {
    const ev = new Evidence();
    const lb = await probes.dns.resolve(outputs.ingressLbHostname, 'A');
    if (lb.values.length === 0) {
      ev.problem(`the load balancer ${outputs.ingressLbHostname} does not resolve (${lb.code ?? 'no A records'})`);
      return ev.outcome('check the istio-ingress Service in phase 2: it must have an NLB host name');
    }
    ev.saw(`${outputs.ingressLbHostname} -> ${lb.values.join(', ')}`);
    for (const host of allHosts(outputs)) {
      const a = await probes.dns.resolve(host, 'A');
      const foreign = a.values.filter((v) => !lb.values.includes(v));
      if (a.values.length === 0) ev.problem(`${host} does not resolve (${a.code ?? 'no A records'}): ExternalDNS has not written its record yet`);
      else if (foreign.length > 0) ev.problem(`${host} resolves to ${foreign.join(', ')}, not the ingress load balancer (${lb.values.join(', ')})`);
      else ev.saw(`${host} -> ${a.values.join(', ')} (the load balancer)`);
    }
    return ev.outcome('look at the ExternalDNS logs (namespace external-dns) and the Gateway hosts; a foreign address means another record owns the name');
  },
};

export const tlsGate: G = {
  name: 'tls',
  description: `Every host serves a trusted, unexpired certificate for its name over TLS >= 1.2 (warns under ${TLS_WARN_DAYS} days)`,
  live: true,
  timeoutMs: 20 * MIN,
  intervalMs: 30_000,
  after: ['dns'],
  async check({ outputs, probes }) {
    const ev = new Evidence();
    for (const host of allHosts(outputs)) {
      const info = await probes.tls.inspect(host, { port: 443, servername: host });
      const problems = tlsProblems(info, { minProtocol: 'TLSv1.2' });
      for (const p of problems) ev.problem(`${host}: ${p}`);
      if (problems.length === 0) {
        ev.saw(`${host}: ${info.protocol}, issuer ${info.issuer}, ${info.daysToExpiry} days left, chain ${info.chain.join(' <- ')}`);
        if (info.daysToExpiry < TLS_WARN_DAYS) ev.saw(`WARNING ${host}: certificate expires in ${info.daysToExpiry} days (< ${TLS_WARN_DAYS}): cert-manager should have renewed it; check its Certificate and Order`);
      }
    }
    return ev.outcome('kubectl -n istio-ingress describe certificate; walk CertificateRequest -> Order -> Challenge for the reason');
  },
};

export const httpsGate: G = {
  name: 'https',
  description: 'http:// redirects to https://; the frontend and every API route answer 2xx',
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 20_000,
  after: ['tls'],
  async check({ outputs, probes }) {
    const ev = new Evidence();
    for (const host of allHosts(outputs)) {
      const r = await probes.http.get(`http://${host}/`, { maxRedirects: 0 });
      const hop = r.hops[0]!;
      if (hop.status >= 300 && hop.status < 400 && hop.location?.startsWith(`https://${host}`)) ev.saw(`http://${host}/ -> ${hop.status} ${hop.location}`);
      else ev.problem(`http://${host}/ answered ${hop.status}${hop.location ? ` -> ${hop.location}` : ''}, not a redirect to https://${host}`);
    }
    const urls = [...outputs.hostnames.frontend.map((h) => `https://${h}/`), ...outputs.apiHealthUrls];
    for (const url of urls) {
      const r = await probes.http.get(url, { maxRedirects: 2 });
      if (r.status >= 200 && r.status < 300) ev.saw(`GET ${url} -> ${r.status}`);
      else ev.problem(`GET ${url} -> ${r.status}`);
    }
    return ev.outcome('check the VirtualServices (kubectl get virtualservice -A) and the services behind them');
  },
};

export const mtlsGate: G = {
  name: 'mtls',
  description: 'Mesh-wide PeerAuthentication is STRICT and a plain-text call to each meshed service is refused',
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: 20_000,
  async check({ outputs, probes }) {
    const ev = new Evidence();
    const pa = await probes.k8s.read({ kind: 'PeerAuthentication', namespace: 'istio-system', name: 'default' });
    const mode = (pa as { spec?: { mtls?: { mode?: string } } } | undefined)?.spec?.mtls?.mode;
    if (!pa) ev.problem('no mesh-wide PeerAuthentication istio-system/default', true);
    else if (mode !== 'STRICT') ev.problem(`mesh-wide PeerAuthentication istio-system/default is ${mode ?? 'unset'}, not STRICT`, true);
    else ev.saw('PeerAuthentication istio-system/default: STRICT');
    for (const s of outputs.meshServices) {
      let answer: PlaintextAnswer;
      try {
        answer = await probes.k8s.proxyGet({ namespace: s.namespace, service: s.name, port: s.port }, HEALTH_PATH);
      } catch (e) {
        answer = { error: (e as Error).message };
      }
      const v = plaintextVerdict(answer);
      if (v.verdict === 'refused') ev.saw(`${s.namespace}/${s.name}:${s.port}: ${v.detail}`);
      else if (v.verdict === 'accepted') ev.problem(`${s.namespace}/${s.name}:${s.port} accepted plain text from outside the mesh: ${v.detail}`);
      else ev.problem(`${s.namespace}/${s.name}:${s.port}: cannot tell, ${v.detail}`);
    }
    return ev.outcome('a service that accepts plain text runs without a sidecar or under a PERMISSIVE PeerAuthentication: kubectl get peerauthentication -A; check the pod has istio-proxy');
  },
};

export const gates: G[] = [dnsGate, tlsGate, httpsGate, mtlsGate];
