/**
 * Phase 10 transport gates (reference/phases.md phase 10 "Gate" 1):
 * - tls: for every public host, phase 6's checks (trusted chain, valid for the name, unexpired,
 *   negotiated TLS >= 1.2; under 14 days left is a WARNING line) plus the server's policy, asked by
 *   separate handshakes: TLS 1.0 and TLS 1.1 offers must be refused; a TLS 1.2 offer of only weak
 *   suites (no forward secrecy or CBC: the `WEAK_TLS12_CIPHERS` list) must be refused; the suite a
 *   normal client gets must be AEAD with forward secrecy (TLS 1.3 suites, or ECDHE with GCM or
 *   CHACHA20-POLY1305).
 * - mtls: the mesh's own view and a plain-text probe. Every PeerAuthentication in the cluster is
 *   STRICT (mode, and every port-level mode) unless listed in the env's exceptions; the mesh-wide
 *   default istio-system/default exists and is STRICT; every pod of every meshed service runs the
 *   istio-proxy sidecar; and a plain-text call to every meshed service, made from outside the mesh by
 *   the API server's service proxy, is refused (phase 6's verdict rules, programs/06-edge/mtls.ts).
 */
import type { Gate } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { tlsProblems } from '../../src/gates/probes/tls.js';
import { HEALTH_PATH, TLS_WARN_DAYS } from '../06-edge/gates.js';
import { plaintextVerdict, type PlaintextAnswer } from '../06-edge/mtls.js';
import type { Phase10Outputs } from './phase.js';

type G = Gate<Phase10Outputs, Probes>;
const MIN = 60_000;

/** TLS 1.2 suites a public endpoint must refuse: static RSA key exchange, CBC modes, 3DES. */
export const WEAK_TLS12_CIPHERS = ['AES128-SHA', 'AES256-SHA', 'AES128-SHA256', 'AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384', 'DES-CBC3-SHA'].join(':');

