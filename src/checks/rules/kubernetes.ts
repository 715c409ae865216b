/**
 * Workload and mesh rules over Kubernetes manifests (reference/reliability.md §4): the Pod Security
 * Standards "restricted" items plus read-only root filesystem, resource requests/limits, pinned
 * images; mesh-wide STRICT mTLS; a default-deny NetworkPolicy in every namespace that runs workloads.
 *
 * Pod specs are found per kind: spec.template.spec (Deployment, StatefulSet, DaemonSet, ReplicaSet,
 * Job, Argo Rollout), spec.jobTemplate.spec.template.spec (CronJob), spec (Pod). A container passes
 * a securityContext rule when its own context, or failing that the pod's, says so.
 */
import type { CheckResource, ResourceRule, StackRule, Violation } from '../types.js';
import { manifestOf } from '../manifests.js';
import { isRecord, list } from '../util.js';

const TEMPLATE_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Rollout'];
export const WORKLOAD_TYPES = [
  'kubernetes:apps/v1:Deployment',
  'kubernetes:apps/v1:StatefulSet',
  'kubernetes:apps/v1:DaemonSet',
  'kubernetes:apps/v1:ReplicaSet',
  'kubernetes:batch/v1:Job',
  'kubernetes:batch/v1:CronJob',
  'kubernetes:core/v1:Pod',
  'kubernetes:argoproj.io/v1alpha1:Rollout',
];
/** Namespaces run by the platform itself, where the default-deny rule does not apply. */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

interface PodView {
  path: string;
  spec: Record<string, any>;
}

export function podSpecOf(r: CheckResource): PodView | undefined {
  const m = manifestOf(r);
  const spec = m.spec as any;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return undefined;
  let found: PodView | undefined;
  if (m.kind === 'Pod') found = { path: 'spec', spec };
  else if (m.kind === 'CronJob') found = { path: 'spec.jobTemplate.spec.template.spec', spec: spec.jobTemplate?.spec?.template?.spec };
  else if (TEMPLATE_KINDS.includes(m.kind)) found = { path: 'spec.template.spec', spec: spec.template?.spec };
  return found && isRecord(found.spec) ? found : undefined;
}

interface ContainerView {
  path: string;
  c: Record<string, any>;
}

function containers(p: PodView): ContainerView[] {
  const out: ContainerView[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    list<Record<string, any>>(p.spec[field]).forEach((c, i) => out.push({ path: `${p.path}.${field}[${i}]`, c }));
  }
  return out;
}

/** A container-level rule: `check` returns the violation (relative property + message) or undefined. */
function containerRule(
  base: Omit<ResourceRule, 'kind' | 'resourceTypes' | 'validateResource'>,
  check: (c: Record<string, any>, pod: Record<string, any>) => Violation | undefined,
): ResourceRule {
  return {
    ...base,
    kind: 'resource',
    resourceTypes: WORKLOAD_TYPES,
    validateResource(r, report) {
      const pod = podSpecOf(r);
      if (!pod) return;
      for (const { path, c } of containers(pod)) {
        const v = check(c, pod.spec);
        if (v) report({ property: v.property.startsWith('@pod') ? `${pod.path}${v.property.slice(4)}` : `${path}.${v.property}`, message: `container ${JSON.stringify(c.name ?? '?')}: ${v.message}` });
      }
    },
  };
}

const sc = (c: Record<string, any>) => (isRecord(c.securityContext) ? c.securityContext : {}) as Record<string, any>;
const psc = (p: Record<string, any>) => (isRecord(p.securityContext) ? p.securityContext : {}) as Record<string, any>;
const either = (c: Record<string, any>, p: Record<string, any>, k: string) => (sc(c)[k] !== undefined ? sc(c)[k] : psc(p)[k]);

const podRule = (
  base: Omit<ResourceRule, 'kind' | 'resourceTypes' | 'validateResource'>,
  check: (pod: Record<string, any>, report: (v: Violation) => void) => void,
): ResourceRule => ({
  ...base,
  kind: 'resource',
  resourceTypes: WORKLOAD_TYPES,
  validateResource(r, report) {
    const pod = podSpecOf(r);
    if (pod) check(pod.spec, (v) => report({ property: `${pod.path}.${v.property}`, message: v.message }));
  },
});

