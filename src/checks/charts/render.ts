/**
 * Renders the Helm releases the programs plan, the way `helm install` would, so the checks see every
 * object a chart creates with the project's values:
 * - the chart is the pinned release found by locate.ts (chart cache or module source, offline);
 * - `helm template <release> <chart> --namespace <ns> --values <values> --kube-version <env's> --include-crds`
 *   with Helm's cache, config and data homes in a scratch folder (nothing read from or written to ~);
 * - Helm validates the values against the chart's values.schema.json; the values' keys are also
 *   checked against the chart's values.yaml and schema properties (values-keys.ts), since many
 *   schemas allow keys they do not declare;
 * - a release that cannot be rendered (no chart copy, no Helm, a template or schema error) comes back
 *   as `ok: false` with the reason: the caller reports it, it is never skipped.
 * Renders are remembered per process (same chart folder and values: same output).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { isRecord } from '../util.js';
import { locateChart, locateHelm, type LocateOptions } from './locate.js';
import { schemaIssues, unknownValuesKeys, withDiggedKeys, type ValuesIssue } from './values-keys.js';

export interface ReleaseToRender {
  chart: string;
  version: string;
  releaseName: string;
  namespace: string;
  values: Record<string, unknown>;
}

export type RenderOutcome =
  | { ok: true; objects: Record<string, unknown>[]; origin: string; valuesIssues: ValuesIssue[] }
  | { ok: false; reason: string; valuesIssues: ValuesIssue[] };

export type ChartRenderer = (release: ReleaseToRender) => Promise<RenderOutcome>;

export interface HelmRendererOptions extends LocateOptions {
  /** The cluster's Kubernetes version (`1.35`): what `.Capabilities.KubeVersion` says. */
  kubeVersion?: string;
}

function helmTemplate(helm: string, argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(helm, argv, { env, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err ? err.message : '') });
    });
  });
}

export function helmRenderer(o: HelmRendererOptions): ChartRenderer {
  const memo = new Map<string, Promise<RenderOutcome>>();
  return (r) => {
    const located = locateChart(r.chart, r.version, o);
    const helm = locateHelm(o);
    const key = createHash('sha256')
      .update(JSON.stringify(['dir' in located ? located.dir : located.missing, helm, o.kubeVersion, r.releaseName, r.namespace, r.values]))
      .digest('hex');
    if (!memo.has(key)) memo.set(key, render(r, located, helm, o));
    return memo.get(key)!;
  };
}

/**
 * Keys an Istio chart copies to the top level before rendering (`templates/zzy_descope_legacy.yaml`:
 * `mustMergeOverwrite $.Values (index $.Values "pilot")`): `pilot.x` is read as `x`.
 */
function descopedKeys(dir: string): string[] {
  const file = join(dir, 'templates/zzy_descope_legacy.yaml');
  if (!existsSync(file)) return [];
  return [...readFileSync(file, 'utf8').matchAll(/mustMergeOverwrite \$\.Values \(index \$\.Values "([^"]+)"\)/g)].map((m) => m[1]!);
}

/** The text of every file under the chart's templates/ (for `dig` reads of undeclared values keys). */
function templateTexts(dir: string): string[] {
  const base = join(dir, 'templates');
  if (!existsSync(base)) return [];
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

async function render(r: ReleaseToRender, located: ReturnType<typeof locateChart>, helm: string | undefined, o: HelmRendererOptions): Promise<RenderOutcome> {
  const fetch = `fetch it with \`bash scripts/pull-charts.sh\` (helm pull from the chart lock's repository into .cache/charts; needs the network once)`;
  if ('missing' in located) return { ok: false, reason: `${located.missing}; ${fetch}`, valuesIssues: [] };
  const schemaFile = join(located.dir, 'values.schema.json');
  const schema = existsSync(schemaFile) ? (JSON.parse(readFileSync(schemaFile, 'utf8')) as unknown) : undefined;
  const defaults = parse(readFileSync(join(located.dir, 'values.yaml'), 'utf8')) as unknown;
  const declared = withDiggedKeys(isRecord(defaults) ? defaults : {}, templateTexts(located.dir));
  const valuesIssues = unknownValuesKeys(r.values, declared, descopedKeys(located.dir), isRecord(schema) ? schema : undefined);
  if (!helm) {
    return {
      ok: false,
      reason: 'no Helm binary: set PLATFORM_HELM, put helm on PATH, or build the test toolchain\'s (`bash scripts/install-test-cluster.sh`)',
      valuesIssues,
    };
  }
  const home = await mkdtemp(join(tmpdir(), 'platform-helm-'));
  try {
    const valuesFile = join(home, 'values.json');
    await writeFile(valuesFile, JSON.stringify(r.values));
    const argv = ['template', r.releaseName, located.dir, '--namespace', r.namespace, '--values', valuesFile, '--include-crds'];
    if (o.kubeVersion) argv.push('--kube-version', o.kubeVersion);
    const env = { PATH: process.env.PATH ?? '', HOME: home, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
    const res = await helmTemplate(helm, argv, env);
    if (res.code !== 0) {
      const fromSchema = schemaIssues(res.stderr);
      const first = res.stderr.trim().split('\n')[0] ?? '';
      const seen = new Set(fromSchema.map((i) => i.key));
      return {
        ok: false,
        reason: fromSchema.length ? `the values do not pass the chart's values.schema.json (${located.origin})` : `helm template failed: ${first} (${located.origin})`,
        valuesIssues: [...fromSchema, ...valuesIssues.filter((i) => !seen.has(i.key))],
      };
    }
    const objects: Record<string, unknown>[] = [];
    for (const d of parseAllDocuments(res.stdout)) {
      const obj = d.toJS() as unknown;
      if (isRecord(obj) && typeof obj.kind === 'string' && typeof obj.apiVersion === 'string') objects.push(obj);
    }
    return { ok: true, objects, origin: located.origin, valuesIssues };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
