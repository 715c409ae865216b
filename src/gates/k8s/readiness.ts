/**
 * Readiness predicates, implemented once and reused by every Kubernetes gate. They follow
 * `kubectl rollout status` (kubectl pkg/polymorphichelpers/rollout_status.go) and the common CR
 * conventions (reference/phases.md §B.1):
 *
 * - Deployment: observedGeneration >= generation, updatedReplicas == spec.replicas, no old replicas
 *   left (replicas == updatedReplicas), availableReplicas == updatedReplicas. Condition Progressing
 *   with reason ProgressDeadlineExceeded is a terminal failure.
 * - StatefulSet: observedGeneration >= generation, readyReplicas == spec.replicas, and (RollingUpdate
 *   without partition) currentRevision == updateRevision; with a partition, updatedReplicas >=
 *   replicas - partition.
 * - DaemonSet: observedGeneration >= generation, updatedNumberScheduled == desiredNumberScheduled,
 *   numberAvailable == desiredNumberScheduled.
 * - Job: condition Complete=True (or succeeded >= 1); Failed=True is terminal.
 * - PVC: phase Bound; Lost is terminal. A Pending claim says which path the binding took: the
 *   scheduler's `volume.kubernetes.io/selected-node` plus `volume.kubernetes.io/storage-provisioner`
 *   mean no existing volume matched and a provisioner must create one (the PV controller's
 *   annotations, pkg/controller/volume/persistentvolume).  Node: Ready=True.  APIService: Available=True.
 * - CRD: Established=True and NamesAccepted=True.
 * - Custom resources: condition Ready=True and, when present, status.observedGeneration ==
 *   metadata.generation; extra condition types (Karpenter's SubnetsReady...) may be required too.
 *   A required condition that records an observedGeneration older than metadata.generation is
 *   stale (cert-manager's and Karpenter's CRDs have no status.observedGeneration: their controllers
 *   write the generation into each condition, and the API server prunes anything else).
 *
 * Every predicate is pure and returns what it saw in `message`, so gates can record it as evidence.
 */

/** The verdict of a predicate: `failed` means waiting cannot help (terminal). */
export interface Readiness {
  ready: boolean;
  failed: boolean;
  message: string;
}

/** A status condition as every Kubernetes API object reports it. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  /** The generation the controller had seen when it set the condition (metav1.Condition). */
  observedGeneration?: number;
}

/** The parts of an object the predicates read; typed loosely so CRs and core kinds both fit. */
export interface KubeObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; generation?: number; annotations?: Record<string, string> };
  spec?: any;
  status?: any;
}

const ok = (message: string): Readiness => ({ ready: true, failed: false, message });
const wait = (message: string): Readiness => ({ ready: false, failed: false, message });
const fail = (message: string): Readiness => ({ ready: false, failed: true, message });

/** Finds a condition by type. */
export function condition(obj: KubeObject, type: string): Condition | undefined {
  const list = obj.status?.conditions;
  return Array.isArray(list) ? (list as Condition[]).find((c) => c.type === type) : undefined;
}

function describe(c: Condition | undefined, type: string): string {
  if (!c) return `${type} condition absent`;
  return `${type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`;
}

function ref(obj: KubeObject, kind: string): string {
  const m = obj.metadata ?? {};
  return `${obj.kind ?? kind} ${m.namespace ? `${m.namespace}/` : ''}${m.name ?? '?'}`;
}

function generationObserved(obj: KubeObject): boolean {
  const gen = obj.metadata?.generation ?? 0;
  const observed = obj.status?.observedGeneration ?? 0;
  return observed >= gen && !(gen > 0 && observed === 0);
}

/** `kubectl rollout status deployment/...`. */
export function deploymentReady(d: KubeObject): Readiness {
  const name = ref(d, 'Deployment');
  if (!generationObserved(d)) return wait(`${name}: waiting for spec update to be observed`);
  const progressing = condition(d, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return fail(`${name}: exceeded its progress deadline (${describe(progressing, 'Progressing')})`);
  }
  const s = d.status ?? {};
  const want: number = d.spec?.replicas ?? 1;
  const updated: number = s.updatedReplicas ?? 0;
  const replicas: number = s.replicas ?? 0;
  const available: number = s.availableReplicas ?? 0;
  if (updated < want) return wait(`${name}: ${updated} of ${want} new replicas updated`);
  if (replicas > updated) return wait(`${name}: ${replicas - updated} old replicas pending termination`);
  if (available < updated) return wait(`${name}: ${available} of ${updated} updated replicas available`);
  return ok(`${name}: rolled out (${available}/${want} available)`);
}

