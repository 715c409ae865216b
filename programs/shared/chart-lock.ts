/**
 * The chart lock (`programs/02-cluster/charts.lock.yaml`): the one file that pins every Helm chart
 * the platform installs, with its repository, exact version, digest and where the digest comes
 * from. Programs take their pins from it (`lockedPin`), and the static rule `helm-chart-locked`
 * reports any planned Helm release the lock does not vouch for, so a version that was never
 * released (loki 12.0.1, review B6) cannot be pinned without a digest or evidence to show for it.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/** Where the lock file lives (next to phase 2, which installs the platform charts). */
export const CHART_LOCK_URL = new URL('../02-cluster/charts.lock.yaml', import.meta.url);

const EXACT = /^v?\d+\.\d+\.\d+$/;

const entry = z
  .object({
    repository: z.string().regex(/^(https:\/\/|oci:\/\/)\S+$/, 'an https:// chart repository or an oci:// registry path'),
    chart: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a chart name'),
    version: z.string().regex(EXACT, 'an exact version such as 1.2.3'),
    digest: z.string().nullable(),
    digestSource: z.enum(['repository-index', 'go-module', 'none']),
    evidence: z.string().min(10, 'where the version and digest were read'),
  })
  .strict()
  .superRefine((e, ctx) => {
    const bad = (message: string) => ctx.addIssue({ code: 'custom', path: ['digest'], message });
    if (e.digestSource === 'repository-index' && !/^sha256:[0-9a-f]{64}$/.test(e.digest ?? '')) bad('a repository-index digest is sha256:<64 hex>');
    if (e.digestSource === 'go-module' && !/^h1:[A-Za-z0-9+/]{43}=$/.test(e.digest ?? '')) bad('a go-module digest is a go.sum h1: hash');
    if (e.digestSource === 'none' && e.digest !== null) bad('digestSource none has digest: null');
  });

export const chartLockSchema = z.object({ lockVersion: z.literal(1), charts: z.record(z.string(), entry) }).strict();
export type ChartLock = z.infer<typeof chartLockSchema>;
export type ChartLockEntry = ChartLock['charts'][string];

/** Parses lock text; throws one line naming the entry and field that is wrong. */
export function parseChartLock(text: string, source = 'charts.lock.yaml'): ChartLock {
  const parsed = chartLockSchema.safeParse(parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

let cached: ChartLock | undefined;
/** The repository's chart lock, read once per process. */
export function chartLock(): ChartLock {
  cached ??= parseChartLock(readFileSync(CHART_LOCK_URL, 'utf8'), CHART_LOCK_URL.pathname);
  return cached;
}

/** A pin as a Helm release takes it: `chart` is `oci://…/<name>` with no `repo` for OCI registries. */
export interface LockedPin {
  chart: string;
  version: string;
  repo?: string;
}

export function pinOf(e: ChartLockEntry): LockedPin {
  return e.repository.startsWith('oci://')
    ? { chart: `${e.repository.replace(/\/$/, '')}/${e.chart}`, version: e.version }
    : { chart: e.chart, version: e.version, repo: e.repository };
}

const norm = (u: string | undefined) => (u ?? '').replace(/\/+$/, '');

/**
 * The lock entry that vouches for a release's (chart, repository, version), or undefined. OCI charts
 * carry their registry in `chart`; repository charts name the repository in `repo`.
 */
export function vouchedEntry(lock: ChartLock, release: { chart: string; version?: string; repo?: string }): ChartLockEntry | undefined {
  return Object.values(lock.charts).find((e) => {
    const p = pinOf(e);
    return norm(p.chart) === norm(release.chart) && norm(p.repo) === norm(release.repo) && p.version === release.version;
  });
}
