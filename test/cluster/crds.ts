/**
 * The CRDs fetched from the upstream projects' Go modules (sources.json `crds` entries), read from
 * their YAML files (kustomization files skipped), made loopback-safe and applied until Established.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { Applier, ApplyResult } from './apply.js';
import { loopbackSafe } from './loopback-safe.js';
import { toolchain, type SourceEntry } from './toolchain.js';

export async function readYamlObjects(dir: string): Promise<KubernetesObject[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort();
  const out: KubernetesObject[] = [];
  for (const f of files) {
    for (const d of parseAllDocuments(await readFile(join(dir, f), 'utf8'))) {
      const o = d.toJS() as KubernetesObject | null;
      if (o && typeof o === 'object' && o.kind) out.push(o);
    }
  }
  return out;
}

export interface CrdInstall {
  source: SourceEntry;
  crds: string[];
  results: ApplyResult[];
  dropped: string[];
}

/** Applies every `crds` source; each source's CRDs are Established when this returns. */
export async function installCrds(applier: Applier): Promise<CrdInstall[]> {
  const out: CrdInstall[] = [];
  for (const source of toolchain().sources.filter((s) => s.kind === 'crds')) {
    const objs = (await readYamlObjects(source.dir)).filter((o) => o.kind === 'CustomResourceDefinition');
    const { kept, dropped } = loopbackSafe(objs);
    const results = await applier.applyAll(kept);
    out.push({ source, crds: kept.map((c) => c.metadata!.name!), results, dropped });
  }
  return out;
}
