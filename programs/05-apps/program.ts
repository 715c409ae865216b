/**
 * Phase 5 program: the CI identity and ECR repositories (AWS, through the provider that assumes the
 * env's deploy role), then the app namespace and its baseline policies (Kubernetes, through phase
 * 2's kubeconfig). Nothing runs at import.
 */
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { pinnedProvider } from '../shared/aws-provider.js';
import { SERVICE_CHART_PATH } from '../03-gitops/manifests.js';
import { createCi } from './ci.js';
import { appNamespaceObjects } from './namespace.js';
import type { Phase5Inputs } from './phase.js';

export async function program(inputs: Phase5Inputs): Promise<Record<string, unknown>> {
  const provider = pinnedProvider('aws-env', { region: inputs.region, accountId: inputs.accountId, roleArn: inputs.deployRoleArn, sessionName: `platform-${inputs.envName}-05-apps` });
  const ci = createCi(
    {
      env: inputs.envName,
      accountId: inputs.accountId,
      region: inputs.region,
      githubOwner: inputs.github.owner,
      ciBranch: inputs.github.ciBranch,
      ecrKmsKeyArn: inputs.ecrKmsKeyArn,
      secretsKeyArn: inputs.secretsKeyArn,
      tags: inputs.tags,
      services: inputs.services,
    },
    { provider },
  );

  const k8sProvider = new k8s.Provider('k8s', { kubeconfig: inputs.cluster.kubeconfig, enableServerSideApply: true });
  const ns = appNamespaceObjects({
    namespace: inputs.gitops.appNamespace,
    secretStoreLabel: inputs.secretStoreLabel,
    dataNamespace: inputs.data.namespace,
    postgresPort: inputs.data.postgresPort,
    kafkaPort: inputs.data.kafkaPort,
  });
  const namespace = new k8s.core.v1.Namespace('app-namespace', ns.namespace as k8s.core.v1.NamespaceArgs, { provider: k8sProvider });
  for (const p of ns.policies) {
    const name = `${String(p.kind).toLowerCase()}-${(p.metadata as { name: string }).name}`;
    if (p.kind === 'NetworkPolicy') new k8s.networking.v1.NetworkPolicy(name, p as k8s.networking.v1.NetworkPolicyArgs, { provider: k8sProvider, dependsOn: [namespace] });
    else new k8s.apiextensions.CustomResource(name, p as k8s.apiextensions.CustomResourceArgs, { provider: k8sProvider, dependsOn: [namespace] });
  }

  const byService = <T>(f: (name: string) => T) => Object.fromEntries(inputs.services.map((s) => [s.name, f(s.name)]));
  return {
    ecrRepositoryUrls: byService((n) => ci.repositories[n]!.repositoryUrl),
    ciRoleArns: byService((n) => ci.roles[n]!.arn),
    githubOidcProviderArn: ci.provider.arn,
    appNamespaces: { [inputs.envName]: namespace.metadata.name },
    serviceAccounts: byService((n) => n),
    chartPaths: byService(() => SERVICE_CHART_PATH),
    kubeconfig: pulumi.secret(inputs.cluster.kubeconfig),
  };
}
