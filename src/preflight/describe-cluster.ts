/**
 * The cluster's API endpoint as EKS reports it, for the preflight when phase 2 has no outputs yet but
 * the cluster may already exist (a first `up` that created the cluster and then failed on its
 * Kubernetes resources records no outputs; the retry would time out the same way). Runs as the env's
 * deploy role in the env account; a cluster that does not exist is `undefined`.
 */
import type { EnvConfig } from '../core/env.js';
import { PlatformError } from '../core/errors.js';

export async function describeClusterEndpoint(env: EnvConfig, opts: { roleArn?: string; endpoint?: string }): Promise<string | undefined> {
  const [{ EKSClient, DescribeClusterCommand }, { STSClient, AssumeRoleCommand }] = await Promise.all([import('@aws-sdk/client-eks'), import('@aws-sdk/client-sts')]);
  const base = { region: env.regions.primary, maxAttempts: 2, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) };
  const sts = new STSClient(base);
  let eks: InstanceType<typeof EKSClient> | undefined;
  try {
    let credentials;
    if (opts.roleArn) {
      const c = (await sts.send(new AssumeRoleCommand({ RoleArn: opts.roleArn, RoleSessionName: 'platform-preflight', DurationSeconds: 900 }))).Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`assuming ${opts.roleArn} returned no credentials`);
      credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    }
    eks = new EKSClient({ ...base, ...(credentials ? { credentials } : {}) });
    const cluster = (await eks.send(new DescribeClusterCommand({ name: env.cluster.name }))).cluster;
    return cluster?.endpoint || undefined;
  } catch (e) {
    const name = (e as { name?: string }).name ?? 'Error';
    if (name === 'ResourceNotFoundException') return undefined;
    throw new PlatformError('config-missing', `cannot look up EKS cluster ${env.cluster.name} to check that its API can be reached (${name}: ${(e as Error).message})`, {
      value: env.cluster.name,
      hint: `check the AWS credentials and the deploy role, then \`platform doctor --env ${env.name}\``,
      cause: e,
    });
  } finally {
    sts.destroy();
    eks?.destroy();
  }
}
