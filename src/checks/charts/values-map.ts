/**
 * The Helm values key that fixes a finding on an object a chart rendered. Each chart lays its
 * values out its own way, so this is a table per chart (read from each chart's values.yaml at the
 * pinned release) of its workloads and the keys that set their pod security context, container
 * security context, resources, service account token and image. A finding whose property falls in
 * none of these, or a workload the table does not know, gets no key (the finding still names the
 * chart and the object).
 */
import type { CheckResource } from '../types.js';
import { isRecord } from '../util.js';

interface WorkloadKeys {
  kind: string;
  /** The object's name as the chart renders it for the project's release name. */
  name: string;
  podSecurityContext?: string;
  containerSecurityContext?: string;
  resources?: string;
  automount?: string;
  image?: string;
}

/** chart name -> its workloads (values.yaml of cert-manager v1.21.1, external-dns 1.21.1, karpenter 1.14.1, metrics-server 3.13.1, istio 1.30). */
export const CHART_WORKLOAD_KEYS: Record<string, WorkloadKeys[]> = {
  'cert-manager': [
    { kind: 'Deployment', name: 'cert-manager', podSecurityContext: 'securityContext', containerSecurityContext: 'containerSecurityContext', resources: 'resources', automount: 'serviceAccount.automountServiceAccountToken', image: 'image.tag' },
    { kind: 'Deployment', name: 'cert-manager-webhook', podSecurityContext: 'webhook.securityContext', containerSecurityContext: 'webhook.containerSecurityContext', resources: 'webhook.resources', automount: 'webhook.serviceAccount.automountServiceAccountToken', image: 'webhook.image.tag' },
    { kind: 'Deployment', name: 'cert-manager-cainjector', podSecurityContext: 'cainjector.securityContext', containerSecurityContext: 'cainjector.containerSecurityContext', resources: 'cainjector.resources', automount: 'cainjector.serviceAccount.automountServiceAccountToken', image: 'cainjector.image.tag' },
    { kind: 'Job', name: 'cert-manager-startupapicheck', podSecurityContext: 'startupapicheck.securityContext', containerSecurityContext: 'startupapicheck.containerSecurityContext', resources: 'startupapicheck.resources', automount: 'startupapicheck.serviceAccount.automountServiceAccountToken', image: 'startupapicheck.image.tag' },
  ],
  'external-dns': [
    { kind: 'Deployment', name: 'external-dns', podSecurityContext: 'podSecurityContext', containerSecurityContext: 'securityContext', resources: 'resources', automount: 'automountServiceAccountToken', image: 'image.tag' },
  ],
  karpenter: [
    { kind: 'Deployment', name: 'karpenter', podSecurityContext: 'podSecurityContext', containerSecurityContext: 'controller.securityContext', resources: 'controller.resources', image: 'controller.image.tag' },
  ],
  'metrics-server': [
    { kind: 'Deployment', name: 'metrics-server', podSecurityContext: 'podSecurityContext', containerSecurityContext: 'securityContext', resources: 'resources', image: 'image.tag' },
  ],
  istiod: [{ kind: 'Deployment', name: 'istiod', podSecurityContext: 'seccompProfile', resources: 'resources', image: 'tag' }],
  gateway: [
    { kind: 'Deployment', name: 'istio-ingress', podSecurityContext: 'securityContext', containerSecurityContext: 'containerSecurityContext', resources: 'resources' },
  ],
  cni: [{ kind: 'DaemonSet', name: 'istio-cni-node', podSecurityContext: 'seccompProfile', resources: 'resources', image: 'tag' }],
};

/** The values key for a finding at `property` of a rendered object, or undefined. */
export function valuesKeyFor(r: CheckResource, property: string, _rule: string): string | undefined {
  if (!r.chart) return undefined;
  const meta = isRecord(r.props.metadata) ? r.props.metadata : {};
  const w = CHART_WORKLOAD_KEYS[r.chart.chart]?.find((e) => e.kind === r.props.kind && e.name === meta.name);
  if (!w) return undefined;
  const pod = /^spec\.(?:jobTemplate\.spec\.)?template\.spec\./.exec(property);
  if (!pod) return undefined;
  const rest = property.slice(pod[0].length);
  const inContainer = /^(?:initContainers|containers|ephemeralContainers)\[\d+\]\.(.*)$/.exec(rest);
  const field = inContainer ? inContainer[1]! : rest;
  // Istio's charts take the seccomp profile itself as the key (`seccompProfile: {type: RuntimeDefault}`).
  const podKey = (sub: string) => (w.podSecurityContext === 'seccompProfile' ? (sub === 'seccompProfile' ? w.podSecurityContext : undefined) : w.podSecurityContext && `${w.podSecurityContext}.${sub}`);
  if (field.startsWith('resources')) return w.resources;
  if (field === 'image') return w.image;
  if (field.startsWith('automountServiceAccountToken')) return w.automount;
  const sc = /^securityContext\.?(.*)$/.exec(field);
  if (!sc) return undefined;
  const sub = sc[1]!.split('.')[0]!;
  if (!inContainer || sub === 'seccompProfile') return podKey(sub) ?? (w.containerSecurityContext && `${w.containerSecurityContext}.${sub}`);
  return w.containerSecurityContext ? `${w.containerSecurityContext}${sub ? `.${sub}` : ''}` : podKey(sub);
}
