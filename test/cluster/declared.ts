/**
 * What the phase programs declare for Kubernetes, per env, from the same plan `platform check`
 * makes (the simulate engine over the real programs, one child process per stack, upstream
 * outputs fed forward):
 * - manifests: every `kubernetes:<group/version>:<Kind>` resource (ConfigGroup objs/yaml expanded),
 *   as the object the provider would send;
 * - releases: every `kubernetes:helm.sh/v3:Release` with its chart reference, pinned version,
 *   namespace, release name and values (as the program computed them);
 * - reads: `Kind.get(...)` lookups of objects a chart creates (no inputs), listed, not applied;
 * - other: Kubernetes resources neither of those (files, kustomize, Helm v4 charts), reported.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { expandManifests, isManifestType, manifestOf } from '../../src/checks/manifests.js';
import type { CheckResource } from '../../src/checks/types.js';
import { loadEnv } from '../../src/config/load-env.js';
import type { PhaseId } from '../../src/core/phase.js';
import type { PlannedResource } from '../../src/core/ports.js';
import { repoRoot } from './toolchain.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { builtCode } from '../helpers/built.js';

export const RELEASE_TYPE = 'kubernetes:helm.sh/v3:Release';

export interface DeclaredRelease {
  phase: PhaseId;
  /** The Pulumi resource name. */
  resource: string;
  releaseName: string;
  namespace: string;
  /** As pinned: an `oci://` reference or a repository chart name. */
  chart: string;
  version: string;
  repo?: string;
  values: Record<string, unknown>;
}

export interface DeclaredManifest {
  phase: PhaseId;
  resource: string;
  object: KubernetesObject;
}

export interface Declared {
  env: string;
  phases: PhaseId[];
  manifests: DeclaredManifest[];
  releases: DeclaredRelease[];
  other: { phase: PhaseId; resource: string; type: string; why: string }[];
  /** Objects the programs only read (`.get`), created by a chart: not declared, not applied. */
  reads: { phase: PhaseId; resource: string; type: string }[];
}

function toCheck(r: PlannedResource): CheckResource {
  return { phase: r.phase, urn: r.urn, type: r.type, name: r.name, props: r.inputs };
}

/** Plans phases `ids` for `envName` and returns their Kubernetes objects and Helm releases. */
export async function declaredFor(envName: string, ids: readonly PhaseId[]): Promise<Declared> {
  const env = await loadEnv(repoRoot, envName);
  const stateDir = await mkdtemp(join(tmpdir(), 'platform-cluster-plan-'));
  try {
    // The built engine and programs (dist/), as the CLI runs them: plain-Node workers (test/helpers/built.ts).
    const { planPhases, phases, createSimulateEngine } = await builtCode();
    const graph = await planPhases(env, phases, ids, createSimulateEngine({ stateDir }), new AbortController().signal, organizationFor(env));
    const kube = graph.resources.filter((r) => r.type.startsWith('kubernetes:'));
    const expanded = expandManifests(kube.map(toCheck));
    const out: Declared = { env: envName, phases: graph.phases, manifests: [], releases: [], other: [], reads: [] };
    for (const u of expanded.unreadable) out.other.push({ phase: u.resource.phase, resource: u.resource.name, type: u.resource.type, why: u.message });
    for (const r of expanded.resources) {
      if (r.type === RELEASE_TYPE) {
        const p = r.props as { name?: string; chart: string; version: string; namespace?: string; repositoryOpts?: { repo?: string }; values?: Record<string, unknown> };
        out.releases.push({
          phase: r.phase,
          resource: r.name,
          releaseName: p.name ?? r.name,
          namespace: p.namespace ?? 'default',
          chart: p.chart,
          version: p.version,
          repo: p.repositoryOpts?.repo,
          values: p.values ?? {},
        });
      } else if (isManifestType(r.type) && Object.keys(r.props).length === 0) {
        // `Kind.get(name, id)`: a read of an object something else creates (no inputs at all).
        out.reads.push({ phase: r.phase, resource: r.name, type: r.type });
      } else if (isManifestType(r.type)) {
        out.manifests.push({ phase: r.phase, resource: r.name, object: manifestOf(r) as KubernetesObject });
      } else if (!r.type.startsWith('kubernetes:yaml/v2:ConfigGroup') && !out.other.some((o) => o.resource === r.name)) {
        out.other.push({ phase: r.phase, resource: r.name, type: r.type, why: 'neither a manifest nor a Helm v3 release' });
      }
    }
    return out;
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** The chart's name as Helm sees it: the last path segment of an `oci://` reference or repo chart. */
export function chartName(chart: string): string {
  return chart.split('/').at(-1)!;
}
