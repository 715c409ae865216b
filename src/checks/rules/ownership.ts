/**
 * `single-owner`: every Kubernetes object and every Helm release in the planned graph has one owning
 * phase. Two phases declaring the same object (kind, namespace, name) or the same Helm release
 * (namespace, release name) fight over it: the second `up` fails on a field-manager conflict or a
 * "cannot re-use a name that is still in use", and a destroy of either phase deletes the other's.
 * The review found two (C2: phase 7 planned a second Alloy release beside phase 2's; C3: phase 8
 * declared the NodePools phase 2 creates). AWS resources are left out: the same name in two accounts
 * or regions is legitimate, and Pulumi/AWS already reject true duplicates at create.
 */
import type { CheckResource, StackRule } from '../types.js';
import { isRecord } from '../util.js';
import { HELM_RELEASE_TYPES } from './helm-charts.js';

const HELM = new Set<string>(HELM_RELEASE_TYPES);

/** What a resource claims, as one string key, or undefined when it claims nothing we track. */
export function ownedKey(r: CheckResource): string | undefined {
  if (HELM.has(r.type)) {
    const name = typeof r.props.name === 'string' && r.props.name ? r.props.name : r.name;
    return `Helm release ${String(r.props.namespace ?? 'default')}/${name}`;
  }
  if (!r.type.startsWith('kubernetes:')) return undefined;
  const meta = r.props.metadata;
  if (!isRecord(meta) || typeof meta.name !== 'string') return undefined;
  const kind = typeof r.props.kind === 'string' ? r.props.kind : r.type.split(':').pop();
  const group = typeof r.props.apiVersion === 'string' && r.props.apiVersion.includes('/') ? r.props.apiVersion.split('/')[0] : '';
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  return `${kind}${group ? `.${group}` : ''} ${ns}${meta.name}`;
}

const PATCH_META = new Set(['apiVersion', 'kind', 'metadata.name', 'metadata.namespace']);

/** True for a server-side-apply patch resource. */
export function isPatch(r: CheckResource): boolean {
  return r.type.startsWith('kubernetes:') && r.type.endsWith('Patch');
}

/** The leaf field paths an object or patch sets (`metadata.annotations.x`, `spec.servers`), lists as leaves. */
export function fieldPaths(props: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(props)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isRecord(v) && Object.keys(v).length > 0) out.push(...fieldPaths(v, path));
    else if (!PATCH_META.has(path)) out.push(path);
  }
  return out;
}

/** The object a patch targets, keyed like `ownedKey` keys a declaration. */
function patchTarget(r: CheckResource): string | undefined {
  return ownedKey({ ...r, type: r.type.slice(0, -'Patch'.length), props: { ...r.props, kind: typeof r.props.kind === 'string' ? r.props.kind : undefined } });
}

export const ownershipRules: StackRule[] = [
  {
    kind: 'stack',
    name: 'single-owner',
    description: 'No Kubernetes object or Helm release is declared by two phases',
    severity: 'high',
    mirrors: ['helm install: cannot re-use a name that is still in use', 'kubectl apply --server-side field-manager conflict'],
    fix: 'keep the object in the phase that owns it and have the other phase read it from that phase’s outputs',
    validateStack(resources, report) {
      const owners = new Map<string, CheckResource>();
      const patches = resources.filter(isPatch);
      for (const r of resources) {
        if (isPatch(r)) continue;
        const key = ownedKey(r);
        if (!key) continue;
        const first = owners.get(key);
        if (!first) owners.set(key, r);
        else if (first.phase !== r.phase) {
          report({ resource: r, property: HELM.has(r.type) ? 'name' : 'metadata.name', message: `${key} is already declared by phase ${first.phase} (${first.name}); one phase owns it` });
        }
      }
      // A patch may set only fields no other phase sets on the same object.
      const setters = [...resources.filter((r) => !isPatch(r) && ownedKey(r) !== undefined), ...patches];
      for (const p of patches) {
        const target = patchTarget(p);
        const mine = new Set(fieldPaths(p.props));
        for (const other of setters) {
          if (other === p || other.phase === p.phase || (isPatch(other) ? patchTarget(other) : ownedKey(other)) !== target) continue;
          const shared = fieldPaths(other.props).filter((f) => mine.has(f));
          if (shared.length > 0) report({ resource: p, property: shared[0]!, message: `${target}: phase ${other.phase} (${other.name}) also sets ${shared.join(', ')}; one phase owns each field` });
        }
      }
    },
  },
];
