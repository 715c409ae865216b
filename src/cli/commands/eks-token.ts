/**
 * `platform eks-token --cluster NAME --region R [--role-arn ARN]`: prints the ExecCredential that
 * kubectl (and the Pulumi Kubernetes provider) run through the kubeconfig's exec entry. Needs no repo,
 * env file or AWS CLI; errors are one line on stderr, which kubectl shows.
 */
import type { GlobalOptions } from '../main.js';
import { report } from '../report.js';

export default async function eksTokenCommand(opts: { cluster: string; region: string; roleArn?: string; sessionName?: string }, _globals: GlobalOptions): Promise<number> {
  try {
    const { eksToken, execCredential } = await import('../../aws/eks-token.js');
    const endpoint = process.env.PLATFORM_AWS_ENDPOINT;
    const token = await eksToken({
      cluster: opts.cluster,
      region: opts.region,
      ...(opts.roleArn ? { roleArn: opts.roleArn } : {}),
      ...(opts.sessionName ? { sessionName: opts.sessionName } : {}),
      ...(endpoint ? { stsEndpoint: endpoint } : {}),
    });
    process.stdout.write(JSON.stringify(execCredential(token, process.env.KUBERNETES_EXEC_INFO)) + '\n');
    return 0;
  } catch (e) {
    return report(e, process.argv, { json: false });
  }
}
