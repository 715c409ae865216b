/**
 * The restore drill's cluster side (restore-drill.ts `ScratchPort` and `SqlTarget`), through the
 * Kubernetes API only (no network path to either database: psql runs in the pods through exec):
 * - the source volume is read from the PostgreSQL primary's claim (`data-<statefulSet>-0`): its PV
 *   must be an EBS CSI volume (`ebs.csi.aws.com`); the PV's node affinity (its zone) is reused for
 *   the restored volume, which AWS Backup restores into the same zone;
 * - the scratch objects, in the scratch namespace (restricted Pod Security, deny-all network):
 *   a static PV on the restored volume (reclaim Retain: the drill deletes the EBS volume itself,
 *   after detaching, and says so), a claim bound to it by name, and one pod running the same image
 *   and server settings as the primary (phase 4's postgresArgs: a data directory with logical
 *   replication slots refuses to start below wal_level=logical) on the restored data directory,
 *   listening on its socket only. PostgreSQL recovers the crash-consistent snapshot at start;
 * - un-mounting deletes the pod, the claim and the PV and waits until the pod is gone, so the volume
 *   detaches before it is deleted.
 * Every object carries the gates' managed-by label and the run's suffix in its name.
 */
import type { Clock } from '../../src/core/ports.js';
import type { KubeProbe, Manifest } from '../../src/gates/probes/k8s.js';
import { podReady } from '../../src/gates/k8s/readiness.js';
import { GATE_LABELS } from '../../src/gates/poll.js';
import { postgresArgs } from '../04-data/cdc-config.js';
import { psqlArgs } from './drill-sql.js';
import { volumeIdOf } from './drill-aws.js';
import type { ScratchPort, SqlTarget } from './restore-drill.js';

export const EBS_CSI_DRIVER = 'ebs.csi.aws.com';
/** Where phase 4 mounts the volume and keeps the data directory (programs/04-data/postgres.ts). */
const MOUNT = '/var/lib/postgresql/data';
const PGDATA = `${MOUNT}/pgdata`;
const PG_UID = 999;
/** How often the scratch pod and its deletion are re-read. */
const POLL_MS = 5_000;
/** A psql statement's limit (a checksum over a large table takes a while). */
const QUERY_MS = 15 * 60_000;
/** Pod states that waiting cannot fix. */
const STUCK = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'CreateContainerError', 'InvalidImageName']);

export interface SourceVolume {
  volumeId: string;
  /** `<namespace>/<claim>` (evidence). */
  claim: string;
  /** The source PV's node affinity (its zone), reused for the restored volume's PV. */
  nodeAffinity?: Record<string, unknown>;
}

/** The EBS volume behind the primary's claim; throws naming what is missing. */
export async function sourceVolume(k8s: KubeProbe, namespace: string, statefulSet: string): Promise<SourceVolume> {
  const claim = `data-${statefulSet}-0`;
  const pvc: any = await k8s.read({ kind: 'PersistentVolumeClaim', namespace, name: claim });
  if (!pvc) throw new Error(`the primary's claim ${namespace}/${claim} does not exist`);
  const pvName = pvc.spec?.volumeName;
  if (!pvName) throw new Error(`the primary's claim ${namespace}/${claim} is not bound (${pvc.status?.phase ?? 'no phase'})`);
  const pv: any = await k8s.read({ kind: 'PersistentVolume', name: pvName });
  if (!pv) throw new Error(`PersistentVolume ${pvName} of ${namespace}/${claim} does not exist`);
  if (pv.spec?.csi?.driver !== EBS_CSI_DRIVER || !/^vol-[0-9a-f]+$/.test(pv.spec?.csi?.volumeHandle ?? '')) {
    throw new Error(`PersistentVolume ${pvName} of ${namespace}/${claim} is not an EBS CSI volume (driver ${pv.spec?.csi?.driver ?? 'none'}): AWS Backup's EBS recovery points cannot be restored for it`);
  }
  return { volumeId: pv.spec.csi.volumeHandle, claim: `${namespace}/${claim}`, ...(pv.spec.nodeAffinity ? { nodeAffinity: pv.spec.nodeAffinity } : {}) };
}

export interface ScratchOptions {
  namespace: string;
  /** Per-run object name (`restore-drill-<suffix>`). */
  name: string;
  image: string;
  nodeAffinity?: Record<string, unknown>;
}

