/**
 * Which module-sourced chart stands for a release the program pins. Rules:
 * - the source is found by the chart's name (last segment of the pinned reference);
 * - its chart version must equal the pinned version (leading `v` ignored), otherwise the release
 *   is "not at the pin": the source table in scripts/install-test-cluster.sh must move with the pin;
 * - a chart with no source is unavailable, with the reason recorded by the install script.
 */
import { chartName, type DeclaredRelease } from './declared.js';
import type { SourceEntry, Toolchain } from './toolchain.js';

export type ChartResolution =
  | { status: 'source'; source: SourceEntry }
  | { status: 'unavailable'; reason: string }
  | { status: 'not-at-pin'; reason: string };

const bare = (v: string) => v.replace(/^v/, '');

export function resolveChart(tc: Toolchain, r: DeclaredRelease): ChartResolution {
  const name = chartName(r.chart);
  const source = tc.sources.find((s) => s.kind === 'chart' && s.name === name);
  if (!source) {
    const why = tc.unavailable.find((u) => u.startsWith(`${name}:`));
    return { status: 'unavailable', reason: why ?? `${name} ${r.version}: no Go module source is known for this chart` };
  }
  if (bare(source.chartVersion) !== bare(r.version)) {
    return {
      status: 'not-at-pin',
      reason: `${name}: the program pins ${r.version}, the module source is chart ${source.chartVersion} (${source.module}@${source.version}); move the source in scripts/install-test-cluster.sh with the pin`,
    };
  }
  return { status: 'source', source };
}

/** One line naming where a chart came from, for the suite's output. */
export function describeSource(s: SourceEntry): string {
  return `${s.name} ${s.chartVersion} from ${s.module}@${s.version} ${s.path} (${s.match}${s.note ? `: ${s.note}` : ''})`;
}
