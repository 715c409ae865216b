/**
 * Offline expansion of the ApplicationSets phase 3 creates: the Applications Argo CD's
 * ApplicationSet controller would generate, computed from the generator and the repository tree.
 * Supported (and nothing else, so a generator this cannot read fails instead of expanding wrongly):
 * - `goTemplate: true` with `missingkey=error`;
 * - one git generator with `directories` entries whose path is `<dir>/*` (one level; an `exclude`
 *   entry removes a directory), as Argo CD's git directory generator;
 * - template parameters `{{.path.path}}`, `{{.path.basename}}`, `{{.path.basenameNormalized}}`
 *   (the parameters that generator documents); any other `{{...}}` is an error, as missingkey=error.
 * Directories are listed by the caller (the repository's tree at the target revision), sorted.
 */

export interface Expanded {
  name: string;
  labels: Record<string, string>;
  project: string;
  namespace: string;
  server: string;
  repoURL: string;
  targetRevision: string;
  path: string;
  valueFiles: string[];
  releaseName?: string;
  spec: Record<string, unknown>;
}

type Obj = Record<string, any>;

const PARAM = /\{\{\s*([^}]*?)\s*\}\}/g;

function render(value: unknown, params: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(PARAM, (_m, expr: string) => {
      const key = expr.trim();
      if (!(key in params)) throw new Error(`template parameter ${key} is not set by the git directory generator (missingkey=error)`);
      return params[key]!;
    });
  }
  if (Array.isArray(value)) return value.map((v) => render(v, params));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, params)]));
  return value;
}

/** `path.basenameNormalized`: the basename with characters invalid in a name replaced by `-`. */
const normalized = (s: string) => s.replace(/[^a-zA-Z0-9-]/g, '-');

export function expandApplicationSet(appset: Obj, listDirs: (parent: string) => string[]): Expanded[] {
  const spec = appset.spec as Obj;
  if (spec.goTemplate !== true || !(spec.goTemplateOptions ?? []).includes('missingkey=error')) {
    throw new Error(`ApplicationSet ${appset.metadata?.name}: only goTemplate with missingkey=error is supported`);
  }
  const generators = spec.generators as Obj[];
  if (generators.length !== 1 || !generators[0]!.git || Object.keys(generators[0]!).length !== 1) {
    throw new Error(`ApplicationSet ${appset.metadata?.name}: expected exactly one git generator`);
  }
  const git = generators[0]!.git as Obj;
  const include: string[] = [];
  const exclude = new Set<string>();
  for (const d of git.directories as Obj[]) {
    const m = /^([^*]+)\/\*$/.exec(String(d.path));
    if (!m) throw new Error(`directory path ${d.path} is not of the form <dir>/*`);
    const dirs = listDirs(m[1]!).map((n) => `${m[1]}/${n}`);
    if (d.exclude === true) dirs.forEach((x) => exclude.add(x));
    else include.push(...dirs);
  }
  const paths = [...new Set(include)].filter((p) => !exclude.has(p)).sort();
  return paths.map((p) => {
    const basename = p.split('/').pop()!;
    const params = { '.path.path': p, '.path.basename': basename, '.path.basenameNormalized': normalized(basename) };
    const t = render(spec.template, params) as Obj;
    const src = t.spec.source as Obj;
    return {
      name: t.metadata.name,
      labels: t.metadata.labels ?? {},
      project: t.spec.project,
      namespace: t.spec.destination.namespace,
      server: t.spec.destination.server,
      repoURL: src.repoURL,
      targetRevision: src.targetRevision,
      path: src.path,
      valueFiles: src.helm?.valueFiles ?? [],
      releaseName: src.helm?.releaseName,
      spec: t.spec,
    };
  });
}