/** `kubectl rollout status statefulset/...`. */
export function statefulSetReady(s: KubeObject): Readiness {
  const name = ref(s, 'StatefulSet');
  const st = s.status ?? {};
  if (!st.observedGeneration || !generationObserved(s)) return wait(`${name}: waiting for spec update to be observed`);
  const want: number = s.spec?.replicas ?? 1;
  const ready: number = st.readyReplicas ?? 0;
  if (ready < want) return wait(`${name}: ${ready} of ${want} pods ready`);
  const strategy = s.spec?.updateStrategy;
  if (strategy?.type === 'OnDelete') return ok(`${name}: ${ready}/${want} ready (OnDelete strategy)`);
  const partition: number = strategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    const updated: number = st.updatedReplicas ?? 0;
    if (updated < want - partition) return wait(`${name}: ${updated} of ${want - partition} partitioned pods updated`);
    return ok(`${name}: partitioned roll out complete (${updated} updated)`);
  }
  if (st.updateRevision !== st.currentRevision) {
    return wait(`${name}: rolling update in progress, ${st.updatedReplicas ?? 0} pods at revision ${st.updateRevision}`);
  }
  return ok(`${name}: rolled out (${ready}/${want} ready, revision ${st.currentRevision})`);
}

/** `kubectl rollout status daemonset/...`. */
export function daemonSetReady(ds: KubeObject): Readiness {
  const name = ref(ds, 'DaemonSet');
  if (!generationObserved(ds)) return wait(`${name}: waiting for spec update to be observed`);
  const st = ds.status ?? {};
  const desired: number = st.desiredNumberScheduled ?? 0;
  const updated: number = st.updatedNumberScheduled ?? 0;
  const available: number = st.numberAvailable ?? 0;
  if (ds.spec?.updateStrategy?.type !== 'OnDelete' && updated < desired) {
    return wait(`${name}: ${updated} of ${desired} updated pods scheduled`);
  }
  if (available < desired) return wait(`${name}: ${available} of ${desired} updated pods available`);
  return ok(`${name}: rolled out (${available}/${desired} available)`);
}

/** A Job has completed; a Failed condition is terminal. */
export function jobComplete(j: KubeObject): Readiness {
  const name = ref(j, 'Job');
  const failed = condition(j, 'Failed');
  if (failed?.status === 'True') return fail(`${name}: ${describe(failed, 'Failed')}`);
  const complete = condition(j, 'Complete');
  if (complete?.status === 'True' || (j.status?.succeeded ?? 0) >= 1) return ok(`${name}: complete`);
  return wait(`${name}: ${j.status?.active ?? 0} active, ${j.status?.failed ?? 0} failed pods`);
}

/** A PersistentVolumeClaim is Bound; Lost is terminal; Pending says what it waits for. */
export function pvcBound(p: KubeObject): Readiness {
  const name = ref(p, 'PersistentVolumeClaim');
  const phase = p.status?.phase ?? 'Unknown';
  if (phase === 'Bound') return ok(`${name}: Bound to ${p.spec?.volumeName ?? '?'}`);
  if (phase === 'Lost') return fail(`${name}: Lost (its volume is gone)`);
  const a = p.metadata?.annotations ?? {};
  const node = a['volume.kubernetes.io/selected-node'];
  const provisioner = a['volume.kubernetes.io/storage-provisioner'] ?? a['volume.beta.kubernetes.io/storage-provisioner'];
  if (phase === 'Pending' && provisioner) {
    return wait(`${name}: Pending, no existing volume matched: waiting for provisioner ${provisioner} to create one${node ? ` for node ${node}` : ''}`);
  }
  if (phase === 'Pending' && node) return wait(`${name}: Pending, node ${node} chosen by the scheduler`);
  return wait(`${name}: ${phase}`);
}

/** A core/v1 Event as the API server lists it (the fields the reports read). */
export interface KubeEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
}

