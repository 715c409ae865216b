/**
 * Renders the shared service chart (gitops/charts/service) for one service and env with `helm
 * template`, the way Argo CD does for the generated Application: the three value files in order,
 * the env's namespace, the release named after the service. Helm homes are a scratch folder.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { valueFiles, appNamespace, SERVICE_CHART_PATH } from '../../programs/03-gitops/manifests.js';
import { toolchain } from './toolchain.js';

const run = promisify(execFile);
export const gitopsRoot = fileURLToPath(new URL('../../gitops/', import.meta.url));

export async function renderService(service: string, env: string, extraValues: string[] = []): Promise<KubernetesObject[]> {
  const tc = toolchain();
  const home = await mkdtemp(join(tmpdir(), 'platform-helm-'));
  try {
    const chart = join(gitopsRoot, SERVICE_CHART_PATH);
    const files = [...valueFiles(env, service).map((f) => join(chart, f)), ...extraValues];
    const argv = ['template', service, chart, '--namespace', appNamespace(env), '--kube-version', tc.versions.kubernetes.replace(/^v/, ''), ...files.flatMap((f) => ['--values', f])];
    const envVars = { ...process.env, HELM_CACHE_HOME: join(home, 'c'), HELM_CONFIG_HOME: join(home, 'f'), HELM_DATA_HOME: join(home, 'd') };
    const { stdout } = await run(tc.bin('helm'), argv, { env: envVars, maxBuffer: 64 * 1024 * 1024 });
    return parseAllDocuments(stdout)
      .map((d) => d.toJS() as KubernetesObject | null)
      .filter((o): o is KubernetesObject => !!o && typeof o === 'object' && !!o.kind)
      .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata?.namespace ?? appNamespace(env) } }));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