export const workloadRules: ResourceRule[] = [
  containerRule(
    {
      name: 'k8s-run-as-non-root',
      description: 'Containers run as a non-root user',
      severity: 'high',
      mirrors: ['container-security-context-user-group-id', 'require-run-as-nonroot', 'require-run-as-non-root-user', 'CKV_K8S_23', 'CKV_K8S_40', 'KSV-0012', 'KSV-0020'],
      fix: 'set securityContext.runAsNonRoot: true (and a runAsUser above 10000) on the pod or container',
    },
    (c, p) => {
      if (either(c, p, 'runAsUser') === 0) return { property: 'securityContext.runAsUser', message: 'runs as UID 0' };
      if (either(c, p, 'runAsNonRoot') !== true) return { property: 'securityContext.runAsNonRoot', message: 'runAsNonRoot is not true' };
      return undefined;
    },
  ),
  containerRule(
    {
      name: 'k8s-no-privilege-escalation',
      description: 'Containers set allowPrivilegeEscalation: false',
      severity: 'high',
      mirrors: ['AllowPrivilegeEscalation', 'disallow-privilege-escalation', 'CKV_K8S_20', 'KSV-0001'],
      fix: 'set securityContext.allowPrivilegeEscalation: false on every container',
    },
    (c) => (sc(c).allowPrivilegeEscalation !== false ? { property: 'securityContext.allowPrivilegeEscalation', message: 'privilege escalation is allowed (the default)' } : undefined),
  ),
  containerRule(
    {
      name: 'k8s-not-privileged',
      description: 'No privileged containers',
      severity: 'high',
      mirrors: ['container-security-context-privileged', 'disallow-privileged-containers', 'CKV_K8S_16', 'KSV-0017'],
      fix: 'remove securityContext.privileged',
    },
    (c) => (sc(c).privileged === true ? { property: 'securityContext.privileged', message: 'runs privileged' } : undefined),
  ),
  containerRule(
    {
      name: 'k8s-drop-all-capabilities',
      description: 'Containers drop ALL capabilities and add at most NET_BIND_SERVICE',
      severity: 'medium',
      mirrors: ['CapDropAll', 'disallow-capabilities-strict', 'require-drop-all', 'CKV_K8S_37', 'CKV_K8S_28', 'KSV-0003', 'KSV-0106'],
      fix: 'set securityContext.capabilities: { drop: ["ALL"] }',
    },
    (c) => {
      const caps = isRecord(sc(c).capabilities) ? (sc(c).capabilities as Record<string, unknown>) : {};
      if (!list<string>(caps.drop).includes('ALL')) return { property: 'securityContext.capabilities.drop', message: 'does not drop ALL capabilities' };
      const added = list<string>(caps.add).filter((x) => x !== 'NET_BIND_SERVICE');
      if (added.length) return { property: 'securityContext.capabilities.add', message: `adds ${added.join(', ')}` };
      return undefined;
    },
  ),
  containerRule(
    {
      name: 'k8s-read-only-root-fs',
      description: 'Containers have a read-only root filesystem',
      severity: 'medium',
      mirrors: ['container-security-context-readonlyrootfilesystem', 'require-ro-rootfs', 'CKV_K8S_22', 'KSV-0014'],
      fix: 'set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes',
    },
    (c) => (sc(c).readOnlyRootFilesystem !== true ? { property: 'securityContext.readOnlyRootFilesystem', message: 'the root filesystem is writable' } : undefined),
  ),
  containerRule(
    {
      name: 'k8s-resources',
      description: 'Containers request CPU and memory and limit memory',
      severity: 'medium',
      mirrors: ['container-resources', 'require-pod-requests-limits', 'CKV_K8S_10', 'CKV_K8S_11', 'CKV_K8S_12', 'CKV_K8S_13', 'KSV-0011', 'KSV-0015', 'KSV-0016', 'KSV-0018'],
      fix: 'set resources.requests.cpu, resources.requests.memory and resources.limits.memory',
    },
    (c) => {
      const res = isRecord(c.resources) ? (c.resources as Record<string, any>) : {};
      const missing = [['requests', 'cpu'], ['requests', 'memory'], ['limits', 'memory']].filter(([k, r]) => res[k]?.[r] === undefined);
      return missing.length ? { property: 'resources', message: `missing ${missing.map((m) => m.join('.')).join(', ')}` } : undefined;
    },
  ),
  containerRule(
    {
      name: 'k8s-seccomp-profile',
      description: 'Containers run with the RuntimeDefault (or a Localhost) seccomp profile',
      severity: 'medium',
      mirrors: ['container-seccomp-profile', 'restrict-seccomp-strict', 'CKV_K8S_31', 'KSV-0030', 'KSV-0104'],
      fix: 'set securityContext.seccompProfile: { type: RuntimeDefault } on the pod',
    },
    (c, p) => {
      const t = (either(c, p, 'seccompProfile') as { type?: string } | undefined)?.type;
      return t === 'RuntimeDefault' || t === 'Localhost' ? undefined : { property: 'securityContext.seccompProfile', message: `seccomp profile is ${t ?? 'unset (Unconfined)'}` };
    },
  ),
  containerRule(
    {
      name: 'k8s-image-pinned',
      description: 'Images are pinned to a tag other than latest, or a digest',
      severity: 'medium',
      mirrors: ['container-image-tag', 'disallow-latest-tag', 'tagNotSpecified', 'CKV_K8S_43', 'CKV_K8S_14'],
      fix: 'pin the image to a version tag or @sha256 digest',
    },
    (c) => {
      const img = String(c.image ?? '');
      if (img.includes('@sha256:')) return undefined;
      const tag = /:([^/:]+)$/.exec(img)?.[1];
      return !tag || tag === 'latest' ? { property: 'image', message: `image ${JSON.stringify(img)} is not pinned` } : undefined;
    },
  ),
  podRule(
    {
      name: 'k8s-no-host-path',
      description: 'Pods mount no hostPath volumes',
      severity: 'high',
      mirrors: ['disallow-host-path', 'restrict-volume-types', 'hostPathSet', 'CKV_K8S_27', 'KSV-0023'],
      fix: 'use emptyDir, a PVC, a ConfigMap or a projected volume instead',
    },
    (pod, report) => {
      list<Record<string, unknown>>(pod.volumes).forEach((v, i) => {
        if (v.hostPath !== undefined) report({ property: `volumes[${i}].hostPath`, message: `volume ${JSON.stringify(v.name)} mounts a host path` });
      });
    },
  ),
  podRule(
    {
      name: 'k8s-no-host-namespaces',
      description: 'Pods share no host network, PID or IPC namespace',
      severity: 'high',
      mirrors: ['disallow-host-namespaces', 'CKV_K8S_19', 'CKV_K8S_17', 'CKV_K8S_18', 'KSV-0009', 'KSV-0010', 'KSV-0008'],
      fix: 'remove hostNetwork, hostPID and hostIPC',
    },
    (pod, report) => {
      for (const k of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[k] === true) report({ property: k, message: `${k} is on` });
    },
  ),
];

