/**
 * Phase 3 program: the argocd and argo-rollouts namespaces, Argo CD and Argo Rollouts from their
 * pinned charts, the Git repository credentials (an ExternalSecret from phase 2's
 * ClusterSecretStore), the env's AppProject and ApplicationSet, and the success-rate analysis
 * template. Objects whose kinds come from a chart's CRDs wait for that release. Nothing runs at
 * import.
 */
import * as k8s from '@pulumi/kubernetes';
import { pinnedRelease } from '../shared/charts.js';
import { argoCdValues, argocdHost, argoRolloutsValues } from './charts.js';
import {
  ARGOCD_NAMESPACE,
  appNamespace,
  appProject,
  applicationSet,
  applicationSetName,
  repositoryExternalSecret,
  ROLLOUTS_NAMESPACE,
  SUCCESS_RATE_TEMPLATE,
  successRateTemplate,
} from './manifests.js';
import type { Phase3Inputs } from './phase.js';
import { gitopsChartPin } from './versions.js';

const ARGOCD_RELEASE = 'argocd';

export async function program(inputs: Phase3Inputs): Promise<Record<string, unknown>> {
  const provider = new k8s.Provider('k8s', { kubeconfig: inputs.kubeconfig, enableServerSideApply: true });
  const opts = { provider };
  const labels = { 'app.kubernetes.io/managed-by': 'platform', 'platform.io/phase': '03-gitops' };
  const chartOptions = { domain: inputs.domain, clusterIssuer: inputs.clusterIssuer, highAvailability: inputs.gitops.highAvailability };

  // The argocd namespace opts in to the ClusterSecretStore (its repository credentials come from it).
  const argocdNs = new k8s.core.v1.Namespace(
    'argocd',
    {
      metadata: {
        name: ARGOCD_NAMESPACE,
        labels: { ...labels, [inputs.secretStoreNamespaceLabel.key]: inputs.secretStoreNamespaceLabel.value, 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    },
    opts,
  );
  const rolloutsNs = new k8s.core.v1.Namespace(
    'argo-rollouts',
    { metadata: { name: ROLLOUTS_NAMESPACE, labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    opts,
  );

  const argocd = pinnedRelease(
    'argo-cd',
    { pin: gitopsChartPin('argoCd'), namespace: ARGOCD_NAMESPACE, releaseName: ARGOCD_RELEASE, values: argoCdValues(chartOptions) },
    { provider, dependsOn: [argocdNs] },
  );
  const rollouts = pinnedRelease(
    'argo-rollouts',
    { pin: gitopsChartPin('argoRollouts'), namespace: ROLLOUTS_NAMESPACE, releaseName: 'argo-rollouts', values: argoRolloutsValues(chartOptions) },
    { provider, dependsOn: [rolloutsNs] },
  );

  const repo = { repoUrl: inputs.gitops.repoUrl, targetRevision: inputs.gitops.targetRevision };
  const guarded = inputs.gitops.highAvailability;
  const custom = (name: string, body: Record<string, unknown>, dependsOn: k8s.helm.v3.Release[]) =>
    new k8s.apiextensions.CustomResource(name, body as k8s.apiextensions.CustomResourceArgs, { provider, dependsOn });

  custom('gitops-repository', repositoryExternalSecret(repo, inputs.clusterSecretStoreName, inputs.gitops.repoCredentialsSecret), [argocd]);
  custom(`project-${inputs.envName}`, appProject(inputs.envName, repo, guarded), [argocd]);
  // The Applications render Rollouts: the ApplicationSet waits for the Rollout CRDs too.
  custom(`appset-${inputs.envName}`, applicationSet(inputs.envName, repo, guarded), [argocd, rollouts]);
  custom('success-rate', successRateTemplate(inputs.prometheusUrl), [rollouts]);

  return {
    argocdNamespace: ARGOCD_NAMESPACE,
    // The chart names the server Service `<release>-server`.
    argocdServerService: `${ARGOCD_RELEASE}-server`,
    argocdUrl: `https://${argocdHost(inputs.domain)}`,
    appProjects: { [inputs.envName]: inputs.envName },
    applicationSetNames: [applicationSetName(inputs.envName)],
    appNamespace: appNamespace(inputs.envName),
    gitopsRepoUrl: inputs.gitops.repoUrl,
    gitopsTargetRevision: inputs.gitops.targetRevision,
    argoRolloutsNamespace: ROLLOUTS_NAMESPACE,
    analysisTemplates: [SUCCESS_RATE_TEMPLATE],
  };
}
