/**
 * Phase 3, gitops: Argo CD (HA where the env file asks), its AppProject and ApplicationSet (one
 * Application per service folder of the GitOps repo), and Argo Rollouts with the success-rate
 * analysis. Reads from phase 2: the kubeconfig, a ClusterIssuer for the Argo CD certificate, the
 * ClusterSecretStore (and the namespace label that opts in to it) for repository credentials, and
 * the Prometheus service for the analysis; from the env file: the `gitops` block.
 *
 * Contract changes from reference/phases.md D (one Argo CD per env cluster, the reference's first
 * topology): no `argocdControllerRoleArn` and no `clusterSecretNames`, which exist only in
 * hub-and-spoke; `appNamespace`, `gitopsTargetRevision` and `analysisTemplates` added for phase 5.
 */
import { z } from 'zod';
import { byName, httpUrl, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import { PlatformError } from '../../src/core/errors.js';
import type { EnvConfig } from '../../src/core/env.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase2Outputs } from '../02-cluster/phase.js';

/** The outputs contract of phase 3. */
export const phase3Outputs = z.object({
  argocdNamespace: k8sName,
  argocdServerService: k8sName,
  /** Where Argo CD will answer once phase 6 routes it (its certificate is already issued). */
  argocdUrl: httpUrl,
  /** AppProject name by env (one: this env's). */
  appProjects: byName(k8sName),
  applicationSetNames: z.array(k8sName).min(1),
  /** The namespace the ApplicationSet deploys the services into (phase 5 creates it). */
  appNamespace: k8sName,
  gitopsRepoUrl: text,
  gitopsTargetRevision: text,
  argoRolloutsNamespace: k8sName,
  /** ClusterAnalysisTemplates the service Rollouts may name. */
  analysisTemplates: z.array(k8sName).min(1),
});
export type Phase3Outputs = z.infer<typeof phase3Outputs>;

/** What phase 3 reads from phase 2. */
const fromCluster = phase2Outputs.pick({
  clusterName: true,
  kubeconfig: true,
  clusterIssuers: true,
  clusterSecretStoreName: true,
  clusterSecretStoreNamespaceLabel: true,
  istio: true,
  monitoringNamespace: true,
  prometheusService: true,
});

/** Inputs of the phase 3 program (plain JSON). `kubeconfig` is secret. */
export interface Phase3Inputs {
  envName: string;
  domain: string;
  tags: Record<string, string>;
  clusterName: string;
  kubeconfig: string;
  /** Issues the Argo CD server certificate. */
  clusterIssuer: string;
  /** Where repository credentials come from (External Secrets). */
  clusterSecretStoreName: string;
  secretStoreNamespaceLabel: { key: string; value: string };
  /** Istio revision the Rollouts' traffic routing works with. */
  istioRevision: string;
  /** Prometheus, as the analysis queries it from inside the cluster. */
  prometheusUrl: string;
  gitops: NonNullable<EnvConfig['gitops']>;
}

/** The env file's gitops block, or a config error naming the file and the block. */
export function gitopsConfig(env: EnvConfig, phaseId: number): NonNullable<EnvConfig['gitops']> {
  if (!env.gitops) {
    throw new PlatformError('config-missing', `phase ${phaseId} needs the gitops block of stacks/${env.name}.yaml, which is absent`, {
      value: 'gitops',
      hint: `add gitops: {repoUrl, targetRevision, githubOwner, ciBranch, promotion, highAvailability, repoCredentialsSecret} to stacks/${env.name}.yaml (see stacks/dev.yaml)`,
    });
  }
  return env.gitops;
}

/** Builds the program inputs from the env file and phase 2's outputs (pure). */
export function phase3Inputs(ctx: PhaseContext): Phase3Inputs {
  const gitops = gitopsConfig(ctx.env, 3);
  const cluster = readUpstream(ctx, 3, 2, fromCluster);
  return {
    envName: ctx.env.name,
    domain: ctx.env.domain,
    tags: { ...ctx.env.tags },
    clusterName: cluster.clusterName,
    kubeconfig: cluster.kubeconfig,
    clusterIssuer: cluster.clusterIssuers.prod,
    clusterSecretStoreName: cluster.clusterSecretStoreName,
    secretStoreNamespaceLabel: { ...cluster.clusterSecretStoreNamespaceLabel },
    istioRevision: cluster.istio.revision,
    prometheusUrl: `http://${cluster.prometheusService}`,
    gitops: { ...gitops },
  };
}

export const phase: PhaseDefinition<Phase3Inputs, Phase3Outputs> = {
  id: 3,
  slug: 'gitops',
  title: 'GitOps: Argo CD, ApplicationSets, Argo Rollouts',
  module: import.meta.url,
  dependsOn: [2],
  inputs: phase3Inputs,
  outputs: phase3Outputs,
  secretOutputs: [],
  loadGates: () => import('./gates.js').then((m) => m.gates),
  loadProgram: () => import('./program.js').then((m) => m.program),
  planChanges: [
    {
      what: 'One Argo CD per env cluster; no hub controller role or cluster secrets',
      why: 'each env is its own account with a private API: a hub would need cross-account network paths and access entries in every spoke',
    },
    {
      what: 'The ApplicationSet generates one Application per service folder of the GitOps repo (git directory generator)',
      why: 'adding a service is a folder in Git (written from programs/shared/services.ts), with no change to the ApplicationSet',
    },
  ],
};