const PEER_AUTH = /^kubernetes:security\.istio\.io\/v1(beta1)?:PeerAuthentication$/;
const NETPOL = 'kubernetes:networking.k8s.io/v1:NetworkPolicy';


/**
 * The planned resources install Istio itself (its istiod or base chart). The mesh-wide default is
 * owned by the phase that installs the mesh; a later phase that only adds mesh policy objects
 * (AuthorizationPolicy, namespace PeerAuthentication) is judged without it, or every such phase
 * would be told to create phase 2's object again.
 */
function installsIstio(resources: readonly CheckResource[]): boolean {
  return resources.some((r) => r.type.startsWith('kubernetes:helm.sh/') && /(^|\/)istiod$|(^|\/)istio-base$/.test(String(r.props.chart ?? '')));
}

const meta = (r: CheckResource) => (isRecord(r.props.metadata) ? (r.props.metadata as Record<string, unknown>) : {});

export const meshRules: (ResourceRule | StackRule)[] = [
  {
    kind: 'stack',
    name: 'istio-mesh-strict-mtls',
    description: 'With Istio installed, a mesh-wide PeerAuthentication "default" in istio-system enforces STRICT mTLS',
    severity: 'high',
    mirrors: ['enforce-strict-mtls', 'require-authorizationpolicy'],
    fix: 'create PeerAuthentication default in istio-system with no selector and spec.mtls.mode: STRICT',
    validateStack(resources, report) {
      if (!installsIstio(resources)) return;
      const pas = resources.filter((r) => PEER_AUTH.test(r.type));
      const mesh = pas.find((r) => meta(r).name === 'default' && meta(r).namespace === 'istio-system');
      const anchor = mesh ?? resources.find((r) => r.type.includes('.istio.io') || r.type.startsWith('kubernetes:helm.sh/'))!;
      if (!mesh) return report({ resource: anchor, property: '(mesh)', message: 'no PeerAuthentication istio-system/default: the mesh accepts plain text' });
      const spec = isRecord(mesh.props.spec) ? (mesh.props.spec as Record<string, any>) : {};
      if (spec.selector !== undefined) report({ resource: mesh, property: 'spec.selector', message: 'a selector in the root namespace makes Istio ignore the mesh-wide policy' });
      if (spec.mtls?.mode !== 'STRICT') report({ resource: mesh, property: 'spec.mtls.mode', message: `mode is ${JSON.stringify(spec.mtls?.mode ?? 'unset')}, not STRICT` });
    },
  },
  {
    kind: 'resource',
    name: 'istio-no-mtls-downgrade',
    description: 'No PeerAuthentication weakens mTLS to PERMISSIVE or DISABLE',
    severity: 'high',
    mirrors: ['enforce-strict-mtls'],
    fix: 'set spec.mtls.mode (and every portLevelMtls mode) to STRICT or UNSET',
    resourceTypes: ['kubernetes:security.istio.io/v1:PeerAuthentication', 'kubernetes:security.istio.io/v1beta1:PeerAuthentication'],
    validateResource(r, report) {
      const spec = isRecord(r.props.spec) ? (r.props.spec as Record<string, any>) : {};
      const weak = (m: unknown) => m === 'PERMISSIVE' || m === 'DISABLE';
      if (weak(spec.mtls?.mode)) report({ property: 'spec.mtls.mode', message: `mode ${String(spec.mtls.mode)} accepts plain text` });
      for (const [port, v] of Object.entries(isRecord(spec.portLevelMtls) ? spec.portLevelMtls : {})) {
        if (weak((v as any)?.mode)) report({ property: `spec.portLevelMtls.${port}.mode`, message: `port ${port} accepts plain text` });
      }
    },
  },
  {
    kind: 'stack',
    name: 'k8s-default-deny-network-policy',
    description: 'Every namespace that runs workloads has a default-deny NetworkPolicy for ingress and egress',
    severity: 'high',
    mirrors: ['pod-networkpolicy', 'add-network-policy', 'missingNetworkPolicy', 'CKV2_K8S_6', 'KSV-0038'],
    fix: 'add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress, Egress] to the namespace, then allow what the apps need',
    validateStack(resources, report) {
      const byNs = new Map<string, CheckResource>();
      for (const r of resources) {
        if (!WORKLOAD_TYPES.includes(r.type)) continue;
        const ns = typeof meta(r).namespace === 'string' ? (meta(r).namespace as string) : 'default';
        if (!SYSTEM_NAMESPACES.includes(ns) && !byNs.has(ns)) byNs.set(ns, r);
      }
      const denied = new Set(
        resources
          .filter((r) => r.type === NETPOL)
          .filter((r) => {
            const spec = isRecord(r.props.spec) ? (r.props.spec as Record<string, any>) : {};
            const sel = spec.podSelector;
            const all = isRecord(sel) && Object.values(sel).every((v) => v === undefined || (Array.isArray(v) ? v.length === 0 : isRecord(v) && Object.keys(v).length === 0));
            const types = list<string>(spec.policyTypes);
            return all && types.includes('Ingress') && types.includes('Egress') && list(spec.ingress).length === 0 && list(spec.egress).length === 0;
          })
          .map((r) => (typeof meta(r).namespace === 'string' ? (meta(r).namespace as string) : 'default')),
      );
      for (const [ns, first] of byNs) {
        if (!denied.has(ns)) report({ resource: first, property: 'metadata.namespace', message: `namespace ${ns} runs workloads but has no default-deny NetworkPolicy` });
      }
    },
  },
];
