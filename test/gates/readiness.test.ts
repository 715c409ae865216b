import { strict as assert } from 'node:assert';
import {
  deploymentReady,
  statefulSetReady,
  daemonSetReady,
  jobComplete,
  pvcBound,
  eventLines,
  nodeReady,
  podReady,
  apiServiceAvailable,
  crdEstablished,
  crReady,
  podProblems,
} from '../../src/gates/k8s/readiness.js';
import { loadScenario } from './kube-replay.js';

const body = (scenario: string, i = 0) => loadScenario(scenario)[i]!.body as any;

describe('readiness predicates (kubectl rollout status semantics)', () => {
  describe('Deployment', () => {
    it('is ready when all replicas are updated and available and the generation is observed', () => {
      const r = deploymentReady(body('deployment-ready'));
      assert.deepEqual([r.ready, r.failed], [true, false]);
      assert.match(r.message, /Deployment kube-system\/coredns: rolled out \(2\/2 available\)/);
    });
    it('waits while updated replicas are short or old replicas remain', () => {
      const d = body('deployment-progressing');
      assert.match(deploymentReady(d).message, /1 of 2 new replicas updated/);
      const oldLeft = { ...d, status: { ...d.status, updatedReplicas: 2 } };
      assert.match(deploymentReady(oldLeft).message, /1 old replicas pending termination/);
      const unavailable = { ...d, status: { ...d.status, replicas: 2, updatedReplicas: 2, availableReplicas: 1 } };
      assert.match(deploymentReady(unavailable).message, /1 of 2 updated replicas available/);
      assert.equal(deploymentReady(body('deployment-progressing', 1)).ready, true);
    });
    it('waits for the controller to observe a new generation even if the counts look done', () => {
      const d = body('deployment-ready');
      const r = deploymentReady({ ...d, metadata: { ...d.metadata, generation: 4 } });
      assert.deepEqual([r.ready, r.failed], [false, false]);
      assert.match(r.message, /spec update to be observed/);
    });
    it('fails terminally on ProgressDeadlineExceeded, quoting the condition', () => {
      const r = deploymentReady(body('deployment-deadline-exceeded'));
      assert.deepEqual([r.ready, r.failed], [false, true]);
      assert.match(r.message, /exceeded its progress deadline \(Progressing=False ProgressDeadlineExceeded: ReplicaSet "external-dns-6c4d9f7b8d" has timed out progressing.\)/);
    });
  });

  it('StatefulSet: ready replicas, then revisions must match; partitions respected', () => {
    const base = { kind: 'StatefulSet', metadata: { name: 'loki-write', namespace: 'loki', generation: 2 }, spec: { replicas: 3, updateStrategy: { type: 'RollingUpdate' } } };
    const st = (s: object) => ({ ...base, status: { observedGeneration: 2, ...s } });
    assert.match(statefulSetReady(st({ readyReplicas: 2 })).message, /2 of 3 pods ready/);
    assert.match(statefulSetReady(st({ readyReplicas: 3, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' })).message, /rolling update in progress/);
    assert.equal(statefulSetReady(st({ readyReplicas: 3, currentRevision: 'b', updateRevision: 'b' })).ready, true);
    const part = { ...base, spec: { ...base.spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } } };
    assert.equal(statefulSetReady({ ...part, status: { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' } }).ready, true);
    assert.equal(statefulSetReady({ ...base, status: { readyReplicas: 3 } }).ready, false, 'never observed');
  });

  it('DaemonSet: updated and available must equal desired', () => {
    const ds = (s: object) => ({ kind: 'DaemonSet', metadata: { name: 'aws-node', namespace: 'kube-system', generation: 1 }, spec: {}, status: { observedGeneration: 1, desiredNumberScheduled: 3, ...s } });
    assert.match(daemonSetReady(ds({ updatedNumberScheduled: 2, numberAvailable: 3 })).message, /2 of 3 updated pods scheduled/);
    assert.match(daemonSetReady(ds({ updatedNumberScheduled: 3, numberAvailable: 2 })).message, /2 of 3 updated pods available/);
    assert.equal(daemonSetReady(ds({ updatedNumberScheduled: 3, numberAvailable: 3 })).ready, true);
  });

  it('Job: Complete passes, Failed is terminal with its reason', () => {
    const j = (conditions: object[]) => ({ kind: 'Job', metadata: { name: 'dns', namespace: 'kube-system' }, status: { conditions } });
    assert.equal(jobComplete(j([{ type: 'Complete', status: 'True' }])).ready, true);
    const f = jobComplete(j([{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }]));
    assert.deepEqual([f.ready, f.failed], [false, true]);
    assert.match(f.message, /BackoffLimitExceeded/);
    assert.equal(jobComplete(j([])).failed, false);
  });

  it('PVC Bound / Lost; Node and Pod Ready; APIService Available; CRD Established+NamesAccepted', () => {
    assert.equal(pvcBound({ status: { phase: 'Bound' }, spec: { volumeName: 'pvc-1' } }).ready, true);
    assert.equal(pvcBound({ status: { phase: 'Pending' } }).ready, false);
    assert.equal(pvcBound({ status: { phase: 'Lost' } }).failed, true);
    assert.equal(nodeReady({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }).ready, true);
    assert.equal(nodeReady({ status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } }).ready, false);
    assert.equal(podReady({ status: { conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }] } }).ready, true);
    assert.equal(podReady({ status: { conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }] } }).ready, false);
    assert.equal(podReady({ status: {} }).ready, false);
    assert.match(apiServiceAvailable({ metadata: { name: 'v1beta1.metrics.k8s.io' }, status: { conditions: [{ type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck' }] } }).message, /Available=False FailedDiscoveryCheck/);
    assert.equal(crdEstablished({ status: { conditions: [{ type: 'Established', status: 'True' }] } }).ready, false);
    assert.equal(crdEstablished({ status: { conditions: [{ type: 'Established', status: 'True' }, { type: 'NamesAccepted', status: 'True' }] } }).ready, true);
  });

  it('PVC Pending says which binding path it is on: a provisioner to wait for, a node chosen, or nothing yet', () => {
    const pvc = (annotations: Record<string, string>) => ({ kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default', annotations }, status: { phase: 'Pending' } });
    const provisioning = pvcBound(pvc({ 'volume.kubernetes.io/selected-node': 'ip-10-20-40-11', 'volume.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com' }));
    assert.deepEqual([provisioning.ready, provisioning.failed], [false, false], 'a provisioner may still come: keep waiting');
    assert.equal(provisioning.message, 'PersistentVolumeClaim default/data: Pending, no existing volume matched: waiting for provisioner ebs.csi.aws.com to create one for node ip-10-20-40-11');
    // The PV controller still writes the beta annotation beside the GA one; an older one writes only it.
    assert.match(pvcBound(pvc({ 'volume.beta.kubernetes.io/storage-provisioner': 'ebs.csi.aws.com' })).message, /waiting for provisioner ebs\.csi\.aws\.com to create one$/);
    assert.equal(pvcBound(pvc({ 'volume.kubernetes.io/selected-node': 'ip-10-20-40-11' })).message, 'PersistentVolumeClaim default/data: Pending, node ip-10-20-40-11 chosen by the scheduler');
    assert.equal(pvcBound(pvc({})).message, 'PersistentVolumeClaim default/data: Pending');
  });

  it("events: one line per reason (its latest message, how often seen), Warnings first, newest first, at most three, long messages cut", () => {
    const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, s)).toISOString();
    const lines = eventLines('PersistentVolumeClaim default/data', [
      { type: 'Normal', reason: 'WaitForFirstConsumer', message: 'waiting for first consumer to be created before binding', count: 1, lastTimestamp: at(1) },
      { type: 'Normal', reason: 'ExternalProvisioning', message: "Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com'", count: 4, lastTimestamp: at(30) },
      { type: 'Warning', reason: 'ProvisioningFailed', message: 'failed to provision volume: old error', count: 1, lastTimestamp: at(10) },
      { type: 'Warning', reason: 'ProvisioningFailed', message: `failed to provision volume with StorageClass "gp3": rpc error: code = Internal desc = Could not create volume: AccessDeniedException: ${'x'.repeat(400)}`, series: { count: 2, lastObservedTime: at(40) } },
    ]);
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^PersistentVolumeClaim default\/data event Warning ProvisioningFailed \(x3\): failed to provision volume with StorageClass "gp3": .*AccessDeniedException: x+…$/);
    assert.ok(lines[0]!.length < 400, 'a long message is cut');
    assert.equal(lines[1], "PersistentVolumeClaim default/data event Normal ExternalProvisioning (x4): Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com'");
    assert.equal(lines[2], 'PersistentVolumeClaim default/data event Normal WaitForFirstConsumer: waiting for first consumer to be created before binding');
    assert.deepEqual(eventLines('x', []), []);
  });

  it('CRs: not Ready reports the condition message; sub-conditions and observedGeneration count', () => {
    const np = crReady(body('nodepool-not-ready', 0));
    assert.equal(np.ready, false);
    assert.match(np.message, /NodePool default: Ready=False NodeClassNotReady: NodeClassReady=False/);
    const nc = crReady(body('nodepool-not-ready', 1), ['SubnetsReady']);
    assert.match(nc.message, /Ready=False UnhealthyDependents: SubnetsReady=False/);
    const cert = crReady(body('certificate-not-ready'));
    assert.match(cert.message, /Certificate cert-manager\/gate-check: Ready=False DoesNotExist: Issuing certificate as Secret does not exist/);
    const ready = { kind: 'ClusterIssuer', metadata: { name: 'le', generation: 2 }, status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] } };
    assert.match(crReady(ready).message, /observed generation 1 of 2/);
    assert.equal(crReady({ ...ready, status: { ...ready.status, observedGeneration: 2 } }).ready, true);
    // cert-manager and Karpenter keep the generation in each condition (their CRDs have no status.observedGeneration).
    const stale = { kind: 'NodePool', metadata: { name: 'np', generation: 3 }, status: { conditions: [{ type: 'Ready', status: 'True', observedGeneration: 2 }, { type: 'NodeClassReady', status: 'True', observedGeneration: 3 }] } };
    assert.equal(crReady(stale).ready, false);
    assert.match(crReady(stale).message, /NodePool np: Ready=True was set for generation 2; the controller has not observed generation 3 yet/);
    const caughtUp = { ...stale, status: { conditions: stale.status.conditions.map((c) => ({ ...c, observedGeneration: 3 })) } };
    assert.equal(crReady(caughtUp, ['NodeClassReady']).ready, true);
    const staleSub = { ...stale, status: { conditions: [{ type: 'Ready', status: 'True', observedGeneration: 3 }, { type: 'NodeClassReady', status: 'True', observedGeneration: 1 }] } };
    assert.match(crReady(staleSub, ['NodeClassReady']).message, /NodeClassReady=True was set for generation 1/);
    const sub = { kind: 'EC2NodeClass', metadata: { name: 'd' }, status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'AMIsReady', status: 'False', message: 'no AMI' }] } };
    assert.equal(crReady(sub).ready, true);
    assert.equal(crReady(sub, ['AMIsReady']).ready, false);
  });

  it('podProblems names CrashLoopBackOff / ImagePullBackOff containers', () => {
    const pods = loadScenario('deployment-deadline-exceeded')[1]!.body as any;
    assert.deepEqual(podProblems(pods.items[0]), [
      'Pod external-dns/external-dns-6c4d9f7b8d-x2x7q container external-dns: ImagePullBackOff (Back-off pulling image "registry.k8s.io/external-dns/external-dns:v0.21.9")',
    ]);
    assert.deepEqual(podProblems({ metadata: {}, status: { containerStatuses: [{ name: 'x', state: { waiting: { reason: 'ContainerCreating' } } }] } }), []);
  });
});
