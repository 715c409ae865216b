/**
 * `helm template` with the Helm built by scripts/install-test-cluster.sh, over a chart copied from
 * its upstream Go module, with the values the program computed. Helm validates the values against
 * the chart's values.schema.json while rendering, so a schema error fails the render with Helm's
 * message. Helm's cache/config/data homes are a scratch folder (nothing read from or written to ~).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { toolchain } from './toolchain.js';

const run = promisify(execFile);

export interface Rendered {
  ok: boolean;
  objects: KubernetesObject[];
  /** Helm's stderr when the render failed (schema errors, template errors). */
  error?: string;
}

export async function helmTemplate(args: { releaseName: string; chartDir: string; namespace: string; values: Record<string, unknown>; set?: string[] }): Promise<Rendered> {
  const tc = toolchain();
  const home = await mkdtemp(join(tmpdir(), 'platform-helm-'));
  try {
    const valuesFile = join(home, 'values.json');
    await writeFile(valuesFile, JSON.stringify(args.values));
    const minor = tc.versions.kubernetes.replace(/^v/, '');
    const argv = ['template', args.releaseName, args.chartDir, '--namespace', args.namespace, '--values', valuesFile, '--kube-version', minor, '--include-crds',
      ...(args.set ?? []).flatMap((s) => ['--set', s])];
    const env = { ...process.env, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
    let stdout: string;
    try {
      ({ stdout } = await run(tc.bin('helm'), argv, { env, maxBuffer: 256 * 1024 * 1024 }));
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      return { ok: false, objects: [], error: (err.stderr || err.message).trim() };
    }
    const objects = parseAllDocuments(stdout)
      .map((d) => d.toJS() as KubernetesObject | null)
      .filter((o): o is KubernetesObject => !!o && typeof o === 'object' && !!o.kind);
    return { ok: true, objects };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
