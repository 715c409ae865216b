/**
 * The Kubernetes gate paths phase2-gates.test.ts does not reach, against a real API server:
 * - the probe's create sends a manifest as written: a misspelt field is refused with the API
 *   server's own message (client-node's typed create dropped it silently, and the API server only
 *   warns about unknown fields unless asked to be strict);
 * - storage-encrypted-pvc with the project's gp3 StorageClass (WaitForFirstConsumer, EBS CSI
 *   provisioner) and its real claim and pod: bound by the real scheduler and PV controller to an EBS
 *   CSI volume whose EC2 side is on moto (encrypted with phase 1's key: pass; with another key:
 *   terminal failure naming both), and a claim nothing can bind (no volume, no provisioner runs):
 *   Pending, the gate fails naming it;
 * - coredns-resolves whose Job fails: no Job controller runs in that cluster, so the test writes the
 *   Job's and its pod's status as the Job controller and kubelet would (as the controllers' own tests
 *   do); the gate stops at once with the pod's termination message;
 * - custom resources with conditions: a NodePool Ready=False fails karpenter-ready with its reason
 *   and message, and after a spec change (the API server bumps metadata.generation) conditions set
 *   for the old generation no longer pass.
 */
import { strict as assert } from 'node:assert';
import { CreateVolumeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CoreV1Api, CustomObjectsApi, KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { gp3Parameters, STORAGE_CLASS } from '../../programs/02-cluster/addons.js';
import { EC2_NODE_CLASS, ec2NodeClassSpec, nodePoolSpecs } from '../../programs/02-cluster/charts/karpenter.js';
import { GATE_NAMESPACE } from '../../programs/02-cluster/gates-e2e.js';
import { phase as phase2Def, type Phase2Inputs } from '../../programs/02-cluster/phase.js';
import { createKubeProbe } from '../../src/gates/probes/k8s.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { motoConfig, startMoto, TEST_CREDENTIALS, type Moto } from '../gates/moto.js';
import { phase1OutputsFor, shippedEnv } from '../programs/phase-02-upstream.js';
import { Applier } from './apply.js';
import { startCluster, type TestCluster } from './control-plane.js';
import { readYamlObjects } from './crds.js';
import { gateNamed, quick, runGate, setConditions } from './gate-run.js';
import { platformNodes } from './nodes.js';
import { toolchain } from './toolchain.js';

const env = shippedEnv('dev');
const inputs = phase2Def.inputs({ env, organization: organizationFor(env).config, upstream: { 1: phase1OutputsFor(env) }, simulated: true }) as Phase2Inputs;
const REGION = env.regions.primary;
const MANAGED = 'app.kubernetes.io/managed-by=platform-gates';

describe('test cluster: gate paths against a real API server (scheduler, PV controller, kwok; EC2 and KMS on moto)', function () {
  this.timeout(300_000);
  let cluster: TestCluster;
  let applier: Applier;
  let moto: Moto;
  let pvs = 0;

  before(async () => {
    toolchain();
    moto = await startMoto();
    cluster = await startCluster({ controllers: true, kwok: true });
    applier = new Applier(cluster.kubeconfig);
    for (const r of await applier.applyAll(platformNodes(REGION))) assert.ok(r.ok, r.message);
  });
  after(async () => {
    await cluster?.stop();
    moto?.stop();
  });
  beforeEach(() => moto.reset());

  it("the probe creates a manifest as written: a misspelt field is refused with the API server's message, not dropped", async () => {
    const k = createKubeProbe(cluster.kubeconfig);
    const pvc = { kind: 'PersistentVolumeClaim' as const, metadata: { name: 'misspelt', namespace: GATE_NAMESPACE }, spec: { accessModes: ['ReadWriteOnce'], storageClassNam: STORAGE_CLASS, resources: { requests: { storage: '1Gi' } } } };
    await assert.rejects(k.create(pvc), (e: Error) => {
      console.log(`      API server: ${e.message}`);
      assert.match(e.message, /create PersistentVolumeClaim misspelt failed with HTTP 400: .*unknown field "spec\.storageClassNam"/);
      return true;
    });
    assert.equal(await k.read({ kind: 'PersistentVolumeClaim', name: 'misspelt', namespace: GATE_NAMESPACE }), undefined, 'nothing was created');
    const job = { kind: 'Job' as const, metadata: { name: 'misspelt', namespace: GATE_NAMESPACE }, spec: { backofLimit: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } } };
    await assert.rejects(k.create(job), /unknown field "spec\.backofLimit"/);
  });

  /** Phase 1's EBS key under its alias on moto, and an EBS volume as the CSI driver would create it. */
  async function ebsVolume(encryptWith: 'ebs-key' | 'other-key'): Promise<{ volumeId: string; key: string; other: string }> {
    const kms = new KMSClient(motoConfig(moto, REGION));
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await kms.send(new CreateAliasCommand({ AliasName: `alias/platform/${env.name}/ebs`, TargetKeyId: key }));
    const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const v = await new EC2Client(motoConfig(moto, REGION)).send(
      new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 1, VolumeType: 'gp3', Encrypted: true, KmsKeyId: encryptWith === 'ebs-key' ? key : other }),
    );
    return { volumeId: v.VolumeId!, key, other };
  }

  /** The project's default StorageClass (programs/02-cluster/addons.ts) and a free EBS CSI volume of it. */
  async function storage(volumeId: string | undefined, keyArn: string): Promise<void> {
    const sc = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: gp3Parameters(keyArn),
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
    } as KubernetesObject;
    await applier.api.delete(sc).catch(() => undefined); // parameters are immutable; each test has its key
    // A volume an earlier test left Available (its claim never bound) must not serve this test's claim.
    for (let i = 1; i <= pvs; i++) await applier.api.delete({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `ebs-${i}` } } as KubernetesObject).catch(() => undefined);
    const objs: KubernetesObject[] = [sc];
    if (volumeId) {
      objs.push({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: `ebs-${++pvs}` },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: STORAGE_CLASS,
          csi: { driver: 'ebs.csi.aws.com', volumeHandle: volumeId, fsType: 'ext4' },
        },
      } as KubernetesObject);
    }
    for (const r of await applier.applyAll(objs)) assert.ok(r.ok, `${r.ref}: ${r.message}`);
    // The scheduler matches only volumes the PV controller has marked Available; a claim it sees
    // before then goes to dynamic provisioning (no EBS CSI driver runs here) and stays Pending (a
    // fresh-clone CI run: the PV was a second old).
    if (volumeId) await available(`ebs-${pvs}`);
  }

  async function available(pv: string): Promise<void> {
    const k = createKubeProbe(cluster.kubeconfig);
    for (let i = 0; i < 300; i++) {
      if ((await k.read({ kind: 'PersistentVolume', name: pv }))?.status?.phase === 'Available') return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`PersistentVolume ${pv} not Available within 60 s`);
  }

  const runStorage = (timeoutMs: number) =>
    runGate(env, quick(gateNamed('storage-encrypted-pvc'), timeoutMs), { kubeconfig: cluster.kubeconfig, defaultStorageClass: STORAGE_CLASS }, { awsEndpoint: moto.endpoint, awsCredentials: TEST_CREDENTIALS });

  async function leftovers(): Promise<string[]> {
    const k = createKubeProbe(cluster.kubeconfig);
    const live = async (kind: 'Pod' | 'PersistentVolumeClaim') =>
      (await k.list(kind, { namespace: GATE_NAMESPACE, labelSelector: MANAGED })).filter((o: any) => !o.metadata?.deletionTimestamp).map((o) => `${kind} ${o.metadata?.name}`);
    return [...(await live('Pod')), ...(await live('PersistentVolumeClaim'))];
  }

  it("storage-encrypted-pvc: the scheduler and PV controller bind the gate's claim to an EBS CSI volume encrypted gp3 with phase 1's key; it passes and deletes its objects", async () => {
    const { volumeId, key } = await ebsVolume('ebs-key');
    await storage(volumeId, key);
    // Binding needs the scheduler and the PV controller: seconds when quiet, and past 60 s once at load ~6.
    const r = await runStorage(180_000);
    assert.equal(r.status, 'pass', r.evidence.join(' | '));
    assert.ok(r.evidence.some((e) => new RegExp(`^PersistentVolumeClaim default/platform-gate-\\S+: Bound to ebs-${pvs}$`).test(e)), r.evidence.join(' | '));
    assert.ok(r.evidence.includes(`EBS volume ${volumeId}: gp3, 1 GiB, Encrypted=true, KmsKeyId=${key}`), r.evidence.join(' | '));
    assert.deepEqual(await leftovers(), []);
  });

  it('storage-encrypted-pvc: a volume encrypted with another key is a terminal failure naming both keys', async () => {
    const { volumeId, key, other } = await ebsVolume('other-key');
    await storage(volumeId, key);
    const started = Date.now();
    const r = await runStorage(120_000);
    assert.equal(r.status, 'fail', r.evidence.join(' | '));
    assert.ok(Date.now() - started < 60_000, 'a wrong key is terminal: the gate did not wait out its timeout');
    assert.ok(r.evidence.some((e) => e.includes(`EBS volume ${volumeId} is encrypted with ${other}, not phase 1's EBS key ${key}`)), r.evidence.join(' | '));
  });

  it('storage-encrypted-pvc: a claim nothing can bind stays Pending and the gate fails, naming the provisioner it waits for and the PV controller\'s event', async () => {
    const { key } = await ebsVolume('ebs-key');
    await storage(undefined, key); // no free volume, and no EBS CSI provisioner runs here
    const r = await runStorage(15_000);
    assert.equal(r.status, 'fail', r.evidence.join(' | '));
    const all = r.evidence.join(' | ');
    // The scheduler chose a node (selected-node) and the PV controller handed the claim to the StorageClass's provisioner.
    assert.ok(r.evidence.some((e) => /^PersistentVolumeClaim default\/platform-gate-\S+: Pending, no existing volume matched: waiting for provisioner ebs\.csi\.aws\.com to create one for node (system|on-demand)-\d after \d+ readings$/.test(e)), all);
    assert.ok(r.evidence.some((e) => /^PersistentVolumeClaim default\/platform-gate-\S+ event Normal ExternalProvisioning( \(x\d+\))?: Waiting for a volume to be created either by the external provisioner 'ebs\.csi\.aws\.com'/.test(e)), all);
    assert.deepEqual(await leftovers(), [], 'the gate deleted its claim and pod');
  });
});

