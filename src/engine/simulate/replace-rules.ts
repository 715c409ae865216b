/**
 * Which input changes replace a resource, as the providers decide it, for the simulate engine.
 * Rules:
 * - the generated table (replace-table.ts, from CloudFormation's createOnlyProperties mapped to
 *   Pulumi names, and the Kubernetes provider's own rules; see scripts/replace-table/) gives the
 *   paths per type; every Kubernetes kind replaces on metadata.name/namespace plus its kind's
 *   immutable fields;
 * - components (`platform:<area>:<Name>`, the stack) own no cloud object and never replace;
 * - a resource's own `replaceOnChanges` option adds paths (`*` for every input), as the engine does;
 * - a type the table does not know has no rule (`undefined`): test/checks/programs.test.ts (prod,
 *   stg) and test/engine/replace-coverage.test.ts (local) fail for any type a program registers that
 *   is not covered, so this never happens silently.
 * Paths are dotted (`metadata.name`); `[*]` spans the items of a list.
 */
import { REPLACE_TABLE } from './replace-table.js';

const table = REPLACE_TABLE as unknown as {
  types: Record<string, { replaceOn: readonly string[] }>;
  kubernetesKinds: Record<string, readonly string[]>;
  kubernetesDefault: readonly string[];
};

/** The input paths that replace a resource of `type`, or undefined when the type has no rule. */
export function replacePaths(type: string): readonly string[] | undefined {
  const known = table.types[type];
  if (known) return known.replaceOn;
  if (/^platform:[^:]+:[^:]+$/.test(type) || type === 'pulumi:pulumi:Stack') return [];
  const k8s = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
  if (k8s && !k8s[1]!.startsWith('helm.sh/') && !k8s[1]!.startsWith('yaml/') && !k8s[1]!.startsWith('kustomize/')) {
    return table.kubernetesKinds[`${k8s[1]}:${k8s[2]}`] ?? table.kubernetesDefault;
  }
  return undefined;
}

/** Every value at `path` in `value` (`[*]` expands lists), for comparing. */
function valuesAt(value: unknown, path: string): unknown {
  const [head, ...rest] = path.split('.');
  if (head === undefined || head === '') return value;
  const list = head.endsWith('[*]');
  const key = list ? head.slice(0, -3) : head;
  if (value === null || typeof value !== 'object') return undefined;
  const next = (value as Record<string, unknown>)[key];
  if (!list) return rest.length ? valuesAt(next, rest.join('.')) : next;
  return Array.isArray(next) ? next.map((item) => valuesAt(item, rest.join('.'))) : undefined;
}

/**
 * True when a change from `olds` to `news` replaces a resource of `type` (`extra`: its
 * replaceOnChanges). `same(a, b)` compares two values; secret inputs arrive hashed, so a path
 * into one compares the whole input.
 */
export function replaces(
  type: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  same: (a: unknown, b: unknown) => boolean,
  extra: readonly string[] = [],
  secretInputs: readonly string[] = [],
): boolean {
  const paths = [...(replacePaths(type) ?? []), ...extra];
  if (paths.includes('*')) return !same(olds, news);
  return paths.some((p) => {
    const top = p.split('.')[0]!.replace(/\[\*\]$/, '');
    const path = secretInputs.includes(top) ? top : p;
    return !same(valuesAt(olds, path), valuesAt(news, path));
  });
}

/**
 * The values of the replace-forcing inputs, as one string (seeds a replaced resource's new id);
 * undefined for a type that never replaces, whose id then depends on its name only.
 */
export function replaceKey(type: string, inputs: Record<string, unknown>, extra: readonly string[] = []): string | undefined {
  const paths = [...(replacePaths(type) ?? []), ...extra];
  if (paths.length === 0) return undefined;
  return JSON.stringify(paths.includes('*') ? inputs : paths.map((p) => valuesAt(inputs, p) ?? null));
}
