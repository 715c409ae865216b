/**
 * Helm values against what the chart accepts:
 * - a chart that ships `values.schema.json` is judged by Helm itself while rendering (the render
 *   fails); `schemaIssues` turns Helm's message into one issue per values key. Schemas often allow
 *   additional properties (external-dns 1.21.1 at its top level), so the keys are also walked:
 * - every chart is judged against its own `values.yaml` (and its schema's declared properties): a key the chart's defaults
 *   do not have, under a map whose defaults name its keys, is unknown (Helm would ignore it
 *   silently). Where the default is an empty map, null or a list, or the key passes its content
 *   through (OPEN_KEYS: resources, security contexts, label maps...), any content is accepted. Istio's charts keep their defaults under
 *   `_internal_defaults_do_not_set`, which is read as the top level.
 */
import { isRecord } from '../util.js';

export interface ValuesIssue {
  /** Dotted values key: `webhook.bar`. */
  key: string;
  message: string;
}

const ISTIO_DEFAULTS = '_internal_defaults_do_not_set';

/**
 * Values whose content the charts pass through to a Kubernetes field or to the application's own
 * configuration (resources, security contexts, label maps, Istio's meshConfig, a collector's config): their defaults show
 * an example, not the set of allowed keys, so what is under them is not judged here.
 */
export const OPEN_KEYS = new Set([
  'resources', 'securityContext', 'podSecurityContext', 'containerSecurityContext', 'seccompProfile', 'nodeSelector', 'tolerations',
  'affinity', 'topologySpreadConstraints', 'annotations', 'labels', 'podAnnotations', 'podLabels', 'serviceAnnotations', 'env',
  'extraArgs', 'meshConfig', 'strategy', 'livenessProbe', 'readinessProbe', 'startupProbe', 'sysctls',
  // The OpenTelemetry collector chart's `config` is the collector's own configuration (its defaults
  // name one exporter, `debug`; any receiver, processor or exporter of the distribution may be added).
  'config',
]);

/** The node a `$ref` (`#/$defs/x`, `#/definitions/x`) points at inside the same schema. */
function deref(node: unknown, root: unknown): Record<string, unknown> | undefined {
  let cur = node;
  for (let i = 0; i < 16 && isRecord(cur) && typeof cur.$ref === 'string' && cur.$ref.startsWith('#/'); i++) {
    cur = cur.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((acc, seg) => (isRecord(acc) ? acc[seg.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), root);
  }
  return isRecord(cur) ? cur : undefined;
}

/**
 * Unknown keys of `values` against the chart's `values.yaml` defaults, and its values.schema.json
 * when it ships one (a key the schema's `properties` declare is known even where values.yaml only
 * mentions it in a comment; a schema that allows additional properties does not make a key known).
 * `descoped` are keys the chart copies onto the top level before rendering (Istio's legacy `pilot.`
 * prefix): `pilot.x` is judged as `x`.
 */
export function unknownValuesKeys(values: Record<string, unknown>, defaults: Record<string, unknown>, descoped: readonly string[] = [], schema?: Record<string, unknown>): ValuesIssue[] {
  const root = isRecord(defaults[ISTIO_DEFAULTS]) ? { ...defaults, ...(defaults[ISTIO_DEFAULTS] as Record<string, unknown>) } : defaults;
  const out: ValuesIssue[] = [];
  const propsOf = (node: Record<string, unknown> | undefined) => {
    const p = node && deref(node, schema);
    return p && isRecord(p.properties) ? (p.properties as Record<string, unknown>) : undefined;
  };
  const walk = (v: Record<string, unknown>, d: Record<string, unknown>, sch: Record<string, unknown> | undefined, path: string[]) => {
    const props = propsOf(sch);
    if (Object.keys(d).length === 0 && !props) return; // free-form map
    for (const [k, sub] of Object.entries(v)) {
      const key = [...path, k].join('.');
      if (!(k in d) && !(props && k in props)) {
        out.push({ key, message: `values key ${key} is not in the chart's values.yaml${schema ? ' nor its values.schema.json' : ''}: Helm ignores it` });
        continue;
      }
      const subSchema = props && isRecord(props[k]) ? (props[k] as Record<string, unknown>) : undefined;
      if (isRecord(sub) && !OPEN_KEYS.has(k) && (isRecord(d[k]) || subSchema)) walk(sub, isRecord(d[k]) ? (d[k] as Record<string, unknown>) : {}, subSchema, [...path, k]);
    }
  };
  const alias = (k: string) => descoped.includes(k) && !(k in root) && isRecord(values[k]);
  for (const k of Object.keys(values)) if (alias(k)) walk(values[k] as Record<string, unknown>, root, schema, [k]);
  walk(Object.fromEntries(Object.entries(values).filter(([k]) => !alias(k))), root, schema, []);
  return out;
}

/**
 * Keys the chart's templates read with Sprig's `dig` from the values root (`dig "global"
 * "enableReaderRBAC" true .Values`) but its values.yaml does not declare (istiod 1.30.4): added to
 * the defaults (under Istio's `_internal_defaults_do_not_set` when the chart keeps them there), with
 * the template's default, so setting them is not reported as unknown. Keys already declared stay.
 */
export function withDiggedKeys(defaults: Record<string, unknown>, templates: readonly string[]): Record<string, unknown> {
  const out = structuredClone(defaults);
  const root = isRecord(out[ISTIO_DEFAULTS]) ? (out[ISTIO_DEFAULTS] as Record<string, unknown>) : out;
  for (const text of templates) {
    for (const m of text.matchAll(/\bdig((?:\s+"[^"]+")+)\s+("[^"]*"|true|false|-?\d+|nil)\s+\$?\.Values\s*\)/g)) {
      const path = [...m[1]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!);
      const raw = m[2]!;
      const value: unknown = raw === 'true' ? true : raw === 'false' ? false : raw === 'nil' ? null : raw.startsWith('"') ? raw.slice(1, -1) : Number(raw);
      let node = root;
      path.forEach((k, i) => {
        if (i === path.length - 1) {
          if (!(k in node)) node[k] = value;
        } else {
          if (!isRecord(node[k])) {
            if (k in node) return; // declared as a leaf: leave it
            node[k] = {};
          }
          node = node[k] as Record<string, unknown>;
        }
      });
    }
  }
  return out;
}

/**
 * Helm's schema failure (`values don't meet the specifications of the schema(s)`), one issue per
 * `- at '<pointer>': <message>` line; an `additional properties 'x' not allowed` names key x.
 */
export function schemaIssues(stderr: string): ValuesIssue[] {
  if (!/values don't meet the specifications of the schema/.test(stderr)) return [];
  const out: ValuesIssue[] = [];
  for (const m of stderr.matchAll(/- at '([^']*)': (.+)$/gm)) {
    const base = m[1]!.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const msg = m[2]!.trim();
    if (msg === 'validation failed') continue;
    const extra = /^additional propert(?:y|ies) (.+) not allowed$/.exec(msg);
    if (extra) {
      for (const k of extra[1]!.matchAll(/'([^']+)'/g)) {
        const key = [...base, k[1]!].join('.');
        out.push({ key, message: `values key ${key} is not in the chart's values.schema.json` });
      }
    } else {
      const key = base.join('.') || '(root)';
      out.push({ key, message: `values key ${key} does not match the chart's values.schema.json: ${msg}` });
    }
  }
  return out;
}
