/**
 * Fake nodes for kwok, shaped like the platform's: `system` nodes (the EKS managed node group:
 * label platform.io/node-pool=system, taint CriticalAddonsOnly=true:NoSchedule) and Karpenter
 * `on-demand` nodes (no taint), spread over zones a and b of the env's region. kwok manages only
 * nodes annotated kwok.x-k8s.io/node=fake; `managed: false` makes a node no kubelet reports for.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

export function kwokNode(name: string, opts: { zone: string; pool: 'system' | 'on-demand'; managed?: boolean }): KubernetesObject {
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'topology.kubernetes.io/zone': opts.zone,
    'platform.io/node-pool': opts.pool,
    type: 'kwok',
  };
  if (opts.pool !== 'system') labels['karpenter.sh/nodepool'] = opts.pool;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels, annotations: opts.managed === false ? {} : { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: opts.pool === 'system' ? { taints: [{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoSchedule' }] } : {},
  } as KubernetesObject;
}

/** Two system and two on-demand nodes in zones <region>a and <region>b. */
export function platformNodes(region: string): KubernetesObject[] {
  return ['a', 'b'].flatMap((z, i) => [
    kwokNode(`system-${i}`, { zone: `${region}${z}`, pool: 'system' }),
    kwokNode(`on-demand-${i}`, { zone: `${region}${z}`, pool: 'on-demand' }),
  ]);
}
