/**
 * Phase 6 gates against local counterparts on loopback: the real TLS probe against HTTPS servers
 * with chains generated here (valid, soon to expire, expired, wrong host, untrusted), the real DNS
 * probe against a loopback DNS server, and the mtls gate's plain-text call made with real sockets
 * against a TLS-only server that demands client certificates (a STRICT sidecar's stand-in) and a
 * plain HTTP server (a service that wrongly accepts plain text). Host names are mapped to the
 * loopback ports by the probe shims; everything else is the gates' own code.
 */
import { strict as assert } from 'node:assert';
import { request as httpRequest, createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { gates } from '../../programs/06-edge/gates.js';
import { plaintextVerdict } from '../../programs/06-edge/mtls.js';
import type { Phase6Outputs } from '../../programs/06-edge/phase.js';
import type { GateResult } from '../../src/core/gate.js';
import { runGates, type GatedPhase } from '../../src/gates/run-gates.js';
import { createDnsProbe } from '../../src/gates/probes/dns.js';
import { createTlsProbe } from '../../src/gates/probes/tls.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testEnv } from '../helpers/env-fixtures.js';
import { LoopbackDns } from './dns-server.js';
import { generateChains, type Chain } from './tls-certs.js';

const DOMAIN = 'stg.example.com';
const HOSTS = [DOMAIN, `www.${DOMAIN}`, `api.${DOMAIN}`];
const LB = 'k8s-istioing-ingress-0a1b2c3d4e.elb.eu-west-1.amazonaws.com';
const phase6: GatedPhase = { id: 6, gates };

function outputs(over: Partial<Phase6Outputs> = {}): Phase6Outputs {
  return {
    gatewayName: 'public-gateway',
    gatewayNamespace: 'istio-ingress',
    hostnames: { frontend: [DOMAIN, `www.${DOMAIN}`], api: `api.${DOMAIN}` },
    certificateSecrets: { frontend: 'frontend-tls', api: 'api-tls' },
    ingressLbHostname: LB,
    peerAuthenticationMode: 'STRICT',
    authorizationPolicies: [],
    publicUrls: { frontend: `https://${DOMAIN}/`, api: `https://api.${DOMAIN}/` },
    apiHealthUrls: [`https://api.${DOMAIN}/catalog/health`],
    meshServices: [{ namespace: 'apps-stg', name: 'catalog', port: 8080 }],
    kubeconfig: 'apiVersion: v1\nkind: Config\n',
    ...over,
  };
}

async function runOne(name: string, probes: Partial<Probes>, out = outputs()): Promise<GateResult> {
  const [r] = await runGates(phase6, {
    env: testEnv(),
    outputs: out as unknown as Record<string, unknown>,
    probes: probes as Probes,
    clock: new FakeClock(),
    signal: new AbortController().signal,
    simulated: false,
    emit: () => {},
    only: [name],
  });
  // The runner polls a failing gate until its timeout on the fake clock; the last verdict is what we judge.
  return r!;
}

const listen = async <S extends HttpServer | HttpsServer | TlsServer>(s: S): Promise<number> => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
};
const close = (s: { close(cb: () => void): unknown }) => new Promise<void>((r) => s.close(() => r()));

