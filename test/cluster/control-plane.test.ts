/**
 * The test cluster itself: the API server is the version built from k8s.io/kubernetes, every
 * process it started listens on loopback only, and stop() ends exactly those processes.
 */
import { strict as assert } from 'node:assert';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { startCluster, type TestCluster } from './control-plane.js';
import { toolchain } from './toolchain.js';

/** Listening TCP sockets of a process: local addresses from /proc/net/tcp{,6} for its socket inodes. */
async function listening(pid: number): Promise<string[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) inodes.add(m[1]!);
  }
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (await readFile(file, 'utf8')).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9]!)) out.push(f[1]!);
    }
  }
  return out;
}

const LOOPBACK = /^(0100007F|00000000000000000000000001000000):/i;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('test cluster: the control plane', function () {
  this.timeout(180_000);
  let cluster: TestCluster | undefined;
  after(async () => {
    await cluster?.stop();
  });

  it('serves the Kubernetes version built here, listens on loopback only, and stop() ends exactly its processes', async () => {
    cluster = await startCluster({ controllers: true, kwok: true });
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    const v = await kc.makeApiClient(VersionApi).getCode();
    assert.equal(v.gitVersion, toolchain().versions.kubernetes);
    console.log(`      ${v.gitVersion} ready in ${cluster.startMs} ms at ${cluster.server}`);

    // Give the controllers a moment to open their ports, then read every listening socket.
    await new Promise((r) => setTimeout(r, 1500));
    const pids = cluster.processes.map((p) => p.child.pid!);
    for (const p of cluster.processes) {
      const socks = await listening(p.child.pid!);
      assert.ok(socks.length > 0, `${p.name} listens on nothing`);
      assert.deepEqual(socks.filter((s) => !LOOPBACK.test(s)), [], `${p.name} listens beyond loopback`);
    }
    assert.deepEqual(cluster.processes.map((p) => p.name), ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']);

    await cluster.stop();
    cluster = undefined;
    assert.deepEqual(pids.filter(alive), [], 'processes still running after stop()');
  });
});
