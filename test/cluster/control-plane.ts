/**
 * A real Kubernetes control plane for tests, on loopback only: etcd and kube-apiserver, plus
 * kube-controller-manager, kube-scheduler and kwok (fake nodes, pods and volumes) when a test needs
 * workloads to become ready. Rules:
 * - every port is chosen free at start (bound to 127.0.0.1:0 then released), none is fixed;
 * - every process binds 127.0.0.1; the PKI is generated for this cluster alone;
 * - a start that fails stops what it had started and reports the failing process's log tail;
 * - `stop()` ends exactly the processes this cluster started, in reverse order, and removes its
 *   folder (kept when PLATFORM_TEST_CLUSTER_KEEP=1, for reading the logs).
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePki, kubeconfigYaml, type Pki } from './pki.js';
import { startProcess, stopProcess, type Started } from './processes.js';
import { toolchain } from './toolchain.js';

export interface ClusterOptions {
  /** Start kube-controller-manager and kube-scheduler (Deployments, ReplicaSets, Jobs, scheduling). */
  controllers?: boolean;
  /** Start kwok, which fakes the kubelet of nodes annotated `kwok.x-k8s.io/node=fake` and provisions `kwok-volume` PVCs. */
  kwok?: boolean;
}

export interface TestCluster {
  /** https://127.0.0.1:<port> */
  server: string;
  /** Admin kubeconfig (YAML, certificates inline). */
  kubeconfig: string;
  kubeconfigPath: string;
  dir: string;
  pki: Pki;
  processes: Started[];
  /** Milliseconds from start to a ready API server (and started controllers). */
  startMs: number;
  stop(): Promise<void>;
}

