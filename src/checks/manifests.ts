/**
 * Kubernetes manifests in the planned graph, and their schemas.
 *
 * - Every `kubernetes:<group/version>:<Kind>` resource is a manifest (its inputs carry apiVersion,
 *   kind, metadata, spec). A `kubernetes:yaml/v2:ConfigGroup` is one resource under mocks: its `objs`
 *   and `yaml` are expanded into one manifest each. Helm releases are skipped (values aside). Files,
 *   kustomize directories and ConfigGroup `files` cannot be read offline and are reported.
 * - Schemas come from kubernetes-models and @kubernetes-models/{istio,argo-cd,argo-rollouts,
 *   cert-manager,gateway-api} (karpenter, external-secrets, prometheus-operator once installed): the model's compiled ajv validator checks types, enums, required fields.
 *   A kind no package knows is reported, never passed.
 * - Those schemas allow unknown fields, so a strict layer runs the same validator over proxies that
 *   record which keys it probes: an object whose keys the validator probed by name (a typed object)
 *   but whose key it never asked for holds an unknown field. An object the validator enumerated (a
 *   map such as labels) or never looked into (free-form, e.g. Helm valuesObject) is not judged.
 */
import { parseAllDocuments } from 'yaml';
import type { CheckResource } from './types.js';
import { isRecord, list } from './util.js';

/** Types that are kubernetes:* but not manifests: Helm releases and charts (values aside). */
const NOT_MANIFEST = /^kubernetes:(helm\.sh\/|yaml:Config(Group|File)$)/;
const CONFIG_GROUP_V2 = 'kubernetes:yaml/v2:ConfigGroup';
/** Sources whose manifests live in files or directories the offline check cannot read. */
const UNREADABLE = /^kubernetes:(yaml\/v2:ConfigFile|kustomize\/v2:Directory|kustomize:Directory)$/;

export function isManifestType(type: string): boolean {
  return type.startsWith('kubernetes:') && !NOT_MANIFEST.test(type) && type !== CONFIG_GROUP_V2 && !UNREADABLE.test(type);
}

export function apiVersionOfType(type: string): string | undefined {
  const m = /^kubernetes:([^:]+):[^:]+$/.exec(type);
  if (!m) return undefined;
  return m[1].startsWith('core/') ? m[1].slice('core/'.length) : m[1];
}

export function typeFor(apiVersion: string, kind: string): string {
  return `kubernetes:${apiVersion.includes('/') ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

export interface Unreadable {
  resource: CheckResource;
  property: string;
  message: string;
}

export interface Expanded {
  /** The planned resources plus one pseudo-resource per manifest embedded in a ConfigGroup. */
  resources: CheckResource[];
  unreadable: Unreadable[];
}

/** Expands ConfigGroup objs/yaml into manifest resources; records sources that cannot be read. */
export function expandManifests(input: readonly CheckResource[]): Expanded {
  const resources: CheckResource[] = [];
  const unreadable: Unreadable[] = [];
  for (const r of input) {
    resources.push(r);
    if (UNREADABLE.test(r.type)) {
      unreadable.push({ resource: r, property: '(source)', message: 'manifests in a file or directory cannot be checked offline; pass them as ConfigGroup objs or yaml' });
      continue;
    }
    if (r.type !== CONFIG_GROUP_V2) continue;
    if (list(r.props.files).length) unreadable.push({ resource: r, property: 'files', message: 'manifests in files cannot be checked offline; pass them as objs or yaml' });
    const docs: { obj: unknown; at: string }[] = [];
    list(r.props.objs).flat(Infinity).forEach((o, i) => docs.push({ obj: o, at: `objs[${i}]` }));
    list<string>(r.props.yaml).forEach((text, i) => {
      if (typeof text !== 'string') return;
      parseAllDocuments(text).forEach((d, j) => {
        if (d.errors.length) unreadable.push({ resource: r, property: `yaml[${i}]`, message: `YAML document ${j} does not parse: ${d.errors[0].message.split('\n')[0]}` });
        else docs.push({ obj: d.toJS(), at: `yaml[${i}]#${j}` });
      });
    });
    for (const { obj, at } of docs) {
      if (obj === null || obj === undefined) continue;
      if (!isRecord(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
        unreadable.push({ resource: r, property: at, message: 'the document has no apiVersion and kind' });
        continue;
      }
      const meta = isRecord(obj.metadata) ? obj.metadata : {};
      const ident = [meta.namespace, meta.name].filter((x) => typeof x === 'string').join('/');
      resources.push({
        phase: r.phase,
        urn: `${r.urn}$${obj.kind}::${ident}`,
        type: typeFor(obj.apiVersion, obj.kind),
        name: `${r.name}/${obj.kind}/${ident}`,
        props: obj,
        embeddedAt: at,
      });
    }
  }
  return { resources, unreadable };
}

/** The manifest a resource stands for: its inputs with apiVersion and kind filled from the type. */
export function manifestOf(r: CheckResource): Record<string, unknown> & { apiVersion: string; kind: string } {
  const kind = typeof r.props.kind === 'string' ? r.props.kind : r.type.split(':')[2];
  const apiVersion = typeof r.props.apiVersion === 'string' ? r.props.apiVersion : (apiVersionOfType(r.type) ?? '');
  return { ...r.props, apiVersion, kind };
}

type ModelClass = { apiVersion: string; kind: string; prototype: { validate(): void } };

