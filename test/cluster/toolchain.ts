/**
 * Where scripts/install-test-cluster.sh put the control-plane binaries, Helm and the module-sourced
 * charts and CRDs. The cache folder is named after the versions the wrapper modules require (the
 * same rule as the script), so a bumped wrapper never finds stale binaries. Nothing here builds:
 * a missing toolchain is an error naming the command that builds it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** One chart or CRD folder fetched from an upstream Go module (sources.json). */
export interface SourceEntry {
  kind: 'chart' | 'crds' | 'stages';
  name: string;
  module: string;
  version: string;
  path: string;
  /** Absolute folder holding the copy. */
  dir: string;
  chartVersion: string;
  appVersion: string;
  match: 'exact' | 'tag-stale-metadata' | 'branch' | 'older' | 'newest';
  note: string;
}

export interface Toolchain {
  root: string;
  bin: (name: 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok' | 'helm' | 'pulumi-resource-kubernetes') => string;
  versions: { kubernetes: string; etcd: string; kwok: string; helm: string };
  sources: SourceEntry[];
  /** Charts the programs pin that no reachable registry serves, with the reason. */
  unavailable: string[];
  source(kind: SourceEntry['kind'], name: string): SourceEntry;
}

function required(wrapper: string, module: string): string {
  const text = readFileSync(join(repoRoot, 'scripts/test-cluster', wrapper, 'go.mod'), 'utf8');
  const esc = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const m = new RegExp(`^(?:require |\\t)${esc} (v\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`scripts/test-cluster/${wrapper}/go.mod does not require ${module}`);
  return m[1]!;
}

/** `kind name module version path` of every line of the install script's SOURCES table. */
function scriptSources(kwokVersion: string): string[] {
  const script = readFileSync(join(repoRoot, 'scripts/install-test-cluster.sh'), 'utf8');
  const table = /^SOURCES="\$\(cat <<'EOF'\n([\s\S]*?)\nEOF$/m.exec(script);
  if (!table) throw new Error('scripts/install-test-cluster.sh has no SOURCES table');
  return table[1]!.split('\n').map((l) => l.split(' ').slice(0, 5).map((f, i) => (i === 3 && f === 'KWOK' ? kwokVersion : f)).join(' '));
}

let cached: Toolchain | undefined;

/** The installed toolchain; throws with the build command when it is missing or incomplete. */
export function toolchain(): Toolchain {
  if (cached) return cached;
  const versions = {
    kubernetes: required('kubernetes', 'k8s.io/kubernetes'),
    etcd: required('etcd', 'go.etcd.io/etcd/server/v3'),
    kwok: required('kwok', 'sigs.k8s.io/kwok'),
    helm: required('helm', 'helm.sh/helm/v3'),
  };
  const key = `k8s-${versions.kubernetes.slice(1)}_etcd-${versions.etcd.slice(1)}_kwok-${versions.kwok.slice(1)}_helm-${versions.helm.slice(1)}`;
  const root = join(process.env.PLATFORM_TEST_CLUSTER_CACHE ?? join(repoRoot, '.cache/test-cluster'), key);
  const bins = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'helm'];
  const missing = bins.filter((b) => !existsSync(join(root, 'bin', b)));
  const manifest = join(root, 'sources.json');
  if (missing.length || !existsSync(manifest)) {
    throw new Error(
      `the test cluster toolchain is not installed in ${root} (missing: ${[...missing, ...(existsSync(manifest) ? [] : ['sources.json'])].join(', ')}); ` +
        'build it with `bash scripts/install-test-cluster.sh` (cold: about 10 minutes on 2 cores)',
    );
  }
  const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { sources: (SourceEntry & { dir: string })[]; unavailable: string[] };
  const have = new Set(parsed.sources.map((e) => `${e.kind} ${e.name} ${e.module} ${e.version} ${e.path}`));
  const stale = scriptSources(versions.kwok).filter((line) => !have.has(line));
  if (stale.length) {
    throw new Error(
      `${manifest} is older than the SOURCES table of scripts/install-test-cluster.sh (missing: ${stale.join('; ')}); ` +
        'run `bash scripts/install-test-cluster.sh` (it fetches the sources in seconds and rebuilds nothing whose stamp matches)',
    );
  }
  const sources = parsed.sources.map((s) => ({ ...s, dir: join(root, s.dir) }));
  cached = {
    root,
    bin: (name) => join(root, 'bin', name),
    versions,
    sources,
    unavailable: parsed.unavailable,
    source(kind, name) {
      const s = sources.find((e) => e.kind === kind && e.name === name);
      if (!s) throw new Error(`sources.json in ${root} has no ${kind} '${name}'; re-run scripts/install-test-cluster.sh`);
      return s;
    },
  };
  return cached;
}
