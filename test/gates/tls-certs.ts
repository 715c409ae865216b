/**
 * Generates certificate chains for the TLS probe tests with the openssl CLI: a root, an intermediate
 * and leaves signed through `openssl ca` (which can set explicit validity dates, so an expired leaf
 * is really expired), plus a second, untrusted root. Everything lives in a temp dir.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Chain {
  /** Trusted root, PEM. */
  rootPem: string;
  /** Leaf + intermediate (what a server sends), PEM, and the leaf key. */
  validCert: string;
  expiredCert: string;
  untrustedCert: string;
  /** Trusted and valid, but expiring in 7 days. */
  soonCert: string;
  key: string;
  cleanup(): void;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

export function generateChains(host: string, extraNames: readonly string[] = []): Chain {
  const dir = mkdtempSync(join(tmpdir(), 'gate-tls-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  mkdirSync(join(dir, 'newcerts'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ ca ]', 'default_ca = CA_default',
      '[ CA_default ]', 'dir = .', 'database = index.txt', 'new_certs_dir = newcerts', 'serial = serial',
      'default_md = sha256', 'policy = policy_any', 'copy_extensions = none', 'unique_subject = no', 'email_in_dn = no',
      '[ policy_any ]', 'commonName = supplied',
      '[ v3_inter ]', 'basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign,cRLSign',
      '[ v3_leaf ]', 'basicConstraints = CA:FALSE', 'keyUsage = critical,digitalSignature', 'extendedKeyUsage = serverAuth', `subjectAltName = ${[host, ...extraNames].map((n) => `DNS:${n}`).join(',')}`,
      '',
    ].join('\n'),
  );
  const day = 86_400_000;
  const now = Date.now();
  const root = (name: string) =>
    run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '3',
      '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const sign = (csr: string, out: string, issuer: string, ext: string, from: number, to: number) =>
    run('ca', '-config', 'ca.cnf', '-batch', '-notext', '-cert', `${issuer}.pem`, '-keyfile', `${issuer}.key`, '-in', csr, '-out', out,
      '-extensions', ext, '-startdate', stamp(new Date(from)), '-enddate', stamp(new Date(to)));
  root('Gate Test Root');
  root('Untrusted Root');
  for (const [name, issuerRoot] of [['inter', 'Gate Test Root'], ['badinter', 'Untrusted Root']] as const) {
    run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'inter' ? 'Gate Test Intermediate' : 'Untrusted Intermediate'}`);
    sign(`${name}.csr`, `${name}.pem`, issuerRoot, 'v3_inter', now - 90 * day, now + 2 * day);
  }
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${host}`);
  sign('leaf.csr', 'valid.pem', 'inter', 'v3_leaf', now - day, now + 30 * day);
  sign('leaf.csr', 'expired.pem', 'inter', 'v3_leaf', now - 60 * day, now - 2 * day);
  sign('leaf.csr', 'untrusted.pem', 'badinter', 'v3_leaf', now - day, now + 30 * day);
  sign('leaf.csr', 'soon.pem', 'inter', 'v3_leaf', now - 80 * day, now + 7 * day + 3_600_000);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    rootPem: read('Gate Test Root.pem'),
    validCert: read('valid.pem') + read('inter.pem'),
    expiredCert: read('expired.pem') + read('inter.pem'),
    untrustedCert: read('untrusted.pem') + read('badinter.pem'),
    soonCert: read('soon.pem') + read('inter.pem'),
    key: read('leaf.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