/** The PV, claim and pod of one drill (pure). */
export function scratchObjects(o: ScratchOptions, volumeId: string): { pv: Manifest; pvc: Manifest; pod: Manifest } {
  const labels = { ...GATE_LABELS, 'app.kubernetes.io/name': 'restore-drill', 'app.kubernetes.io/part-of': 'platform-hardening' };
  // The size is nominal: a static PV binds by name, and the filesystem is the volume's own.
  const storage = '1Gi';
  const pv: Manifest = {
    kind: 'PersistentVolume',
    metadata: { name: o.name, labels },
    spec: {
      capacity: { storage },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      volumeMode: 'Filesystem',
      csi: { driver: EBS_CSI_DRIVER, volumeHandle: volumeId, fsType: 'ext4' },
      claimRef: { namespace: o.namespace, name: o.name },
      ...(o.nodeAffinity ? { nodeAffinity: o.nodeAffinity } : {}),
    },
  };
  const pvc: Manifest = {
    kind: 'PersistentVolumeClaim',
    metadata: { name: o.name, namespace: o.namespace, labels },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', volumeName: o.name, resources: { requests: { storage } } },
  };
  const pod: Manifest = {
    kind: 'Pod',
    metadata: { name: o.name, namespace: o.namespace, labels },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 30,
      securityContext: { runAsNonRoot: true, runAsUser: PG_UID, runAsGroup: PG_UID, fsGroup: PG_UID, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'postgres',
          image: o.image,
          command: ['postgres', '-D', PGDATA, ...postgresArgs(), '-c', 'listen_addresses='],
          readinessProbe: { exec: { command: ['pg_isready', '-U', 'postgres'] }, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
          resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: PG_UID, runAsGroup: PG_UID, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
          volumeMounts: [
            { name: 'data', mountPath: MOUNT },
            { name: 'run', mountPath: '/var/run/postgresql' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: o.name } },
        { name: 'run', emptyDir: {} },
        { name: 'tmp', emptyDir: {} },
      ],
    },
  };
  return { pv, pvc, pod };
}

/** psql in a pod's `postgres` container, over its socket. */
export function podSql(k8s: KubeProbe, namespace: string, pod: string, database: string): SqlTarget {
  return {
    where: `pod ${namespace}/${pod}`,
    async query(sql) {
      const r = await k8s.exec({ namespace, pod, container: 'postgres' }, ['psql', '-U', 'postgres', ...psqlArgs(database, sql)], QUERY_MS);
      if (r.code !== 0) throw new Error(`psql in ${namespace}/${pod} exited ${r.code}: ${r.stderr.trim().slice(0, 500)}`);
      return r.stdout;
    },
  };
}

const sleep = (clock: Clock, ms: number, signal: AbortSignal) => clock.sleep(ms, signal);

/** Why a pod cannot become Ready, when waiting cannot help. */
function stuckReason(pod: any): string | undefined {
  if (pod?.status?.phase === 'Failed' || pod?.status?.phase === 'Succeeded') return `pod ended ${pod.status.phase}`;
  for (const c of pod?.status?.containerStatuses ?? []) {
    const w = c.state?.waiting;
    if (w && STUCK.has(w.reason)) return `${w.reason}: ${w.message ?? ''}`.trim();
    const t = c.state?.terminated;
    if (t) return `container exited ${t.exitCode} (${t.reason ?? 'no reason'})${t.message ? `: ${t.message}` : ''}`;
  }
  return undefined;
}

export function createK8sScratch(k8s: KubeProbe, clock: Clock, o: ScratchOptions & { database: string; readyMs: number }): ScratchPort {
  let created: Array<{ kind: 'Pod' | 'PersistentVolumeClaim' | 'PersistentVolume'; name: string; namespace?: string }> = [];
  return {
    async mount(resourceArn, signal) {
      const objs = scratchObjects(o, volumeIdOf(resourceArn));
      for (const m of [objs.pv, objs.pvc, objs.pod]) {
        await k8s.create(m);
        created.unshift({ kind: m.kind as 'Pod', name: m.metadata.name, ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}) });
      }
      const until = clock.now() + o.readyMs;
      for (;;) {
        const pod: any = await k8s.read({ kind: 'Pod', namespace: o.namespace, name: o.name });
        if (pod && podReady(pod).ready) break;
        const stuck = stuckReason(pod);
        if (stuck) throw new Error(`the restored database's pod ${o.namespace}/${o.name} cannot start: ${stuck}`);
        if (clock.now() >= until) {
          const conds = (pod?.status?.conditions ?? []).filter((c: any) => c.status !== 'True').map((c: any) => `${c.type}: ${c.reason ?? ''} ${c.message ?? ''}`.trim());
          throw new Error(`the restored database's pod ${o.namespace}/${o.name} not Ready within ${Math.round(o.readyMs / 1000)} s (${pod?.status?.phase ?? 'no phase'}${conds.length ? `; ${conds.join('; ')}` : ''})`);
        }
        await sleep(clock, Math.min(POLL_MS, until - clock.now()), signal);
      }
      return podSql(k8s, o.namespace, o.name, o.database);
    },
    async unmount(signal, deadline) {
      const done: string[] = [];
      for (const ref of created) {
        await k8s.delete(ref);
        done.push(`deleted ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`);
        if (ref.kind === 'Pod') {
          // The volume detaches only once the pod is gone.
          while (await k8s.read(ref)) {
            if (clock.now() >= deadline) throw new Error(`pod ${ref.namespace}/${ref.name} still terminating`);
            await sleep(clock, Math.min(POLL_MS, deadline - clock.now()), signal);
          }
        }
      }
      created = [];
      return done;
    },
    manualCleanup() {
      return `kubectl -n ${o.namespace} delete pod,pvc ${o.name}; kubectl delete pv ${o.name}`;
    },
  };
}