/** Packages holding the models of an API group; groups not listed try kubernetes-models. */
const GROUP_PACKAGES: Record<string, string[]> = {
  'argoproj.io': ['@kubernetes-models/argo-cd', '@kubernetes-models/argo-rollouts'],
  'gateway.networking.k8s.io': ['@kubernetes-models/gateway-api'],
  // Packages of the same family that are not dependencies yet: until installed, their kinds are
  // reported as unknown (the import fails), never passed.
  'karpenter.sh': ['@kubernetes-models/karpenter'],
  'karpenter.k8s.aws': ['@kubernetes-models/karpenter'],
  'external-secrets.io': ['@kubernetes-models/external-secrets'],
  'monitoring.coreos.com': ['@kubernetes-models/prometheus-operator'],
};
function packagesFor(group: string): string[] {
  if (GROUP_PACKAGES[group]) return GROUP_PACKAGES[group];
  if (group.endsWith('.istio.io')) return ['@kubernetes-models/istio'];
  if (group.endsWith('cert-manager.io') || group === 'trust-manager.io') return ['@kubernetes-models/cert-manager'];
  return ['kubernetes-models'];
}

const models = new Map<string, ModelClass | null>();
const key = (apiVersion: string, kind: string) => `${apiVersion}\u0000${kind}`;

/** Loads the model classes of these (apiVersion, kind) pairs; unknown ones are remembered as null. */
export async function loadModels(pairs: Iterable<{ apiVersion: string; kind: string }>): Promise<void> {
  const todo = new Map<string, { apiVersion: string; kind: string }>();
  for (const p of pairs) if (!models.has(key(p.apiVersion, p.kind))) todo.set(key(p.apiVersion, p.kind), p);
  await Promise.all(
    [...todo.values()].map(async ({ apiVersion, kind }) => {
      models.set(key(apiVersion, kind), await findModel(apiVersion, kind));
    }),
  );
}

async function findModel(apiVersion: string, kind: string): Promise<ModelClass | null> {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(kind) || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) return null;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  for (const pkg of packagesFor(group)) {
    const spec = group ? `${pkg}/${group}/${version}/${kind}` : `${pkg}/${version}/${kind}`;
    try {
      const mod = (await import(spec)) as Record<string, unknown>;
      const M = mod[kind] as ModelClass | undefined;
      if (M && M.kind === kind && M.apiVersion === apiVersion) return M;
    } catch {
      // not in this package: try the next one
    }
  }
  return null;
}

/** The model of a kind, once loadModels has run: undefined = not loaded, null = no package knows it. */
export function modelFor(apiVersion: string, kind: string): ModelClass | null | undefined {
  return models.get(key(apiVersion, kind));
}

export interface SchemaReport {
  /** Schema errors: dotted property path and message. */
  errors: { property: string; message: string }[];
  /** Dotted paths of fields the schema does not define. */
  unknownFields: string[];
}

interface Probe {
  path: string[];
  keys: string[];
  probed: Set<string>;
  enumerated: boolean;
}

function watch(value: unknown, path: string[], probes: Probe[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => watch(v, [...path, `[${i}]`], probes));
  if (!isRecord(value)) return value;
  const probe: Probe = { path, keys: Object.keys(value), probed: new Set(), enumerated: false };
  probes.push(probe);
  const target: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) target[k] = watch(v, [...path, k], probes);
  return new Proxy(target, {
    get(t, k, recv) {
      if (typeof k === 'string') probe.probed.add(k);
      return Reflect.get(t, k, recv);
    },
    has(t, k) {
      if (typeof k === 'string') probe.probed.add(k);
      return Reflect.has(t, k);
    },
    ownKeys(t) {
      probe.enumerated = true;
      return Reflect.ownKeys(t);
    },
  });
}

export function dotted(segments: readonly string[]): string {
  return segments.reduce((acc, s) => (s.startsWith('[') ? acc + s : acc ? `${acc}.${s}` : s), '');
}

function pointerToPath(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : s));
}

function valueAt(obj: unknown, segs: readonly string[]): unknown {
  let cur = obj;
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as any)[s.startsWith('[') ? Number(s.slice(1, -1)) : s];
  }
  return cur;
}

/** Validates a manifest against its model, strictly. The model must have been loaded. */
export function validateManifest(model: ModelClass, manifest: Record<string, unknown>): SchemaReport {
  const probes: Probe[] = [];
  const watched = watch(manifest, [], probes);
  const errors: SchemaReport['errors'] = [];
  try {
    model.prototype.validate.call(watched);
  } catch (e) {
    const list = ((e as { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] }).errors ?? []);
    if (list.length === 0) errors.push({ property: '', message: (e as Error).message });
    for (const err of list) {
      const segs = pointerToPath(err.instancePath);
      if (valueAt(manifest, segs) === '[secret]') continue; // a secret placeholder, not the real value
      const allowed = Array.isArray(err.params?.allowedValues) ? ` (${(err.params!.allowedValues as unknown[]).join(', ')})` : '';
      errors.push({ property: dotted(segs), message: `${err.message ?? 'is invalid'}${allowed}` });
    }
  }
  const unknownFields: string[] = [];
  for (const p of probes) {
    if (p.enumerated || p.probed.size === 0) continue;
    // A CRD's versions hold JSON Schema (description, x-kubernetes-*) and printer columns that the
    // model's validator does not probe key by key (false unknowns seen on cert-manager's and Istio's
    // CRDs); the API server validates CRDs structurally when they are applied (test/cluster).
    if (manifest.kind === 'CustomResourceDefinition') continue;
    for (const k of p.keys) if (!p.probed.has(k)) unknownFields.push(dotted([...p.path, k]));
  }
  return { errors, unknownFields };
}
