/**
 * Phase 2 end-to-end gates (reference/phases.md, phase 2 "Gate" 3): each creates throw-away objects,
 * waits for them inside one check on the runner's clock, and deletes them whatever the outcome
 * (src/gates/poll.ts). Names carry a per-run suffix and the label managed-by=platform-gates.
 *
 * - `storage-encrypted-pvc`: a 1 GiB PVC on the default StorageClass plus a pod mounting it (gp3
 *   binds on first consumer) must become Bound (a Lost claim is terminal); the bound PV's EBS volume
 *   (`spec.csi.volumeHandle`) must be Encrypted, gp3 and encrypted with phase 1's EBS key, found by
 *   its alias `alias/platform/<env>/ebs`. A wrong volume is terminal.
 * - `coredns-resolves`: a Job runs nslookup of kubernetes.default.svc.cluster.local and of the STS
 *   endpoint; Complete passes, Failed is terminal and reports the pod's termination message (the
 *   nslookup output, via terminationMessagePolicy FallbackToLogsOnError).
 * - `external-dns-record`: an ExternalName Service annotated with a fresh host under api.<domain>
 *   must get its record in Route53 (CNAME, or A/AAAA alias) plus the TXT ownership record saying
 *   heritage=external-dns and owner=<cluster>; after the Service is deleted the records must go
 *   (ExternalDNS runs with policy sync). A TXT record of another owner is terminal.
 */
import { EC2Client, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { KMSClient, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { Route53Client, ListHostedZonesByNameCommand, ListResourceRecordSetsCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { Gate, GateContext } from '../../src/core/gate.js';
import type { Probes } from '../../src/gates/probes/index.js';
import type { Manifest, ObjectRef } from '../../src/gates/probes/k8s.js';
import { Evidence } from '../../src/gates/evidence.js';
import { eventLines, jobComplete, podProblems, pvcBound, type KubeEvent, type KubeObject, type Readiness } from '../../src/gates/k8s/readiness.js';
import { GATE_LABELS, cleanUp, runSuffix, timing, waitFor } from '../../src/gates/poll.js';
import type { Phase2Outputs } from './phase.js';

type G = Gate<Phase2Outputs, Probes>;
type Ctx = GateContext<Phase2Outputs, Probes>;
const MIN = 60_000;

/** Namespace of the throw-away objects. */
export const GATE_NAMESPACE = 'default';
/** A small image with sh and nslookup, from ECR Public (reachable through NAT, no Docker Hub limits). */
export const PROBE_IMAGE = 'public.ecr.aws/docker/library/busybox:1.37';
const INTERVAL = 10_000;
const DNS_INTERVAL = 15_000;

const podBasics = {
  restartPolicy: 'Never',
  terminationGracePeriodSeconds: 0,
  securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
  tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }],
};
const container = (name: string, script: string) => ({
  name,
  image: PROBE_IMAGE,
  command: ['sh', '-c', script],
  terminationMessagePolicy: 'FallbackToLogsOnError',
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
  resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
});
const refOf = (m: Manifest): ObjectRef => ({ kind: m.kind, name: m.metadata.name, ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}) });

/** What each pod of a set says: bad waiting reasons and termination messages. */
async function podReport(ctx: Ctx, labelSelector: string): Promise<string[]> {
  const pods = await ctx.probes.k8s.list('Pod', { namespace: GATE_NAMESPACE, labelSelector });
  return pods.flatMap((p) => [
    ...podProblems(p),
    ...((p.status?.containerStatuses ?? []) as any[])
      .filter((cs) => cs?.state?.terminated)
      .map((cs) => `Pod ${p.metadata?.name} container ${cs.name} exited ${cs.state.terminated.exitCode}${cs.state.terminated.message ? `: ${String(cs.state.terminated.message).trim().slice(0, 400)}` : ''}`),
  ]);
}

