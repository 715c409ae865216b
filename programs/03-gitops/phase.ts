/**
 * Phase 3, gitops: Argo CD (HA), its projects and ApplicationSets (one Application per service and
 * env), and Argo Rollouts for progressive delivery. Needs the cluster and its platform add-ons from
 * phase 2: the kubeconfig, a ClusterIssuer for the Argo CD certificate, the ClusterSecretStore for
 * repository credentials and the Istio revision for Rollouts traffic routing.
 */
import { z } from 'zod';
import { arn, byName, httpUrl, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase2Outputs } from '../02-cluster/phase.js';

/** The outputs contract of phase 3 (reference/phases.md section D). */
export const phase3Outputs = z.object({
  argocdNamespace: k8sName,
  argocdServerService: k8sName,
  argocdUrl: httpUrl,
  argocdControllerRoleArn: arn,
  /** AppProject name by env. */
  appProjects: byName(k8sName),
  applicationSetNames: z.array(k8sName).min(1),
  gitopsRepoUrl: text,
  argoRolloutsNamespace: k8sName,
  /** Argo CD cluster secret name by env (hub-and-spoke). */
  clusterSecretNames: byName(k8sName),
});
export type Phase3Outputs = z.infer<typeof phase3Outputs>;

/** What phase 3 reads from phase 2. */
const fromCluster = phase2Outputs.pick({ clusterName: true, kubeconfig: true, clusterIssuers: true, clusterSecretStoreName: true, istio: true });

/** Inputs of the phase 3 program. `kubeconfig` is secret. */
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
  /** Istio revision for Rollouts' traffic routing. */
  istioRevision: string;
}

/** Builds the program inputs from the env file and phase 2's outputs (pure). */
export function phase3Inputs(ctx: PhaseContext): Phase3Inputs {
  const cluster = readUpstream(ctx, 3, 2, fromCluster);
  return {
    envName: ctx.env.name,
    domain: ctx.env.domain,
    tags: { ...ctx.env.tags },
    clusterName: cluster.clusterName,
    kubeconfig: cluster.kubeconfig,
    clusterIssuer: cluster.clusterIssuers.prod,
    clusterSecretStoreName: cluster.clusterSecretStoreName,
    istioRevision: cluster.istio.revision,
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
  gates: [],
};
