/**
 * Phase 10 transport gates against local counterparts on loopback: the real TLS probe (inspect and
 * offer) against TLS servers with generated chains and different policies (modern only; also TLS
 * 1.0; also a weak CBC suite; an expired chain), and the mtls gate's plain-text call made with real
 * sockets to a TLS-only server demanding client certificates (a STRICT sidecar's stand-in) and to a
 * plain HTTP server. The Kubernetes reads (PeerAuthentications, pods) are answered by a stand-in
 * holding the objects; host names map to loopback ports in the probe shim.
 */
import { strict as assert } from 'node:assert';
import { request as httpRequest, createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer, type TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { hasSidecar, nonStrictModes, strongCipher } from '../../programs/10-hardening/gates-transport.js';
import { createTlsProbe } from '../../src/gates/probes/tls.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { outputs10, runGate10 } from './phase10-fixtures.js';
import { generateChains, type Chain } from './tls-certs.js';

const DOMAIN = 'stg.example.com';
const HOSTS = [DOMAIN, `api.${DOMAIN}`];

const listen = async <S extends HttpServer | TlsServer>(s: S): Promise<number> => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
};
const close = (s: { close(cb: () => void): unknown }) => new Promise<void>((r) => s.close(() => r()));

describe('phase 10 transport gates against local counterparts', function () {
  this.timeout(60_000);
  let chain: Chain;
  const servers: (HttpServer | TlsServer)[] = [];
  const ports: Record<string, number> = {};
  before(async () => {
    chain = generateChains(DOMAIN, [`api.${DOMAIN}`]);
    const policies: Record<string, TlsOptions> = {
      // What Envoy serves by default: TLS 1.2+ with ECDHE and AEAD suites only.
      modern: { minVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305' },
      // Also TLS 1.0 (SECLEVEL=0: OpenSSL 3 would not negotiate it otherwise).
      legacy: { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
      // TLS 1.2 only, but also a CBC suite without AEAD.
      weak: { minVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA' },
      expired: { minVersion: 'TLSv1.2' },
    };
    for (const [name, policy] of Object.entries(policies)) {
      const cert = name === 'expired' ? chain.expiredCert : chain.validCert;
      const s = createTlsServer({ cert, key: chain.key, ...policy }, (sock) => sock.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
      s.on('tlsClientError', () => {});
      servers.push(s);
      ports[name] = await listen(s);
    }
  });
  after(async () => {
    await Promise.all(servers.map(close));
    chain?.cleanup();
  });

  describe('tls', () => {
    const tlsTo = (port: number): Probes['tls'] => {
      const real = createTlsProbe({ ca: [chain.rootPem] });
      return {
        inspect: (host, o = {}) => real.inspect('127.0.0.1', { ...o, port, servername: host }),
        offer: (host, o) => real.offer('127.0.0.1', { ...o, port, servername: host }),
      };
    };

    it('modern policy: pass, with chain, expiry, refused TLS 1.0/1.1 and the negotiated suite in the evidence', async () => {
      const r = await runGate10('tls', { tls: tlsTo(ports.modern!) });
      assert.equal(r.status, 'pass', r.evidence.join('\n'));
      const text = r.evidence.join('\n');
      for (const host of HOSTS) {
        // One leaf (CN stg.example.com) covers both names through its SANs.
        assert.match(text, new RegExp(`${host.replace(/\./g, '\\.')}: chain stg\\.example\\.com <- Gate Test Intermediate <- Gate Test Root`));
        assert.match(text, new RegExp(`${host.replace(/\./g, '\\.')}: TLSv1 refused \\(tlsv1 alert protocol version\\)`));
        assert.match(text, new RegExp(`${host.replace(/\./g, '\\.')}: TLSv1\\.1 refused`));
        assert.match(text, new RegExp(`${host.replace(/\./g, '\\.')}: a default client gets TLSv1\\.3 TLS_AES_`));
      }
    });

    it('a server that still accepts TLS 1.0: terminal fail naming the host and protocol', async () => {
      const r = await runGate10('tls', { tls: tlsTo(ports.legacy!) });
      assert.equal(r.status, 'fail');
      assert.match(r.evidence[0]!, new RegExp(`^${DOMAIN.replace(/\./g, '\\.')}: accepts TLSv1 \\(negotiated TLSv1 `));
      assert.match(r.hint!, /minProtocolVersion/);
    });

    it('a server that accepts a CBC suite over TLS 1.2: fail naming the suite', async () => {
      const r = await runGate10('tls', { tls: tlsTo(ports.weak!) });
      assert.equal(r.status, 'fail');
      assert.ok(r.evidence.some((e) => /: accepts the weak TLS 1\.2 suite .*AES_128_CBC_SHA|: accepts the weak TLS 1\.2 suite ECDHE-ECDSA-AES128-SHA/.test(e)), r.evidence.join('\n'));
    });

    it('an expired chain: fail naming the date', async () => {
      const r = await runGate10('tls', { tls: tlsTo(ports.expired!) });
      assert.equal(r.status, 'fail');
      assert.match(r.evidence[0]!, /: chain not trusted: CERT_HAS_EXPIRED|: certificate expired on /);
    });

    it('judges suites: TLS 1.3 and ECDHE+AEAD pass; static RSA and CBC do not', () => {
      assert.ok(strongCipher('TLSv1.3', 'TLS_AES_128_GCM_SHA256'));
      assert.ok(strongCipher('TLSv1.2', 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'));
      assert.ok(strongCipher('TLSv1.2', 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'));
      assert.ok(!strongCipher('TLSv1.2', 'TLS_RSA_WITH_AES_128_GCM_SHA256'));
      assert.ok(!strongCipher('TLSv1.2', 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA'));
    });
  });

  describe('mtls', () => {
    let strictPort: number;
    let plainPort: number;
    before(async () => {
      const strict = createTlsServer({ cert: chain.validCert, key: chain.key, requestCert: true, rejectUnauthorized: true, ca: [chain.rootPem] }, (s) => s.end());
      strict.on('tlsClientError', () => {});
      servers.push(strict);
      strictPort = await listen(strict);
      const plain = createHttpServer((_q, res) => res.end('{"status":"ok"}'));
      servers.push(plain);
      plainPort = await listen(plain);
    });

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
    const pa = (namespace: string, name: string, spec: object) => ({ kind: 'PeerAuthentication', metadata: { namespace, name }, spec });
    const pod = (name: string, sidecar: boolean) => ({ kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app' }, ...(sidecar ? [{ name: 'istio-proxy' }] : [])] } });
    const k8s = (pas: object[], pods: object[], port: number) => ({
      list: async (kind: string, o: { allNamespaces?: boolean; namespace?: string; labelSelector?: string }) => {
        if (kind === 'PeerAuthentication') {
          assert.equal(o.allNamespaces, true);
          return pas;
        }
        assert.equal(o.labelSelector, 'app.kubernetes.io/name=catalog');
        return pods;
      },
      proxyGet: plainGet(port),
    }) as unknown as Probes['k8s'];
    const meshWide = pa('istio-system', 'default', { mtls: { mode: 'STRICT' } });

    it('all STRICT, sidecars everywhere, plain text refused: pass', async () => {
      const r = await runGate10('mtls', { k8s: k8s([meshWide], [pod('catalog-1', true), pod('catalog-2', true)], strictPort) });
      assert.equal(r.status, 'pass', r.evidence.join('\n'));
      assert.ok(r.evidence.includes('apps-stg/catalog: 2 pod(s), all with istio-proxy'));
      assert.match(r.evidence.join('\n'), /apps-stg\/catalog:8080 plain text: connection refused plain text/);
    });

    it('a PERMISSIVE namespace policy not in the exceptions fails; listed, it passes as an exception', async () => {
      const permissive = pa('apps-stg', 'legacy', { mtls: { mode: 'PERMISSIVE' } });
      const r = await runGate10('mtls', { k8s: k8s([meshWide, permissive], [pod('catalog-1', true)], strictPort) });
      assert.equal(r.status, 'fail');
      assert.equal(r.evidence[0], 'PeerAuthentication apps-stg/legacy: mode PERMISSIVE, not STRICT and not an allowed exception');
      const ok = await runGate10('mtls', { k8s: k8s([meshWide, permissive], [pod('catalog-1', true)], strictPort) }, outputs10({ mtlsExceptions: ['apps-stg/legacy'] }));
      assert.equal(ok.status, 'pass', ok.evidence.join('\n'));
      assert.ok(ok.evidence.includes('PeerAuthentication apps-stg/legacy: mode PERMISSIVE (allowed exception)'));
    });

    it('a pod without the sidecar, and a service answering plain text: fail naming both', async () => {
      const r = await runGate10('mtls', { k8s: k8s([meshWide], [pod('catalog-1', true), pod('catalog-2', false)], plainPort) });
      assert.equal(r.status, 'fail');
      assert.ok(r.evidence.includes('apps-stg/catalog: pods without the istio-proxy sidecar: catalog-2'), r.evidence.join('\n'));
      assert.ok(r.evidence.some((e) => e.startsWith('apps-stg/catalog:8080 accepted plain text from outside the mesh')), r.evidence.join('\n'));
    });

    it('judges modes: UNSET inherits, a port-level DISABLE is not STRICT, the mesh-wide one must say STRICT', () => {
      assert.deepEqual(nonStrictModes({ spec: { mtls: { mode: 'UNSET' } } }, false), []);
      assert.deepEqual(nonStrictModes({ spec: { mtls: { mode: 'STRICT' }, portLevelMtls: { '9090': { mode: 'DISABLE' } } } }, false), ['port 9090 mode DISABLE']);
      assert.deepEqual(nonStrictModes({ spec: {} }, true), ['mode unset']);
      assert.ok(hasSidecar({ spec: { initContainers: [{ name: 'istio-proxy', restartPolicy: 'Always' }] } }));
      assert.ok(!hasSidecar({ spec: { initContainers: [{ name: 'istio-proxy' }] } }));
    });
  });
});