describe('phase 6 gates against local counterparts', function () {
  this.timeout(60_000);
  let chain: Chain;
  let other: Chain;
  const servers: (HttpServer | HttpsServer | TlsServer)[] = [];
  const ports: Record<string, number> = {};
  before(async () => {
    chain = generateChains(DOMAIN, [`www.${DOMAIN}`, `api.${DOMAIN}`]);
    other = generateChains('shop.example.net');
    const certs = { valid: chain.validCert, soon: chain.soonCert, expired: chain.expiredCert, untrusted: chain.untrustedCert } as const;
    for (const [name, cert] of Object.entries(certs)) {
      const s = createHttpsServer({ cert, key: chain.key }, (_q, res) => res.end('ok'));
      servers.push(s);
      ports[name] = await listen(s);
    }
    // Signed by the same kind of chain but for another name, and trusted through its own root.
    const wrong = createHttpsServer({ cert: other.validCert, key: other.key }, (_q, res) => res.end('ok'));
    servers.push(wrong);
    ports.wrong = await listen(wrong);
  });
  after(async () => {
    await Promise.all(servers.map(close));
    chain?.cleanup();
    other?.cleanup();
  });

  describe('tls', () => {
    const tlsTo = (port: number) => {
      const real = createTlsProbe({ ca: [chain.rootPem, other.rootPem] });
      return { inspect: (host: string) => real.inspect('127.0.0.1', { port, servername: host }), offer: () => Promise.reject(new Error('phase 6 gates make no offers')) };
    };

    it('valid chain for every host: pass, no warning', async () => {
      const r = await runOne('tls', { tls: tlsTo(ports.valid!) });
      assert.equal(r.status, 'pass', r.evidence.join('\n'));
      assert.equal(r.evidence.filter((e) => e.startsWith('WARNING')).length, 0);
      for (const h of HOSTS) assert.ok(r.evidence.some((e) => e.startsWith(`${h}: TLSv1.3, issuer Gate Test Intermediate`)), r.evidence.join('\n'));
    });

    it('expiring in 7 days: pass with a warning per host', async () => {
      const r = await runOne('tls', { tls: tlsTo(ports.soon!) });
      assert.equal(r.status, 'pass', r.evidence.join('\n'));
      const warnings = r.evidence.filter((e) => e.startsWith('WARNING'));
      assert.equal(warnings.length, 3, r.evidence.join('\n'));
      assert.match(warnings[0]!, /expires in 7 days \(< 14\)/);
    });

    it('expired: fail naming the expiry', async () => {
      const r = await runOne('tls', { tls: tlsTo(ports.expired!) });
      assert.equal(r.status, 'fail');
      assert.ok(r.evidence.includes(`${DOMAIN}: chain not trusted: CERT_HAS_EXPIRED`), r.evidence.join('\n'));
      assert.ok(r.evidence.some((e) => e.startsWith(`api.${DOMAIN}: certificate expired on `)));
    });

    it('certificate for another host: fail naming the host', async () => {
      const r = await runOne('tls', { tls: tlsTo(ports.wrong!) });
      assert.equal(r.status, 'fail');
      assert.ok(r.evidence.some((e) => e.startsWith(`api.${DOMAIN}: certificate not valid for api.${DOMAIN}`)), r.evidence.join('\n'));
      assert.ok(!r.evidence.some((e) => e.includes('chain not trusted')), 'the chain itself is trusted');
    });

    it('untrusted chain: fail naming why', async () => {
      const r = await runOne('tls', { tls: tlsTo(ports.untrusted!) });
      assert.equal(r.status, 'fail');
      assert.ok(r.evidence.some((e) => /^stg\.example\.com: chain not trusted: (UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)$/.test(e)), r.evidence.join('\n'));
    });
  });

  describe('dns', () => {
    const zone = (over: Record<string, { A: string[] }> = {}) => ({
      [LB]: { A: ['192.0.2.10', '192.0.2.11'] },
      [DOMAIN]: { A: ['192.0.2.10', '192.0.2.11'] },
      [`www.${DOMAIN}`]: { A: ['192.0.2.11', '192.0.2.10'] },
      [`api.${DOMAIN}`]: { A: ['192.0.2.10', '192.0.2.11'] },
      ...over,
    });
    const withDns = async (z: ReturnType<typeof zone>, name = 'dns') => {
      const dns = new LoopbackDns(z);
      const server = await dns.start();
      try {
        return await runOne(name, { dns: createDnsProbe({ servers: [server], timeoutMs: 1000, tries: 1 }) });
      } finally {
        await dns.stop();
      }
    };

    it('every host resolves to the load balancer: pass', async () => {
      const r = await withDns(zone());
      assert.equal(r.status, 'pass', r.evidence.join('\n'));
    });

    it('a host without a record, and one pointing elsewhere: fail naming both', async () => {
      const z = zone({ [`www.${DOMAIN}`]: { A: ['198.51.100.7'] } });
      delete (z as Record<string, unknown>)[`api.${DOMAIN}`];
      const r = await withDns(z);
      assert.equal(r.status, 'fail');
      assert.ok(r.evidence.includes(`www.${DOMAIN} resolves to 198.51.100.7, not the ingress load balancer (192.0.2.10, 192.0.2.11)`), r.evidence.join('\n'));
      assert.ok(r.evidence.some((e) => e.startsWith(`api.${DOMAIN} does not resolve (ENOTFOUND)`)), r.evidence.join('\n'));
    });
  });

  describe('mtls', () => {
    let strictPort: number;
    let plainPort: number;
    let deadPort: number;
    before(async () => {
      // A STRICT sidecar's stand-in: TLS only, client certificate required.
      const strict = createTlsServer({ cert: chain.validCert, key: chain.key, requestCert: true, rejectUnauthorized: true, ca: [chain.rootPem] }, (s) => s.end());
      strict.on('tlsClientError', () => {});
      servers.push(strict);
      strictPort = await listen(strict);
      const plain = createHttpServer((_q, res) => res.end('{"status":"ok"}'));
      servers.push(plain);
      plainPort = await listen(plain);
      const dead = createHttpServer();
      deadPort = await listen(dead);
      await close(dead);
    });

    /** The plain-text call with real sockets, as the API server's proxy makes it. */
    const plainGet = (port: number) => (): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/health', method: 'GET' }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.setTimeout(5000, () => req.destroy(new Error('timed out')));
        req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(`${e.code ?? ''} ${e.message}`)));
        req.end();
      });
    const k8s = (mode: string | undefined, port: number) => ({
      read: async () => (mode ? { kind: 'PeerAuthentication', metadata: { name: 'default' }, spec: { mtls: { mode } } } : undefined),
      proxyGet: plainGet(port),
    });

    it('STRICT and the plain-text call is refused: pass', async () => {
      const r = await runOne('mtls', { k8s: k8s('STRICT', strictPort) as unknown as Probes['k8s'] });
      assert.equal(r.status, 'pass', r.evidence.join('\n'));
      assert.match(r.evidence.join('\n'), /apps-stg\/catalog:8080: connection refused plain text/);
    });

    it('the service wrongly accepts plain text: fail', async () => {
      const r = await runOne('mtls', { k8s: k8s('STRICT', plainPort) as unknown as Probes['k8s'] });
      assert.equal(r.status, 'fail');
      assert.ok(r.evidence.includes('apps-stg/catalog:8080 accepted plain text from outside the mesh: plain text got an HTTP 200 answer from the service'), r.evidence.join('\n'));
    });

    it('nothing listening proves nothing: fail, not pass', async () => {
      const r = await runOne('mtls', { k8s: k8s('STRICT', deadPort) as unknown as Probes['k8s'] });
      assert.equal(r.status, 'fail');
      assert.match(r.evidence.join('\n'), /cannot tell, nothing answered: .*ECONNREFUSED/);
    });

    it('PERMISSIVE mesh-wide: terminal fail even though the call was refused', async () => {
      const r = await runOne('mtls', { k8s: k8s('PERMISSIVE', strictPort) as unknown as Probes['k8s'] });
      assert.equal(r.status, 'fail');
      assert.ok(r.evidence.includes('mesh-wide PeerAuthentication istio-system/default is PERMISSIVE, not STRICT'));
    });

    it("judges the API server proxy's answers (apimachinery's 'error trying to reach service' Status)", () => {
      const status = (message: string) => ({ status: 503, body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'ServiceUnavailable', code: 503 }) });
      assert.equal(plaintextVerdict(status('error trying to reach service: read tcp 10.0.1.5:43210->10.0.2.7:8080: read: connection reset by peer')).verdict, 'refused');
      assert.equal(plaintextVerdict(status('error trying to reach service: EOF')).verdict, 'refused');
      assert.equal(plaintextVerdict(status('error trying to reach service: dial tcp 10.0.2.7:8080: connect: connection refused')).verdict, 'inconclusive');
      assert.equal(plaintextVerdict(status('no endpoints available for service "catalog"')).verdict, 'inconclusive');
      assert.equal(plaintextVerdict({ status: 503, body: 'upstream connect error' }).verdict, 'accepted');
      assert.equal(plaintextVerdict({ status: 404, body: 'not found' }).verdict, 'accepted');
    });
  });
});