/**
 * An object's events as evidence lines, newest first, Warnings before Normal ones, one line per
 * reason (its latest message, how often it was seen), at most `max` lines of at most 300 characters:
 * what `kubectl describe` shows at its end, and usually the reason a claim or pod is stuck.
 */
export function eventLines(what: string, events: readonly KubeEvent[], max = 3): string[] {
  const when = (e: KubeEvent) => Date.parse(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? '') || 0;
  const latest = new Map<string, KubeEvent & { seen: number }>();
  for (const e of [...events].sort((x, y) => when(y) - when(x))) {
    const key = `${e.type}/${e.reason}`;
    const seen = e.series?.count ?? e.count ?? 1;
    const had = latest.get(key);
    if (had) had.seen += seen;
    else latest.set(key, { ...e, seen });
  }
  const ordered = [...latest.values()].sort((x, y) => Number(y.type === 'Warning') - Number(x.type === 'Warning'));
  return ordered.slice(0, max).map((e) => {
    const msg = (e.message ?? '').trim().replace(/\s+/g, ' ');
    return `${what} event ${e.type ?? '?'} ${e.reason ?? '?'}${e.seen > 1 ? ` (x${e.seen})` : ''}: ${msg.length > 300 ? `${msg.slice(0, 299)}…` : msg}`;
  });
}

/** A condition of `type` is True. */
export function conditionTrue(obj: KubeObject, type: string, kind = 'object'): Readiness {
  const name = ref(obj, kind);
  const c = condition(obj, type);
  return c?.status === 'True' ? ok(`${name}: ${describe(c, type)}`) : wait(`${name}: ${describe(c, type)}`);
}

/** A Node is Ready. */
export const nodeReady = (n: KubeObject): Readiness => conditionTrue(n, 'Ready', 'Node');

/** A Pod is Ready (its condition; a pod being deleted may still be Ready: callers check deletionTimestamp). */
export const podReady = (p: KubeObject): Readiness => conditionTrue(p, 'Ready', 'Pod');

/** An APIService (e.g. v1beta1.metrics.k8s.io) is Available. */
export const apiServiceAvailable = (a: KubeObject): Readiness => conditionTrue(a, 'Available', 'APIService');

/** A CustomResourceDefinition is Established with its names accepted. */
export function crdEstablished(crd: KubeObject): Readiness {
  const e = conditionTrue(crd, 'Established', 'CustomResourceDefinition');
  if (!e.ready) return e;
  return conditionTrue(crd, 'NamesAccepted', 'CustomResourceDefinition');
}

/**
 * A custom resource (cert-manager, ESO, Karpenter, Strimzi...) is Ready: Ready=True, the controller
 * has observed the current generation, and every extra condition type in `also` is True.
 */
export function crReady(cr: KubeObject, also: readonly string[] = []): Readiness {
  const name = ref(cr, 'resource');
  const gen = cr.metadata?.generation;
  const observed = cr.status?.observedGeneration;
  if (gen !== undefined && observed !== undefined && observed !== gen) {
    return wait(`${name}: controller has observed generation ${observed} of ${gen}`);
  }
  for (const type of ['Ready', ...also]) {
    const c = condition(cr, type);
    if (c?.status !== 'True') return wait(`${name}: ${describe(c, type)}`);
    if (gen !== undefined && c.observedGeneration !== undefined && c.observedGeneration < gen) {
      return wait(`${name}: ${type}=True was set for generation ${c.observedGeneration}; the controller has not observed generation ${gen} yet`);
    }
  }
  return ok(`${name}: ${describe(condition(cr, 'Ready'), 'Ready')}`);
}

/** Container waiting reasons that mean a pod will not become healthy by waiting a few seconds. */
export const BAD_WAITING_REASONS = ['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'InvalidImageName'];

/** Problems of a pod: containers waiting for a bad reason. Empty when none. */
export function podProblems(pod: KubeObject): string[] {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const out: string[] = [];
  for (const cs of statuses) {
    const reason: string | undefined = cs?.state?.waiting?.reason;
    if (reason && BAD_WAITING_REASONS.includes(reason)) {
      out.push(`Pod ${pod.metadata?.namespace}/${pod.metadata?.name} container ${cs.name}: ${reason}${cs.state.waiting.message ? ` (${cs.state.waiting.message})` : ''}`);
    }
  }
  return out;
}
