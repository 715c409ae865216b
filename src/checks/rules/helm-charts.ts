/**
 * Helm chart rules over planned releases (`kubernetes:helm.sh/v3:Release`, v3/v4 `Chart`):
 * - `helm-chart-locked`: the release's chart, repository and exact version are an entry of the chart
 *   lock (programs/02-cluster/charts.lock.yaml), which records each one's digest and evidence. A
 *   version nobody released (loki 12.0.1, review B6) has no lock entry to point at.
 * - `helm-chart-rendered`: every release could be rendered with its planned values (the chart at the
 *   pinned release found offline, Helm present, templates and schema pass), so the checks saw every
 *   object it creates (charts/render.ts). A release that was not rendered is a finding, never skipped.
 * - `helm-values-known`: every values key is one the chart accepts: its values.schema.json (judged by
 *   Helm) or, without a schema, its values.yaml keys (a key Helm would silently ignore).
 * - `helm-readonly-root-writable`: a chart known to write to a path in its container (a small,
 *   sourced table) runs with readOnlyRootFilesystem only when a volume is mounted over that path
 *   (Alloy writes `--storage.path`, /tmp/alloy by default; review B7).
 */
import { chartLock, pinOf, vouchedEntry } from '../../../programs/shared/chart-lock.js';
import type { ResourceRule } from '../types.js';
import { at, isRecord, list } from '../util.js';

export const HELM_RELEASE_TYPES = ['kubernetes:helm.sh/v3:Release', 'kubernetes:helm.sh/v3:Chart', 'kubernetes:helm.sh/v4:Chart'] as const;

/** The chart, repository and version a planned release asks for, wherever its type keeps them. */
export function releaseChart(props: Record<string, unknown>): { chart: string; version?: string; repo?: string } {
  const repo = at(props, 'repositoryOpts.repo') ?? at(props, 'fetchOpts.repo');
  return {
    chart: String(props.chart ?? ''),
    ...(typeof props.version === 'string' ? { version: props.version } : {}),
    ...(typeof repo === 'string' ? { repo } : {}),
  };
}

/** The chart's own name: the last segment of `oci://…/name` or `repo/name`. */
export function chartName(chart: string): string {
  return chart.split('/').pop() ?? chart;
}

/** A path a chart's container writes to, and the values keys that control it. */
export interface ChartWritePath {
  chart: string;
  /** Values key of the container's securityContext. */
  securityContext: string;
  /** Values key that sets the written path, and the chart's default for it. */
  pathKey: string;
  defaultPath: string;
  /** Values keys of the container's extra volumeMounts and the pod's extra volumes. */
  mounts: string;
  volumes: string;
  source: string;
}

export const CHART_WRITE_PATHS: readonly ChartWritePath[] = [
  {
    chart: 'alloy',
    securityContext: 'alloy.securityContext',
    pathKey: 'alloy.storagePath',
    defaultPath: '/tmp/alloy',
    mounts: 'alloy.mounts.extra',
    volumes: 'controller.volumes.extra',
    source:
      'grafana/alloy helm-chart/1.8.1: templates/containers/_agent.yaml runs `--storage.path={{ alloy.storagePath }}` (values.yaml default /tmp/alloy); ' +
      'templates/controllers/_pod.yaml mounts only config, varlog, dockercontainers and controller.volumes.extra; ' +
      'loki.source.kubernetes MkdirAll()s under the storage path and Alloy exits when the initial load fails',
  },
];

/** True when `path` is `mountPath` or below it. */
function under(path: string, mountPath: string): boolean {
  const m = mountPath.replace(/\/+$/, '');
  return path === m || path.startsWith(`${m}/`);
}

