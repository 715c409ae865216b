import { strict as assert } from 'node:assert';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDnsProbe } from '../../src/gates/probes/dns.js';
import { createTlsProbe, tlsProblems } from '../../src/gates/probes/tls.js';
import { createHttpProbe } from '../../src/gates/probes/http.js';
import { LoopbackDns } from './dns-server.js';
import { generateChains, type Chain } from './tls-certs.js';

const HOST = 'gate.test.internal';

describe('DNS probe (against a DNS server on loopback)', () => {
  const dns = new LoopbackDns({
    'api.stg.example.com': { NS: ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.co.uk'], A: ['192.0.2.10'] },
    'gate-1.api.stg.example.com': { A: ['192.0.2.44'], TXT: ['heritage=external-dns,external-dns/owner=stg-platform'] },
  });
  let server: string;
  before(async () => (server = await dns.start()));
  after(() => dns.stop());

  it('resolves NS, A and TXT records from the chosen resolver', async () => {
    const probe = createDnsProbe({ servers: [server], timeoutMs: 2000, tries: 1 });
    const ns = await probe.resolve('api.stg.example.com', 'NS');
    assert.deepEqual(ns.values, ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.co.uk']);
    assert.deepEqual(ns.servers, [server]);
    assert.deepEqual((await probe.resolve('gate-1.api.stg.example.com', 'A')).values, ['192.0.2.44']);
    assert.deepEqual((await probe.resolve('gate-1.api.stg.example.com', 'TXT')).values, ['heritage=external-dns,external-dns/owner=stg-platform']);
    assert.ok(dns.queries.includes('NS api.stg.example.com'));
  });

  it('reports NXDOMAIN and no-data as empty answers with their code', async () => {
    const probe = createDnsProbe({ servers: [server], timeoutMs: 2000, tries: 1 });
    const nx = await probe.resolve('nope.stg.example.com', 'A');
    assert.deepEqual([nx.values, nx.code], [[], 'ENOTFOUND']);
    const nodata = await probe.resolve('api.stg.example.com', 'TXT');
    assert.deepEqual([nodata.values, nodata.code], [[], 'ENODATA']);
  });
});

describe('TLS probe (against HTTPS servers with chains generated in the test)', () => {
  let chain: Chain;
  const servers: HttpsServer[] = [];
  const ports: Record<string, number> = {};
  before(async function () {
    this.timeout(30_000);
    chain = generateChains(HOST);
    for (const [name, cert] of [['valid', chain.validCert], ['expired', chain.expiredCert], ['untrusted', chain.untrustedCert]] as const) {
      const s = createHttpsServer({ cert, key: chain.key }, (_req, res) => res.end('ok'));
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      servers.push(s);
      ports[name] = (s.address() as AddressInfo).port;
    }
  });
  after(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    chain?.cleanup();
  });

  it('valid chain: trusted, valid for the host, ~30 days left, TLS 1.3, leaf-to-root subjects', async () => {
    const probe = createTlsProbe({ ca: chain.rootPem });
    const info = await probe.inspect('127.0.0.1', { port: ports.valid, servername: HOST });
    assert.equal(info.trusted, true, info.trustError);
    assert.equal(info.hostnameValid, true);
    assert.ok(info.daysToExpiry >= 29 && info.daysToExpiry <= 30, String(info.daysToExpiry));
    assert.equal(info.protocol, 'TLSv1.3');
    assert.deepEqual(info.chain, [HOST, 'Gate Test Intermediate', 'Gate Test Root']);
    assert.deepEqual(tlsProblems(info, { minDaysToExpiry: 14 }), []);
    assert.deepEqual(tlsProblems(info, { minDaysToExpiry: 45 }), [`certificate expires in ${info.daysToExpiry} days (< 45)`]);
  });

  it('expired leaf: not trusted with CERT_HAS_EXPIRED and negative days', async () => {
    const info = await createTlsProbe({ ca: chain.rootPem }).inspect('127.0.0.1', { port: ports.expired, servername: HOST });
    assert.equal(info.trusted, false);
    assert.equal(info.trustError, 'CERT_HAS_EXPIRED');
    assert.ok(info.daysToExpiry < 0);
    const problems = tlsProblems(info);
    assert.ok(problems.includes('chain not trusted: CERT_HAS_EXPIRED'));
    assert.ok(problems.some((p) => p.startsWith('certificate expired on ')));
  });

  it('wrong host: chain trusted but the name does not match', async () => {
    const info = await createTlsProbe({ ca: chain.rootPem }).inspect('127.0.0.1', { port: ports.valid, servername: 'other.example.com' });
    assert.equal(info.trusted, true);
    assert.equal(info.hostnameValid, false);
    assert.match(tlsProblems(info)[0]!, /certificate not valid for other.example.com: .*gate.test.internal/);
  });

  it('untrusted root: the chain does not verify against the trust store', async () => {
    const info = await createTlsProbe({ ca: chain.rootPem }).inspect('127.0.0.1', { port: ports.untrusted, servername: HOST });
    assert.equal(info.trusted, false);
    assert.match(info.trustError!, /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/);
  });

  it('a closed port is an error naming host and port', async () => {
    const s = createHttpServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise((r) => s.close(r));
    await assert.rejects(createTlsProbe().inspect('127.0.0.1', { port }), new RegExp(`TLS 127.0.0.1:${port} failed: .*ECONNREFUSED`));
  });
});

describe('HTTP probe (against a loopback HTTP server)', () => {
  let server: HttpServer;
  let base: string;
  before(async () => {
    server = createHttpServer((req, res) => {
      if (req.url === '/old') return res.writeHead(301, { location: '/new' }).end();
      if (req.url === '/new') return res.writeHead(308, { location: `${base}/final` }).end();
      if (req.url === '/final') return res.writeHead(200, { 'strict-transport-security': 'max-age=63072000' }).end('hello');
      if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((r) => server.close(r)));

  it('follows redirects and records every hop with its status and location', async () => {
    const r = await createHttpProbe().get(`${base}/old`);
    assert.equal(r.status, 200);
    assert.equal(r.finalUrl, `${base}/final`);
    assert.deepEqual(r.hops.map((h) => [h.status, h.location]), [[301, `${base}/new`], [308, `${base}/final`], [200, undefined]]);
    assert.equal(r.headers['strict-transport-security'], 'max-age=63072000');
  });

  it('can stop at the first response (maxRedirects 0 reports the redirect itself)', async () => {
    await assert.rejects(createHttpProbe().get(`${base}/old`, { maxRedirects: 0 }), /more than 0 redirects/);
    const r = await createHttpProbe().get(`${base}/missing`);
    assert.equal(r.status, 404);
  });

  it('gives up on a redirect loop', async () => {
    await assert.rejects(createHttpProbe().get(`${base}/loop`, { maxRedirects: 3 }), /more than 3 redirects/);
  });
});