const storage: G = {
  name: 'storage-encrypted-pvc',
  description: "A PVC on the default gp3 StorageClass binds, and its EBS volume is encrypted with phase 1's EBS key",
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: INTERVAL,
  after: ['workloads-ready'],
  async check(ctx) {
    const { env, outputs, probes } = ctx;
    const k = probes.k8s;
    const ev = new Evidence();
    const alias = `alias/platform/${env.name}/ebs`;
    const keyArn = (await probes.aws.client(KMSClient).send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.Arn;
    const name = `platform-gate-${runSuffix(timing(ctx).clock)}`;
    const meta = { name, namespace: GATE_NAMESPACE, labels: { ...GATE_LABELS } };
    const pvc: Manifest = { kind: 'PersistentVolumeClaim', metadata: meta, spec: { accessModes: ['ReadWriteOnce'], storageClassName: outputs.defaultStorageClass, resources: { requests: { storage: '1Gi' } } } };
    const pod: Manifest = {
      kind: 'Pod',
      metadata: meta,
      spec: { ...podBasics, containers: [{ ...container('writer', 'echo ok > /data/probe && sleep 600'), volumeMounts: [{ name: 'data', mountPath: '/data' }] }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: name } }] },
    };
    const created: ObjectRef[] = [];
    try {
      await k.create(pvc);
      created.unshift(refOf(pvc));
      await k.create(pod);
      created.unshift(refOf(pod));
      ev.saw(`created PVC and Pod ${GATE_NAMESPACE}/${name} on StorageClass ${outputs.defaultStorageClass}`);
      const w = await waitFor<{ r: Readiness; obj?: KubeObject }>(ctx, INTERVAL, async () => {
        const obj = await k.read(refOf(pvc));
        const r = obj ? pvcBound(obj) : { ready: false, failed: true, message: `PersistentVolumeClaim ${GATE_NAMESPACE}/${name} disappeared` };
        return { done: r.ready, failed: r.failed, value: { r, obj } };
      });
      if (!w.done) {
        ev.problem(`${w.value.r.message} after ${w.readings} readings`, w.failed);
        for (const p of await podReport(ctx, `app.kubernetes.io/managed-by=${GATE_LABELS['app.kubernetes.io/managed-by']}`)) ev.problem(p);
        // The PV controller's and the provisioner's events say why (ProvisioningFailed carries the AWS error).
        const uid = w.value.obj?.metadata?.uid;
        if (uid) {
          try {
            const events = await k.list('Event', { namespace: GATE_NAMESPACE, fieldSelector: `involvedObject.uid=${uid}` });
            for (const line of eventLines(`PersistentVolumeClaim ${GATE_NAMESPACE}/${name}`, events as KubeEvent[])) ev.problem(line);
          } catch (e) {
            ev.problem(`could not list the claim's events: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      } else {
        ev.saw(w.value.r.message);
        const pv = await k.read({ kind: 'PersistentVolume', name: String(w.value.obj?.spec?.volumeName) });
        const handle: string | undefined = pv?.spec?.csi?.volumeHandle;
        if (!handle) ev.problem(`PersistentVolume ${w.value.obj?.spec?.volumeName} has no CSI volume handle (driver ${pv?.spec?.csi?.driver ?? 'none'}): not provisioned by the EBS CSI driver`, true);
        else {
          const v = (await probes.aws.client(EC2Client).send(new DescribeVolumesCommand({ VolumeIds: [handle] }))).Volumes?.[0];
          ev.saw(`EBS volume ${handle}: ${v?.VolumeType}, ${v?.Size} GiB, Encrypted=${v?.Encrypted}, KmsKeyId=${v?.KmsKeyId ?? 'none'}`);
          if (v?.Encrypted !== true) ev.problem(`EBS volume ${handle} is not encrypted`, true);
          else if (v.KmsKeyId !== keyArn) ev.problem(`EBS volume ${handle} is encrypted with ${v.KmsKeyId}, not phase 1's EBS key ${keyArn} (${alias})`, true);
          if (v?.VolumeType !== 'gp3') ev.problem(`EBS volume ${handle} is ${v?.VolumeType}, not gp3`, true);
        }
      }
    } finally {
      await cleanUp(k, created, ev);
    }
    return ev.outcome(`check the ${outputs.defaultStorageClass} StorageClass (type gp3, encrypted, kmsKeyId = ${alias}), the EBS CSI driver pods and that its role may use the key`);
  },
};

const coreDns: G = {
  name: 'coredns-resolves',
  description: 'A Job resolves kubernetes.default.svc.cluster.local and an AWS endpoint through CoreDNS',
  live: true,
  timeoutMs: 5 * MIN,
  intervalMs: INTERVAL,
  after: ['workloads-ready'],
  async check(ctx) {
    const { env, probes } = ctx;
    const k = probes.k8s;
    const ev = new Evidence();
    const name = `platform-gate-dns-${runSuffix(timing(ctx).clock)}`;
    const external = `sts.${env.regions.primary}.amazonaws.com`;
    const job: Manifest = {
      kind: 'Job',
      metadata: { name, namespace: GATE_NAMESPACE, labels: { ...GATE_LABELS } },
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: 120,
        ttlSecondsAfterFinished: 600,
        template: { metadata: { labels: { ...GATE_LABELS } }, spec: { ...podBasics, containers: [container('nslookup', `nslookup kubernetes.default.svc.cluster.local && nslookup ${external}`)] } },
      },
    };
    const created: ObjectRef[] = [];
    try {
      await k.create(job);
      created.push(refOf(job));
      ev.saw(`created Job ${GATE_NAMESPACE}/${name}: nslookup kubernetes.default.svc.cluster.local and ${external}`);
      const w = await waitFor<Readiness>(ctx, INTERVAL, async () => {
        const obj = await k.read(refOf(job));
        const r = obj ? jobComplete(obj) : { ready: false, failed: true, message: `Job ${GATE_NAMESPACE}/${name} disappeared` };
        return { done: r.ready, failed: r.failed, value: r };
      });
      if (w.done) ev.saw(w.value.message);
      else {
        ev.problem(w.value.message, w.failed);
        for (const p of await podReport(ctx, `job-name=${name}`)) ev.problem(p);
      }
    } finally {
      await cleanUp(k, created, ev);
    }
    return ev.outcome('check the coredns Deployment in kube-system, the cluster security group (UDP/TCP 53 between nodes) and the VPC resolver');
  },
};