describe('test cluster: a failed Job and custom resource conditions (no controllers: the test writes their status)', function () {
  this.timeout(300_000);
  let cluster: TestCluster;
  let applier: Applier;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;

  before(async () => {
    const tc = toolchain();
    cluster = await startCluster({});
    applier = new Applier(cluster.kubeconfig);
    const kc = new KubeConfig();
    kc.loadFromString(cluster.kubeconfig);
    custom = kc.makeApiClient(CustomObjectsApi);
    core = kc.makeApiClient(CoreV1Api);
    // No controllers: the ServiceAccount admission plugin needs the `default` account the token controller would make.
    assert.ok((await applier.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: GATE_NAMESPACE } })).ok);
    const crds = (await readYamlObjects(tc.source('crds', 'karpenter').dir)).filter((o) => o.kind === 'CustomResourceDefinition');
    for (const r of await applier.applyAll(crds)) assert.ok(r.ok, r.message);
  });
  after(async () => {
    await cluster?.stop();
  });

  it("coredns-resolves: a Job that failed stops the gate at once with its pod's termination message", async () => {
    const message = "nslookup: can't resolve 'kubernetes.default.svc.cluster.local'";
    // Play the Job controller and the kubelet for the gate's Job as soon as it exists.
    let stop = false;
    const controller = (async () => {
      while (!stop) {
        const jobs = (await custom.listNamespacedCustomObject({ group: 'batch', version: 'v1', namespace: GATE_NAMESPACE, plural: 'jobs', labelSelector: MANAGED })) as { items: any[] };
        const job = jobs.items.find((j) => !j.status?.conditions);
        if (job) {
          const name: string = job.metadata.name;
          const pod = {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: `${name}-x7k2p`, namespace: GATE_NAMESPACE, labels: { ...job.spec.template.metadata.labels, 'job-name': name, 'batch.kubernetes.io/job-name': name } },
            spec: job.spec.template.spec,
          } as KubernetesObject;
          const created = await applier.apply(pod);
          assert.ok(created.ok, created.message);
          const now = new Date().toISOString();
          const c = job.spec.template.spec.containers[0];
          const live = await core.readNamespacedPod({ name: `${name}-x7k2p`, namespace: GATE_NAMESPACE });
          live.status = { phase: 'Failed', startTime: new Date(now), containerStatuses: [{ name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error', message, startedAt: new Date(now), finishedAt: new Date(now) } } }] };
          await core.replaceNamespacedPodStatus({ name: `${name}-x7k2p`, namespace: GATE_NAMESPACE, body: live });
          job.status = {
            startTime: now,
            failed: 2,
            conditions: [
              { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: now, lastTransitionTime: now },
              { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: now, lastTransitionTime: now },
            ],
          };
          await custom.replaceNamespacedCustomObjectStatus({ group: 'batch', version: 'v1', namespace: GATE_NAMESPACE, plural: 'jobs', name, body: job });
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const started = Date.now();
    try {
      const r = await runGate(env, quick(gateNamed('coredns-resolves'), 60_000), { kubeconfig: cluster.kubeconfig });
      assert.equal(r.status, 'fail', r.evidence.join(' | '));
      assert.ok(Date.now() - started < 30_000, 'a failed Job is terminal: the gate did not wait out its timeout');
      assert.ok(r.evidence.some((e) => /^Job default\/platform-gate-dns-\S+: Failed=True BackoffLimitExceeded: Job has reached the specified backoff limit$/.test(e)), r.evidence.join(' | '));
      assert.ok(r.evidence.some((e) => e.includes(`container nslookup exited 1: ${message}`)), r.evidence.join(' | '));
    } finally {
      stop = true;
      await controller;
    }
  });

  it('karpenter-ready: a NodePool Ready=False fails it with the reason and message; conditions set for an older generation do not pass', async () => {
    const objs: KubernetesObject[] = [
      { apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass', metadata: { name: EC2_NODE_CLASS }, spec: ec2NodeClassSpec(inputs) } as KubernetesObject,
      ...nodePoolSpecs(inputs).map((p) => ({ apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: p.name }, spec: p.spec }) as KubernetesObject),
    ];
    for (const r of await applier.applyAll(objs)) assert.ok(r.ok, `${r.ref}: ${r.message}`);
    const pool = nodePoolSpecs(inputs)[0]!.name;
    await setConditions(custom, { group: 'karpenter.k8s.aws', version: 'v1', plural: 'ec2nodeclasses', name: EC2_NODE_CLASS }, ['Ready', 'SubnetsReady', 'SecurityGroupsReady', 'InstanceProfileReady', 'AMIsReady']);
    for (const p of nodePoolSpecs(inputs)) await setConditions(custom, { group: 'karpenter.sh', version: 'v1', plural: 'nodepools', name: p.name }, ['Ready', 'NodeClassReady']);
    const outputs = { kubeconfig: cluster.kubeconfig, karpenter: { nodePools: nodePoolSpecs(inputs).map((p) => p.name), ec2NodeClass: EC2_NODE_CLASS } };
    const run = (ms: number) => runGate(env, quick(gateNamed('karpenter-ready'), ms), outputs);
    assert.equal((await run(10_000)).status, 'pass');

    await setConditions(custom, { group: 'karpenter.sh', version: 'v1', plural: 'nodepools', name: pool }, [
      { type: 'Ready', status: 'False', reason: 'NodeClassNotReady', message: 'EC2NodeClass default has no subnets' },
      { type: 'NodeClassReady', status: 'False', reason: 'NodeClassNotReady', message: 'EC2NodeClass default has no subnets' },
    ]);
    const notReady = await run(2000);
    assert.equal(notReady.status, 'fail');
    assert.ok(notReady.evidence.includes(`NodePool ${pool}: Ready=False NodeClassNotReady: EC2NodeClass default has no subnets`), notReady.evidence.join(' | '));

    await setConditions(custom, { group: 'karpenter.sh', version: 'v1', plural: 'nodepools', name: pool }, ['Ready', 'NodeClassReady']);
    const np = (await applier.api.read({ apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: pool } } as any)) as any;
    const gen: number = np.metadata.generation;
    // A spec change: the API server bumps metadata.generation; the conditions still say the old one.
    const changed = { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: pool }, spec: { ...nodePoolSpecs(inputs)[0]!.spec, weight: 7 } } as KubernetesObject;
    const res = await applier.apply(changed);
    assert.ok(res.ok, res.message);
    const stale = await run(2000);
    assert.equal(stale.status, 'fail', stale.evidence.join(' | '));
    assert.ok(stale.evidence.includes(`NodePool ${pool}: Ready=True was set for generation ${gen}; the controller has not observed generation ${gen + 1} yet`), stale.evidence.join(' | '));
  });
});