export const helmRules: ResourceRule[] = [
  {
    kind: 'resource',
    name: 'helm-chart-rendered',
    description: 'Every Helm release renders offline with its planned values, so the checks see every object the chart creates',
    severity: 'high',
    mirrors: ['helm template', 'checkov --framework helm'],
    fix: 'make the pinned chart available offline (bash scripts/pull-charts.sh into .cache/charts, or the test toolchain\'s module charts) and Helm (PLATFORM_HELM or PATH), or fix the template/schema error',
    resourceTypes: HELM_RELEASE_TYPES,
    validateResource(r, report) {
      if (r.rendered && !r.rendered.ok) {
        const rel = releaseChart(r.props);
        report({ property: 'chart', message: `chart ${chartName(rel.chart)} ${rel.version ?? '(no version)'} was not rendered, so none of its objects were checked: ${r.rendered.reason}` });
      }
    },
  },
  {
    kind: 'resource',
    name: 'helm-values-known',
    description: "Every Helm values key is one the chart accepts (its values.schema.json, or its values.yaml keys when it ships no schema)",
    severity: 'medium',
    mirrors: ['helm lint --strict', 'values.schema.json'],
    fix: "remove or rename the key to one of the chart's values at the pinned version",
    resourceTypes: HELM_RELEASE_TYPES,
    validateResource(r, report) {
      for (const i of r.rendered?.valuesIssues ?? []) report({ property: `values.${i.key}`, message: `chart ${chartName(releaseChart(r.props).chart)}: ${i.message}` });
    },
  },
  {
    kind: 'resource',
    name: 'helm-chart-locked',
    description: 'Every Helm release pins a chart, repository and exact version that the chart lock vouches for with a digest or evidence',
    severity: 'high',
    // No scanner checks a Helm release against upstream; these are the mechanisms it mirrors.
    mirrors: ['helm Chart.lock digest', 'helm pull --verify'],
    fix: 'pin a released version and add it to programs/02-cluster/charts.lock.yaml with its repository, digest and evidence',
    resourceTypes: HELM_RELEASE_TYPES,
    validateResource(r, report) {
      const rel = releaseChart(r.props);
      if (!rel.version) {
        report({ property: 'version', message: `chart ${rel.chart} has no version: Helm would install whatever is newest` });
        return;
      }
      const lock = chartLock();
      if (vouchedEntry(lock, rel)) return;
      const name = chartName(rel.chart);
      const locked = Object.values(lock.charts)
        .filter((e) => e.chart === name)
        .map((e) => `${pinOf(e).version} from ${e.repository}`);
      const where = rel.repo ?? (rel.chart.startsWith('oci://') ? 'its OCI registry' : 'no repository');
      report({
        property: 'version',
        message: `chart ${name} ${rel.version} from ${where} is not in the chart lock${locked.length ? ` (the lock has ${locked.join(', ')})` : ''}`,
      });
    },
  },
  {
    kind: 'resource',
    name: 'helm-readonly-root-writable',
    description: 'A chart known to write to its container filesystem gets a volume over that path when its root filesystem is read-only',
    severity: 'high',
    // The precondition of the read-only-root rules for charts whose pod spec is inside the chart.
    mirrors: ['container-security-context-readonlyrootfilesystem', 'CKV_K8S_22', 'KSV-0014'],
    fix: 'mount an emptyDir over the path the chart writes to (for Alloy: controller.volumes.extra + alloy.mounts.extra at /tmp, or alloy.storagePath on a mounted volume)',
    resourceTypes: HELM_RELEASE_TYPES,
    validateResource(r, report) {
      const values = r.props.values;
      if (!isRecord(values)) return;
      const known = CHART_WRITE_PATHS.find((w) => w.chart === chartName(String(r.props.chart ?? '')));
      if (!known || at(values, `${known.securityContext}.readOnlyRootFilesystem`) !== true) return;
      const configured = at(values, known.pathKey);
      const path = typeof configured === 'string' && configured.length > 0 ? configured : known.defaultPath;
      const volumes = new Set(list<Record<string, unknown>>(at(values, known.volumes)).filter(isRecord).map((v) => v.name));
      const covered = list<Record<string, unknown>>(at(values, known.mounts))
        .filter(isRecord)
        .some((m) => typeof m.mountPath === 'string' && under(path, m.mountPath) && volumes.has(m.name) && m.readOnly !== true);
      if (!covered) {
        report({
          property: `values.${known.securityContext}.readOnlyRootFilesystem`,
          message: `${known.chart} writes to ${path} (${known.pathKey}), but its root filesystem is read-only and no writable volume is mounted there (${known.mounts} + ${known.volumes})`,
        });
      }
    },
  },
];
