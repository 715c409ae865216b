/**
 * The kubeconfig phase 2 exports (and its Kubernetes provider uses): the cluster's endpoint and CA,
 * and a user whose exec entry runs `platform eks-token`, so no runner needs the AWS CLI (review R11;
 * @pulumi/eks's own kubeconfig runs `aws eks get-token`). The command is looked up on PATH:
 * - an operator who installed the CLI (`npm install -g`, `npm link`) has `platform` on PATH;
 * - `npm run`/`npx` put the project's `node_modules/.bin` on PATH;
 * - the real engine puts a `platform` shim for the running CLI first on its children's PATH, so the
 *   Pulumi Kubernetes provider finds it wherever the repo is.
 * The gates never exec it: they mint the same token in-process (src/gates/probes/k8s.ts).
 * Pure: no Pulumi here; phase 2 applies it to the cluster's outputs.
 */

export const KUBECONFIG_COMMAND = 'platform';
export const EXEC_API_VERSION = 'client.authentication.k8s.io/v1beta1';

export interface KubeconfigArgs {
  clusterName: string;
  endpoint: string;
  /** Base64 PEM, as EKS returns it. */
  certificateAuthorityData: string;
  region: string;
  /** The role the token is signed as (the env's deploy role, the cluster's creator and admin). */
  roleArn?: string;
}

/** The `platform eks-token` arguments of a kubeconfig user. */
export function eksTokenArgs(a: Pick<KubeconfigArgs, 'clusterName' | 'region' | 'roleArn'>): string[] {
  return ['eks-token', '--cluster', a.clusterName, '--region', a.region, ...(a.roleArn ? ['--role-arn', a.roleArn] : [])];
}

export function kubeconfigObject(a: KubeconfigArgs): Record<string, unknown> {
  const name = a.clusterName;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: a.endpoint, 'certificate-authority-data': a.certificateAuthorityData } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: EXEC_API_VERSION,
            command: KUBECONFIG_COMMAND,
            args: eksTokenArgs(a),
            interactiveMode: 'Never',
            provideClusterInfo: false,
          },
        },
      },
    ],
  };
}

export function kubeconfigJson(a: KubeconfigArgs): string {
  return JSON.stringify(kubeconfigObject(a));
}

/**
 * The cluster, region and role of a kubeconfig user's exec entry when it runs `platform eks-token`
 * or `aws eks get-token` (kubeconfigs deployed before this change), else undefined.
 */
export function eksTokenRequest(exec: { command?: string; args?: readonly string[] } | undefined): { clusterName: string; region: string; roleArn?: string } | undefined {
  if (!exec?.command) return undefined;
  const args = exec.args ?? [];
  const flag = (...names: string[]) => {
    const i = args.findIndex((a) => names.includes(a));
    return i >= 0 ? args[i + 1] : undefined;
  };
  const base = exec.command.split('/').pop();
  const ours = base === KUBECONFIG_COMMAND && args[0] === 'eks-token';
  const awsCli = base === 'aws' && args.includes('get-token');
  if (!ours && !awsCli) return undefined;
  const clusterName = flag('--cluster', '--cluster-name');
  const region = flag('--region');
  if (!clusterName || !region) return undefined;
  const roleArn = flag('--role-arn', '--role');
  return { clusterName, region, ...(roleArn ? { roleArn } : {}) };
}