/** The TXT registry's ownership value ExternalDNS writes, parsed into key/value pairs. */
export function parseOwnership(txt: string): Record<string, string> {
  return Object.fromEntries(
    txt.replace(/^"|"$/g, '').split(',').map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()];
    }),
  );
}

const externalDns: G = {
  name: 'external-dns-record',
  description: 'ExternalDNS publishes a record and its TXT ownership record in Route53 for an annotated Service, and removes them after',
  live: true,
  timeoutMs: 10 * MIN,
  intervalMs: DNS_INTERVAL,
  after: ['workloads-ready'],
  async check(ctx) {
    const { env, outputs, probes } = ctx;
    const k = probes.k8s;
    const ev = new Evidence();
    const r53 = probes.aws.client(Route53Client);
    const zoneName = `api.${env.domain}`;
    const zones = (await r53.send(new ListHostedZonesByNameCommand({ DNSName: zoneName, MaxItems: 1 }))).HostedZones ?? [];
    const zone = zones.find((z) => z.Name?.replace(/\.$/, '') === zoneName);
    if (!zone?.Id) return ev.problem(`no Route53 hosted zone ${zoneName}`, true).outcome('phase 1 creates the zone: platform up --phase 1');
    const zoneId = zone.Id.replace(/^\/hostedzone\//, '');
    const name = `platform-gate-dns-${runSuffix(timing(ctx).clock)}`;
    const host = `${name}.${zoneName}`;
    const svc: Manifest = {
      kind: 'Service',
      metadata: { name, namespace: GATE_NAMESPACE, labels: { ...GATE_LABELS }, annotations: { 'external-dns.alpha.kubernetes.io/hostname': host, 'external-dns.alpha.kubernetes.io/ttl': '60' } },
      spec: { type: 'ExternalName', externalName: outputs.istio.ingressLbHostname },
    };
    /** The records at `host` and the TXT registry's names for it (`cname-<host>`, `a-<host>`, or `<host>` itself). */
    const records = async (): Promise<ResourceRecordSet[]> => {
      const out: ResourceRecordSet[] = [];
      for (const n of [host, `cname-${host}`, `a-${host}`]) {
        const r = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: n, MaxItems: 4 }));
        out.push(...(r.ResourceRecordSets ?? []).filter((s) => s.Name?.replace(/\.$/, '') === n && !out.some((o) => o.Name === s.Name && o.Type === s.Type)));
      }
      return out;
    };
    const isAddress = (s: ResourceRecordSet) => s.Name?.replace(/\.$/, '') === host && (s.Type === 'CNAME' || ((s.Type === 'A' || s.Type === 'AAAA') && Boolean(s.AliasTarget)));
    const owners = (sets: ResourceRecordSet[]) => sets.filter((s) => s.Type === 'TXT').flatMap((s) => (s.ResourceRecords ?? []).map((r) => parseOwnership(r.Value ?? '')));
    const describe = (sets: ResourceRecordSet[]) => sets.map((s) => `${s.Type} ${s.Name?.replace(/\.$/, '')} -> ${s.AliasTarget?.DNSName ?? (s.ResourceRecords ?? []).map((r) => r.Value).join(' ')}`).join('; ') || 'none';
    let deleted = false;
    try {
      await k.create(svc);
      ev.saw(`created Service ${GATE_NAMESPACE}/${name} (ExternalName ${outputs.istio.ingressLbHostname}) for ${host} in zone ${zoneId}`);
      const w = await waitFor<{ sets: ResourceRecordSet[]; foreign?: string }>(ctx, DNS_INTERVAL, async () => {
        const sets = await records();
        const own = owners(sets).filter((o) => o.heritage === 'external-dns');
        const foreign = own.find((o) => o['external-dns/owner'] !== outputs.clusterName)?.['external-dns/owner'];
        const mine = own.some((o) => o['external-dns/owner'] === outputs.clusterName);
        return { done: sets.some(isAddress) && mine, failed: foreign !== undefined, value: { sets, foreign } };
      });
      if (w.value.foreign !== undefined) ev.problem(`${host} is owned by ExternalDNS owner '${w.value.foreign}', not '${outputs.clusterName}': ${describe(w.value.sets)}`, true);
      else if (!w.done) ev.problem(`no address record plus TXT ownership (owner ${outputs.clusterName}) for ${host} after ${w.readings} readings; records: ${describe(w.value.sets)}`);
      else {
        ev.saw(`Route53 ${zoneId}: ${describe(w.value.sets)}`);
        await k.delete({ kind: 'Service', name, namespace: GATE_NAMESPACE });
        deleted = true;
        ev.saw(`deleted Service ${GATE_NAMESPACE}/${name}`);
        const gone = await waitFor<ResourceRecordSet[]>(ctx, DNS_INTERVAL, async () => {
          const sets = await records();
          return { done: sets.length === 0, value: sets };
        });
        if (gone.done) ev.saw(`records for ${host} removed after the Service was deleted (policy sync)`);
        else ev.problem(`records for ${host} are still in Route53 after the Service was deleted: ${describe(gone.value)}`, true);
      }
    } finally {
      if (!deleted) await cleanUp(k, [refOf(svc)], ev);
    }
    return ev.outcome(`check the external-dns pod logs (AccessDenied on route53:ChangeResourceRecordSets, zone id filter ${zoneId}, txtOwnerId ${outputs.clusterName}, policy sync)`);
  },
};

/** End-to-end gates of phase 2, appended to `gates` in gates.ts. */
export const e2eGates: G[] = [storage, coreDns, externalDns];
