/**
 * Puts the objects of every planned Helm release into the checked graph:
 * - each release (`helm.sh/v3:Release`, v3/v4 `Chart`) is rendered once with its planned values;
 *   the outcome is attached to the release (`rendered`), where the rules `helm-chart-rendered` and
 *   `helm-values-known` read it;
 * - each rendered object becomes a check resource of its own type, named
 *   `<release>/<Kind>/<namespace>/<name>` (the release's namespace filled in where the chart leaves
 *   it out), carrying the release it came from: every manifest rule judges it like a plain object.
 */
import { typeFor } from '../manifests.js';
import { HELM_RELEASE_TYPES, chartName, releaseChart } from '../rules/helm-charts.js';
import type { CheckResource, RenderedChart } from '../types.js';
import { isRecord } from '../util.js';
import type { ChartRenderer, RenderOutcome } from './render.js';

/** Kinds with no namespace (the chart's objects of these kinds keep none). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'PriorityClass', 'StorageClass', 'CSIDriver', 'CSINode', 'RuntimeClass',
  'IngressClass', 'VolumeSnapshotClass', 'ClusterIssuer', 'ClusterSecretStore', 'ClusterExternalSecret', 'NodePool', 'EC2NodeClass',
  'NodeClaim', 'GatewayClass', 'FlowSchema', 'PriorityLevelConfiguration',
]);

async function renderOne(r: CheckResource, render: ChartRenderer) {
  const rel = releaseChart(r.props);
  const name = chartName(rel.chart);
  const releaseName = typeof r.props.name === 'string' && r.props.name ? r.props.name : r.name;
  const namespace = typeof r.props.namespace === 'string' && r.props.namespace ? r.props.namespace : 'default';
  const values = isRecord(r.props.values) ? r.props.values : {};
  const outcome: RenderOutcome = rel.version
    ? await render({ chart: rel.chart, version: rel.version, releaseName, namespace, values })
    : { ok: false, reason: 'the release pins no chart version', valuesIssues: [] };
  return { outcome, releaseName, namespace, name, version: rel.version ?? '' };
}

export async function expandCharts(input: readonly CheckResource[], render: ChartRenderer): Promise<{ resources: CheckResource[]; charts: RenderedChart[] }> {
  const resources: CheckResource[] = [];
  const charts: RenderedChart[] = [];
  const isRelease = (r: CheckResource) => (HELM_RELEASE_TYPES as readonly string[]).includes(r.type);
  // Render every release at once (Helm runs as separate processes), then add them in plan order.
  const outcomes = await Promise.all(input.map((r) => (isRelease(r) ? renderOne(r, render) : undefined)));
  input.forEach((r, i) => {
    const o = outcomes[i];
    if (!o) {
      resources.push(r);
      return;
    }
    const { outcome, releaseName, namespace, name, version } = o;
    resources.push({ ...r, rendered: outcome });
    charts.push({ phase: r.phase, release: releaseName, chart: name, version, objects: outcome.ok ? outcome.objects.length : 0, origin: outcome.ok ? outcome.origin : outcome.reason, ok: outcome.ok });
    if (!outcome.ok) return;
    for (const obj of outcome.objects) {
      const kind = String(obj.kind);
      const meta = isRecord(obj.metadata) ? { ...obj.metadata } : {};
      if (!CLUSTER_SCOPED.has(kind) && typeof meta.namespace !== 'string') meta.namespace = namespace;
      const ident = [meta.namespace, meta.name].filter((x) => typeof x === 'string').join('/');
      resources.push({
        phase: r.phase,
        urn: `${r.urn}$${kind}::${ident}`,
        type: typeFor(String(obj.apiVersion), kind),
        name: `${releaseName}/${kind}/${ident}`,
        props: { ...obj, metadata: meta },
        chart: { release: releaseName, chart: name, version },
      });
    }
  });
  return { resources, charts };
}