const STAGES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
  'volume/fast/pvc-provision.yaml',
  'volume/fast/pv-bind.yaml',
  'volume/fast/pvc-delete.yaml',
  'volume/fast/pv-delete.yaml',
];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function logTail(p: Started, lines = 15): Promise<string> {
  const text = await readFile(p.logFile, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Polls `probe` every 200 ms until it is true; fails when `p` exits or after `timeoutMs`. */
async function waitFor(what: string, p: Started, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.exited) throw new Error(`${p.name} exited (${p.exited.code ?? p.exited.signal}) before ${what}:\n${await logTail(p)}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; ${p.name} log:\n${await logTail(p)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function httpsOk(url: string, pki: Pki): Promise<boolean> {
  return Promise.all([readFile(pki.ca.cert), readFile(pki.clients.admin.cert), readFile(pki.clients.admin.key)]).then(
    ([ca, cert, key]) =>
      new Promise<boolean>((resolve) => {
        const req = httpsRequest(url, { ca, cert, key, timeout: 2000 }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('error', () => resolve(false));
        req.on('timeout', () => req.destroy());
        req.end();
      }),
  );
}

export async function startCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  const tc = toolchain();
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'platform-test-cluster-'));
  const processes: Started[] = [];
  const log = (n: string) => join(dir, `${n}.log`);
  const stop = async () => {
    for (const p of [...processes].reverse()) await stopProcess(p);
    if (process.env.PLATFORM_TEST_CLUSTER_KEEP !== '1') await rm(dir, { recursive: true, force: true });
  };
  try {
    const pki = await makePki(dir);
    const [etcdPort, etcdPeer, apiPort, kcmPort, schedPort, kwokPort] = await Promise.all(Array.from({ length: 6 }, freePort));
    const server = `https://127.0.0.1:${apiPort}`;

    const etcd = startProcess('etcd', tc.bin('etcd'), [
      '--name', 'test', '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster', `test=http://127.0.0.1:${etcdPeer}`, '--listen-metrics-urls=',
      '--unsafe-no-fsync', '--quota-backend-bytes', String(2 * 1024 ** 3), '--log-level', 'warn',
    ], log('etcd'));
    processes.push(etcd);
    await waitFor('etcd healthy', etcd, async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, 30_000);

    const apiserver = startProcess('kube-apiserver', tc.bin('kube-apiserver'), [
      '--etcd-servers', `http://127.0.0.1:${etcdPort}`,
      '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1', '--secure-port', String(apiPort),
      '--tls-cert-file', pki.apiserver.cert, '--tls-private-key-file', pki.apiserver.key, '--client-ca-file', pki.ca.cert,
      '--service-account-key-file', pki.sa.pub, '--service-account-signing-key-file', pki.sa.key,
      '--service-account-issuer', 'https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range', '10.0.0.0/24', '--authorization-mode', 'Node,RBAC', '--allow-privileged=true',
      '--enable-priority-and-fairness=false', '--profiling=false',
      // Without this the server keeps trying to publish 127.0.0.1 as the kubernetes Service endpoint (rejected as loopback).
      '--endpoint-reconciler-type=none',
    ], log('kube-apiserver'));
    processes.push(apiserver);
    await waitFor('kube-apiserver /readyz', apiserver, () => httpsOk(`${server}/readyz`, pki), 90_000);

    const kubeconfig = await kubeconfigYaml(pki, 'admin', server);
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });

    if (opts.controllers) {
      const kcmKc = join(dir, 'kcm.kubeconfig');
      const schedKc = join(dir, 'scheduler.kubeconfig');
      await writeFile(kcmKc, await kubeconfigYaml(pki, 'kcm', server), { mode: 0o600 });
      await writeFile(schedKc, await kubeconfigYaml(pki, 'scheduler', server), { mode: 0o600 });
      const kcm = startProcess('kube-controller-manager', tc.bin('kube-controller-manager'), [
        '--kubeconfig', kcmKc, '--authentication-kubeconfig', kcmKc, '--authorization-kubeconfig', kcmKc,
        '--bind-address', '127.0.0.1', '--secure-port', String(kcmPort), '--leader-elect=false',
        '--service-account-private-key-file', pki.sa.key, '--root-ca-file', pki.ca.cert,
        '--cluster-signing-cert-file', pki.ca.cert, '--cluster-signing-key-file', pki.ca.key,
        '--use-service-account-credentials=true', '--controllers', '*',
      ], log('kube-controller-manager'));
      processes.push(kcm);
      processes.push(startProcess('kube-scheduler', tc.bin('kube-scheduler'), [
        '--kubeconfig', schedKc, '--authentication-kubeconfig', schedKc, '--authorization-kubeconfig', schedKc,
        '--bind-address', '127.0.0.1', '--secure-port', String(schedPort), '--leader-elect=false',
      ], log('kube-scheduler')));
      // Its controllers start a few seconds after the process (longer under load): until then a pod
      // is refused (no ServiceAccount default yet) and the PV controller has not marked volumes
      // Available, so the scheduler sends a claim to dynamic provisioning instead of a free volume.
      // The ServiceAccount controller's first object says the controllers run.
      await waitFor("kube-controller-manager's controllers (ServiceAccount default/default)", kcm, () => httpsOk(`${server}/api/v1/namespaces/default/serviceaccounts/default`, pki), 120_000);
    }
    if (opts.kwok) {
      const stagesDir = tc.source('stages', 'kwok').dir;
      const stages = await Promise.all(STAGES.map((s) => readFile(join(stagesDir, s), 'utf8')));
      const stagesFile = join(dir, 'kwok-stages.yaml');
      await writeFile(stagesFile, stages.join('\n---\n'));
      const kwokKc = join(dir, 'kwok.kubeconfig');
      await writeFile(kwokKc, await kubeconfigYaml(pki, 'kwok', server), { mode: 0o600 });
      await mkdir(join(dir, 'kwok-home'), { recursive: true });
      processes.push(startProcess('kwok', tc.bin('kwok'), [
        '--config', stagesFile, '--kubeconfig', kwokKc, '--server-address', `127.0.0.1:${kwokPort}`,
        '--manage-all-nodes=false', '--manage-nodes-with-annotation-selector', 'kwok.x-k8s.io/node=fake',
        '--manage-nodes-with-label-selector', '', '--disregard-status-with-annotation-selector', 'kwok.x-k8s.io/status=custom',
        '--disregard-status-with-label-selector', '', '--cidr', '10.0.0.1/24', '--node-ip', '10.0.0.1',
        '--node-lease-duration-seconds', '40',
      ], log('kwok')));
    }
    // A controller that dies at once (bad flag, port taken) is a start failure, not a later mystery.
    await new Promise((r) => setTimeout(r, opts.controllers || opts.kwok ? 500 : 0));
    const dead = processes.find((p) => p.exited);
    if (dead) throw new Error(`${dead.name} exited (${dead.exited!.code ?? dead.exited!.signal}) at start:\n${await logTail(dead)}`);
    return { server, kubeconfig, kubeconfigPath, dir, pki, processes, startMs: Date.now() - started, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