/** A negotiated suite is acceptable when it is TLS 1.3's, or ECDHE with an AEAD cipher. */
export function strongCipher(protocol: string, cipher: string): boolean {
  if (protocol === 'TLSv1.3') return true;
  return /^TLS_ECDHE_(RSA|ECDSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/.test(cipher) || /^ECDHE-(RSA|ECDSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/.test(cipher);
}

export const tlsGate: G = {
  name: 'tls',
  description: `Every public host: trusted unexpired chain for its name, TLS >= 1.2 only, forward-secret AEAD suites only (warns under ${TLS_WARN_DAYS} days)`,
  live: true,
  timeoutMs: 5 * MIN,
  intervalMs: 30_000,
  async check({ outputs, probes }) {
    const ev = new Evidence();
    for (const host of outputs.publicHosts) {
      const info = await probes.tls.inspect(host, { port: 443, servername: host });
      const problems = tlsProblems(info, { minProtocol: 'TLSv1.2' });
      for (const p of problems) ev.problem(`${host}: ${p}`, /expired|not valid for/.test(p));
      if (problems.length === 0) {
        ev.saw(`${host}: chain ${info.chain.join(' <- ')}, issuer ${info.issuer}, ${info.daysToExpiry} days left (until ${info.validTo})`);
        if (info.daysToExpiry < TLS_WARN_DAYS) ev.saw(`WARNING ${host}: certificate expires in ${info.daysToExpiry} days (< ${TLS_WARN_DAYS}): cert-manager should have renewed it`);
      }
      for (const old of ['TLSv1', 'TLSv1.1'] as const) {
        const r = await probes.tls.offer(host, { port: 443, servername: host, minVersion: old, maxVersion: old });
        if (r.accepted) ev.problem(`${host}: accepts ${old} (negotiated ${r.protocol} ${r.cipher}); the policy is TLS 1.2 or newer`, true);
        else ev.saw(`${host}: ${old} refused (${r.error})`);
      }
      const weak = await probes.tls.offer(host, { port: 443, servername: host, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: WEAK_TLS12_CIPHERS });
      if (weak.accepted) ev.problem(`${host}: accepts the weak TLS 1.2 suite ${weak.cipher} (no forward secrecy or not AEAD)`, true);
      else ev.saw(`${host}: weak TLS 1.2 suites refused`);
      const normal = await probes.tls.offer(host, { port: 443, servername: host, minVersion: 'TLSv1.2' });
      if (!normal.accepted) ev.problem(`${host}: a TLS 1.2+ client was refused: ${normal.error}`);
      else if (!strongCipher(normal.protocol, normal.cipher)) ev.problem(`${host}: negotiated ${normal.protocol} ${normal.cipher}, not a forward-secret AEAD suite`, true);
      else ev.saw(`${host}: a default client gets ${normal.protocol} ${normal.cipher}`);
    }
    return ev.outcome("certificates: kubectl -n istio-ingress describe certificate; protocols and suites: the Gateway's tls.minProtocolVersion and cipherSuites (phase 6, edge.ts)");
  },
};

interface PeerAuthentication {
  metadata?: { namespace?: string; name?: string };
  spec?: { mtls?: { mode?: string }; portLevelMtls?: Record<string, { mode?: string }> };
}

/** Modes of a PeerAuthentication that are not STRICT (`mode`, `port 8080 mode`); empty when all are. */
export function nonStrictModes(pa: PeerAuthentication, meshWide: boolean): string[] {
  const out: string[] = [];
  const mode = pa.spec?.mtls?.mode;
  // UNSET inherits from the parent; only the mesh-wide default must say STRICT itself.
  if (mode === undefined || mode === 'UNSET') {
    if (meshWide) out.push(`mode ${mode ?? 'unset'}`);
  } else if (mode !== 'STRICT') out.push(`mode ${mode}`);
  for (const [port, p] of Object.entries(pa.spec?.portLevelMtls ?? {})) {
    if (p.mode !== undefined && p.mode !== 'STRICT' && p.mode !== 'UNSET') out.push(`port ${port} mode ${p.mode}`);
  }
  return out;
}

interface PodLike {
  metadata?: { name?: string };
  spec?: { containers?: Array<{ name?: string }>; initContainers?: Array<{ name?: string; restartPolicy?: string }> };
}

/** The pod runs Istio's sidecar (a container, or a native sidecar init container). */
export function hasSidecar(pod: PodLike): boolean {
  return (pod.spec?.containers ?? []).some((c) => c.name === 'istio-proxy') || (pod.spec?.initContainers ?? []).some((c) => c.name === 'istio-proxy' && c.restartPolicy === 'Always');
}

export const mtlsGate: G = {
  name: 'mtls',
  description: 'Every PeerAuthentication STRICT but the listed exceptions, every meshed pod with a sidecar, and plain text to every meshed service refused',
  live: true,
  timeoutMs: 5 * MIN,
  intervalMs: 20_000,
  async check({ outputs, probes }) {
    const ev = new Evidence();
    const all = (await probes.k8s.list('PeerAuthentication', { allNamespaces: true })) as PeerAuthentication[];
    const key = (pa: PeerAuthentication) => `${pa.metadata?.namespace}/${pa.metadata?.name}`;
    if (!all.some((pa) => key(pa) === 'istio-system/default')) ev.problem('no mesh-wide PeerAuthentication istio-system/default', true);
    for (const pa of all) {
      const k = key(pa);
      const bad = nonStrictModes(pa, k === 'istio-system/default');
      if (bad.length === 0) ev.saw(`PeerAuthentication ${k}: STRICT`);
      else if (outputs.mtlsExceptions.includes(k)) ev.saw(`PeerAuthentication ${k}: ${bad.join(', ')} (allowed exception)`);
      else ev.problem(`PeerAuthentication ${k}: ${bad.join(', ')}, not STRICT and not an allowed exception`, true);
    }
    for (const s of outputs.meshServices) {
      const pods = (await probes.k8s.list('Pod', { namespace: s.namespace, labelSelector: `app.kubernetes.io/name=${s.name}` })) as PodLike[];
      if (pods.length === 0) ev.problem(`${s.namespace}/${s.name}: no pods (label app.kubernetes.io/name=${s.name})`);
      const bare = pods.filter((p) => !hasSidecar(p)).map((p) => p.metadata?.name ?? '?');
      if (bare.length > 0) ev.problem(`${s.namespace}/${s.name}: pods without the istio-proxy sidecar: ${bare.join(', ')}`);
      else if (pods.length > 0) ev.saw(`${s.namespace}/${s.name}: ${pods.length} pod(s), all with istio-proxy`);
      let answer: PlaintextAnswer;
      try {
        answer = await probes.k8s.proxyGet({ namespace: s.namespace, service: s.name, port: s.port }, HEALTH_PATH);
      } catch (e) {
        answer = { error: (e as Error).message };
      }
      const v = plaintextVerdict(answer);
      if (v.verdict === 'refused') ev.saw(`${s.namespace}/${s.name}:${s.port} plain text: ${v.detail}`);
      else if (v.verdict === 'accepted') ev.problem(`${s.namespace}/${s.name}:${s.port} accepted plain text from outside the mesh: ${v.detail}`);
      else ev.problem(`${s.namespace}/${s.name}:${s.port} plain text: cannot tell, ${v.detail}`);
    }
    return ev.outcome('kubectl get peerauthentication -A; a pod without istio-proxy was started before injection was on (restart it) or opts out of injection');
  },
};
