/**
 * Manifest rules: every Kubernetes manifest the phases create (Helm values aside) is of a kind a
 * schema package knows, matches that schema, and has no field the schema does not define
 * (see ../manifests.ts for how the strict layer finds unknown fields).
 */
import type { ResourceRule } from '../types.js';
import { expandManifests, isManifestType, manifestOf, modelFor, validateManifest } from '../manifests.js';

const ALL_KUBERNETES = ['kubernetes:*'];

function schemaOf(r: Parameters<ResourceRule['validateResource']>[0]) {
  const m = manifestOf(r);
  const model = modelFor(m.apiVersion, m.kind);
  return { m, model, report: model ? validateManifest(model, m) : undefined };
}

/** Memo of the strict validation per resource, shared by the schema and unknown-field rules. */
const memo = new WeakMap<object, ReturnType<typeof schemaOf>>();
function cached(r: Parameters<ResourceRule['validateResource']>[0]) {
  let v = memo.get(r);
  if (!v) memo.set(r, (v = schemaOf(r)));
  return v;
}

export const manifestRules: ResourceRule[] = [
  {
    kind: 'resource',
    name: 'k8s-manifest-known-kind',
    description: 'Every manifest is of a kind with a known schema, and every manifest source can be read offline',
    severity: 'medium',
    mirrors: ['kubeconform -strict (unknown kind)', 'kube-score (parse)'],
    fix: 'use a kind from kubernetes-models or @kubernetes-models/*, fix the apiVersion, or suppress with a reason until a schema exists',
    resourceTypes: ALL_KUBERNETES,
    validateResource(r, report) {
      if (r.embeddedAt === undefined) {
        for (const u of expandManifests([r]).unreadable) report({ property: u.property, message: u.message });
      }
      if (!isManifestType(r.type)) return;
      const { m, model } = cached(r);
      if (model === undefined) report({ property: 'kind', message: `the schema of ${m.apiVersion} ${m.kind} was not loaded (loadModels was not called)` });
      else if (model === null) report({ property: 'kind', message: `no schema package knows ${m.apiVersion} ${m.kind}` });
    },
  },
  {
    kind: 'resource',
    name: 'k8s-manifest-schema',
    description: 'Manifests match their schema: types, enums, required fields',
    severity: 'high',
    mirrors: ['kubeconform', 'kubernetes-models validate()'],
    fix: 'correct the field as the message says (the API server would reject it)',
    resourceTypes: ALL_KUBERNETES,
    validateResource(r, report) {
      if (!isManifestType(r.type)) return;
      for (const e of cached(r).report?.errors ?? []) report({ property: e.property || '(manifest)', message: e.message });
    },
  },
  {
    kind: 'resource',
    name: 'k8s-manifest-unknown-field',
    description: 'Manifests have no field their schema does not define (misspellings are silently dropped by the API server)',
    severity: 'medium',
    mirrors: ['kubeconform -strict', 'kubectl --validate=strict'],
    fix: 'correct the spelling or remove the field',
    resourceTypes: ALL_KUBERNETES,
    validateResource(r, report) {
      if (!isManifestType(r.type)) return;
      for (const f of cached(r).report?.unknownFields ?? []) report({ property: f, message: `unknown field ${f.split('.').pop()}` });
    },
  },
];
