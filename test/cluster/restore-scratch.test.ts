/**
 * The restore drill's cluster side (programs/10-hardening/drill-k8s.ts) against a real API server
 * with the scheduler, the PV controller and kwok nodes (zones a and b), in the scratch namespace
 * phase 10 declares (restricted Pod Security enforced by the API server's admission, deny-all
 * policy, the quota that needs requests and limits). No kubelet runs: kwok makes a scheduled pod
 * Ready, so what is proven here is that the objects are admitted and bind, that the pod is
 * scheduled only where the restored volume is, that a pod that cannot run is reported, and that
 * un-mounting leaves nothing. psql through exec is tested on real PostgreSQL in test/cdc.
 */
import { strict as assert } from 'node:assert';
import type { KubernetesObject } from '@kubernetes/client-node';
import { createK8sScratch, sourceVolume } from '../../programs/10-hardening/drill-k8s.js';
import { scratchManifests } from '../../programs/10-hardening/scratch.js';
import { POSTGRES_IMAGE } from '../../programs/04-data/versions.js';
import { createKubeProbe, type KubeProbe } from '../../src/gates/probes/k8s.js';
import { systemClock } from '../../src/state/clock.js';
import { Applier } from './apply.js';
import { startCluster, type TestCluster } from './control-plane.js';
import { platformNodes } from './nodes.js';
import { toolchain } from './toolchain.js';

const REGION = 'eu-west-1';
const SCRATCH = 'restore-drill';
const RESTORED = `arn:aws:ec2:${REGION}:222222222222:volume/vol-0fedcba9876543210`;
const zoneAffinity = (zone: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] }] }] } });

describe('test cluster: the restore drill scratch objects (restricted namespace, PV controller, scheduler, kwok)', function () {
  this.timeout(300_000);
  let cluster: TestCluster;
  let k: KubeProbe;

  before(async () => {
    toolchain();
    cluster = await startCluster({ controllers: true, kwok: true });
    const applier = new Applier(cluster.kubeconfig);
    const scratch = scratchManifests(SCRATCH);
    const objects = [
      ...platformNodes(REGION),
      scratch.namespace,
      ...scratch.policies,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'data' } },
      // The pod admission looks the namespace's default account up; the account controller may not have made it yet.
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: SCRATCH } },
      // The primary's volume as the EBS CSI driver provisions it: a PV with the zone's affinity, bound to data-postgres-0.
      {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'pvc-5d1c0b2a' },
        spec: { capacity: { storage: '20Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'gp3-encrypted', csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0123456789abcdef0', fsType: 'ext4' }, nodeAffinity: zoneAffinity(`${REGION}b`) },
      },
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-postgres-0', namespace: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3-encrypted', volumeName: 'pvc-5d1c0b2a', resources: { requests: { storage: '20Gi' } } } },
    ] as KubernetesObject[];
    for (const r of await applier.applyAll(objects)) assert.ok(r.ok, r.message);
    k = createKubeProbe(cluster.kubeconfig);
  });
  after(async () => {
    await cluster?.stop();
  });

  const leftovers = async (name: string) =>
    [
      (await k.read({ kind: 'Pod', namespace: SCRATCH, name })) && 'Pod',
      (await k.read({ kind: 'PersistentVolumeClaim', namespace: SCRATCH, name })) && 'PersistentVolumeClaim',
      (await k.read({ kind: 'PersistentVolume', name })) && 'PersistentVolume',
    ].filter(Boolean);

  it("finds the primary's EBS volume and its zone behind data-postgres-0", async () => {
    const src = await sourceVolume(k, 'data', 'postgres');
    assert.equal(src.volumeId, 'vol-0123456789abcdef0');
    assert.equal(src.claim, 'data/data-postgres-0');
    assert.deepEqual(JSON.parse(JSON.stringify(src.nodeAffinity)), zoneAffinity(`${REGION}b`));
  });

  it('mounts the restored volume: PV, claim and pod admitted in the restricted namespace, bound, the pod scheduled in the volume\'s zone and Ready; unmount leaves nothing', async () => {
    const src = await sourceVolume(k, 'data', 'postgres');
    const name = 'restore-drill-t1';
    const scratch = createK8sScratch(k, systemClock, { namespace: SCRATCH, name, image: POSTGRES_IMAGE, database: 'app', readyMs: 60_000, ...(src.nodeAffinity ? { nodeAffinity: src.nodeAffinity } : {}) });
    const db = await scratch.mount(RESTORED, new AbortController().signal);
    assert.equal(db.where, `pod ${SCRATCH}/${name}`);
    const pvc: any = await k.read({ kind: 'PersistentVolumeClaim', namespace: SCRATCH, name });
    assert.equal(pvc.status.phase, 'Bound');
    assert.equal(pvc.spec.volumeName, name);
    const pv: any = await k.read({ kind: 'PersistentVolume', name });
    assert.equal(pv.spec.csi.volumeHandle, 'vol-0fedcba9876543210');
    const pod: any = await k.read({ kind: 'Pod', namespace: SCRATCH, name });
    const node: any = await k.read({ kind: 'Node', name: pod.spec.nodeName });
    assert.equal(node.metadata.labels['topology.kubernetes.io/zone'], `${REGION}b`, 'scheduled where the restored volume is');
    const done = await scratch.unmount(new AbortController().signal, Date.now() + 60_000);
    assert.deepEqual(done, [`deleted Pod ${SCRATCH}/${name}`, `deleted PersistentVolumeClaim ${SCRATCH}/${name}`, `deleted PersistentVolume ${name}`]);
    for (let i = 0; i < 50 && (await leftovers(name)).length; i++) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await leftovers(name), []);
    assert.ok(await k.read({ kind: 'PersistentVolume', name: 'pvc-5d1c0b2a' }), 'the source PV is untouched');
  });

  it('a pod that cannot be scheduled (the volume in a zone without nodes): mount fails naming the reason, and unmount still removes all three objects', async () => {
    const name = 'restore-drill-t2';
    const scratch = createK8sScratch(k, systemClock, { namespace: SCRATCH, name, image: POSTGRES_IMAGE, database: 'app', readyMs: 40_000, nodeAffinity: zoneAffinity(`${REGION}c`) });
    await assert.rejects(scratch.mount(RESTORED, new AbortController().signal), (e: Error) => {
      assert.match(e.message, new RegExp(`the restored database's pod ${SCRATCH}/${name} not Ready within 40 s \\(Pending; PodScheduled: Unschedulable .*node\\(s\\) didn't match PersistentVolume's node affinity`));
      return true;
    });
    await scratch.unmount(new AbortController().signal, Date.now() + 60_000);
    for (let i = 0; i < 50 && (await leftovers(name)).length; i++) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await leftovers(name), []);
  });
});
