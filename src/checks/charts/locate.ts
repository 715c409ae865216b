/**
 * Where a pinned chart and a Helm binary are found on this machine, without the network.
 *
 * A chart (name, exact version) is looked up, in order:
 * 1. `<chart cache>/<name>/<version>/`: an unpacked chart (Chart.yaml at its root), as
 *    `scripts/pull-charts.sh` leaves it (`helm pull --untar` of the chart lock's repository; needs
 *    the network once). The cache is `$PLATFORM_CHART_CACHE`, else `<repo>/.cache/charts`.
 * 2. The charts of the test-cluster toolchain (`.cache/test-cluster/<versions>/sources.json`): the
 *    upstream projects' own Go modules at the pinned release (docs/test-cluster.md). Only a source
 *    whose chart version equals the pin counts.
 * Helm is `$PLATFORM_HELM`, else the toolchain's `bin/helm`, else `helm` on PATH.
 * Nothing here downloads: a chart found nowhere is reported with the command that fetches it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chartName } from '../rules/helm-charts.js';

export interface ChartLocation {
  dir: string;
  /** One line saying where the chart came from. */
  origin: string;
}

export interface LocateOptions {
  root: string;
  env?: Record<string, string | undefined>;
}

const bare = (v: string) => v.replace(/^v/, '');

export function chartCacheDir(o: LocateOptions): string {
  return (o.env ?? process.env).PLATFORM_CHART_CACHE || join(o.root, '.cache/charts');
}

interface ModuleSource {
  kind: string;
  name: string;
  module: string;
  version: string;
  path: string;
  dir: string;
  chartVersion: string;
  match: string;
}

/** The toolchain folders under `.cache/test-cluster` (newest first), each with its sources.json. */
function toolchainRoots(o: LocateOptions): string[] {
  const base = (o.env ?? process.env).PLATFORM_TEST_CLUSTER_CACHE || join(o.root, '.cache/test-cluster');
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((d) => d.startsWith('k8s-'))
    .map((d) => join(base, d))
    .filter((d) => existsSync(join(d, 'sources.json')))
    .sort((a, b) => statSync(join(b, 'sources.json')).mtimeMs - statSync(join(a, 'sources.json')).mtimeMs);
}

function moduleSources(root: string): ModuleSource[] {
  try {
    const parsed = JSON.parse(readFileSync(join(root, 'sources.json'), 'utf8')) as { sources?: ModuleSource[] };
    return (parsed.sources ?? []).filter((s) => s.kind === 'chart');
  } catch {
    return [];
  }
}

/** The unpacked chart for `chart` (any reference form) at exactly `version`, or why there is none. */
export function locateChart(chart: string, version: string, o: LocateOptions): ChartLocation | { missing: string } {
  const name = chartName(chart);
  const cache = chartCacheDir(o);
  for (const v of new Set([version, bare(version), `v${bare(version)}`])) {
    const dir = join(cache, name, v);
    if (existsSync(join(dir, 'Chart.yaml'))) return { dir, origin: `${name} ${version} from the chart cache ${dir}` };
  }
  for (const tc of toolchainRoots(o)) {
    const s = moduleSources(tc).find((e) => e.name === name && bare(e.chartVersion) === bare(version));
    if (s && existsSync(join(tc, s.dir, 'Chart.yaml'))) {
      return { dir: join(tc, s.dir), origin: `${name} ${s.chartVersion} from the Go module ${s.module}@${s.version} ${s.path} (${s.match})` };
    }
  }
  return { missing: `no copy of chart ${name} ${version} in ${join(cache, name, bare(version))} nor among the test toolchain's module charts` };
}

/** The Helm binary to render with, or undefined. */
export function locateHelm(o: LocateOptions): string | undefined {
  const env = o.env ?? process.env;
  if (env.PLATFORM_HELM) return existsSync(env.PLATFORM_HELM) ? env.PLATFORM_HELM : undefined;
  for (const tc of toolchainRoots(o)) if (existsSync(join(tc, 'bin/helm'))) return join(tc, 'bin/helm');
  for (const dir of (env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, 'helm'))) return join(dir, 'helm');
  return undefined;
}
