/**
 * A throwaway PKI for one test cluster, made with openssl (P-256 keys, valid two days): a CA, the
 * API server's serving certificate for 127.0.0.1/localhost and the in-cluster service names, one
 * client certificate per component (admin in system:masters, controller-manager, scheduler, kwok)
 * and the service-account signing key pair. Nothing is reused between clusters.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pki {
  dir: string;
  ca: { cert: string; key: string };
  apiserver: { cert: string; key: string };
  clients: Record<ClientName, { cert: string; key: string }>;
  sa: { key: string; pub: string };
}

export type ClientName = 'admin' | 'kcm' | 'scheduler' | 'kwok';

const CLIENTS: Record<ClientName, string> = {
  admin: '/CN=kubernetes-admin/O=system:masters',
  kcm: '/CN=system:kube-controller-manager',
  scheduler: '/CN=system:kube-scheduler',
  kwok: '/CN=kwok-controller/O=system:masters',
};

export async function makePki(dir: string): Promise<Pki> {
  const cnf = join(dir, 'openssl.cnf');
  await writeFile(cnf, '[req]\ndistinguished_name=dn\n[dn]\n');
  const p = (n: string) => join(dir, n);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'];
  await run('openssl', ['req', '-config', cnf, '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-subj', '/CN=platform-test-cluster-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  const leaf = (name: string, subj: string, ext: string[]) =>
    run('openssl', ['req', '-config', cnf, '-x509', '-CA', p('ca.crt'), '-CAkey', p('ca.key'), ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.crt`),
      '-subj', subj, '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature', ...ext.flatMap((e) => ['-addext', e])]);
  const sans = ['IP:127.0.0.1', 'IP:10.0.0.1', 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local'];
  await Promise.all([
    leaf('apiserver', '/CN=kube-apiserver', ['extendedKeyUsage=serverAuth', `subjectAltName=${sans.join(',')}`]),
    ...Object.entries(CLIENTS).map(([n, subj]) => leaf(n, subj, ['extendedKeyUsage=clientAuth'])),
    run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('sa.key')]),
  ]);
  await run('openssl', ['pkey', '-in', p('sa.key'), '-pubout', '-out', p('sa.pub')]);
  const pair = (n: string) => ({ cert: p(`${n}.crt`), key: p(`${n}.key`) });
  return {
    dir,
    ca: pair('ca'),
    apiserver: pair('apiserver'),
    clients: { admin: pair('admin'), kcm: pair('kcm'), scheduler: pair('scheduler'), kwok: pair('kwok') },
    sa: { key: p('sa.key'), pub: p('sa.pub') },
  };
}

/** A self-contained kubeconfig (YAML, certificates inline) for one client certificate. */
export async function kubeconfigYaml(pki: Pki, client: ClientName, server: string): Promise<string> {
  const c = pki.clients[client];
  const b64 = async (f: string) => (await readFile(f)).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: test-cluster',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${await b64(pki.ca.cert)}`,
    'users:',
    `- name: ${client}`,
    '  user:',
    `    client-certificate-data: ${await b64(c.cert)}`,
    `    client-key-data: ${await b64(c.key)}`,
    'contexts:',
    '- name: test-cluster',
    `  context: {cluster: test-cluster, user: ${client}}`,
    'current-context: test-cluster',
    '',
  ].join('\n');
}
