/**
 * Helm releases for the rules over rendered charts, with the program's own values. They render with
 * the real Helm and the module-sourced charts of the test toolchain (scripts/install-test-cluster.sh),
 * found from the repository root like `platform check` finds them.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { metricsServerValues } from '../../programs/02-cluster/charts/monitoring.js';
import { chartPin } from '../../programs/02-cluster/versions.js';
import { locateChart, locateHelm } from '../../src/checks/charts/locate.js';
import { res, type Planned } from './fixtures.js';

export const REPO = resolve(import.meta.dirname, '../..');

/** Throws, naming the command, when the toolchain's Helm or module charts are not installed (never skips). */
export function requireChartToolchain(): void {
  const helm = locateHelm({ root: REPO });
  const chart = locateChart('metrics-server', chartPin('metricsServer').version, { root: REPO });
  if (!helm || 'missing' in chart || !existsSync(join(chart.dir, 'Chart.yaml'))) {
    throw new Error('the chart tests need Helm and the module-sourced charts: run `bash scripts/install-test-cluster.sh` (see docs/test-cluster.md)');
  }
}

/** The metrics-server release as phase 2 plans it (chart, pinned version, namespace, values). */
export function metricsServerRelease(o: { version?: string; values?: Record<string, unknown> } = {}): Planned {
  const pin = chartPin('metricsServer');
  return res(2, 'kubernetes:helm.sh/v3:Release', 'metrics-server', {
    name: 'metrics-server',
    chart: pin.chart,
    version: o.version ?? pin.version,
    repositoryOpts: { repo: pin.repo },
    namespace: 'kube-system',
    values: { ...metricsServerValues(), ...(o.values ?? {}) },
  });
}
