/**
 * Phase 5, apps: ECR repositories for the services, the CI identity (GitHub OIDC), service charts
 * delivered by the phase-3 ApplicationSets, per-service identities and mesh policy. Reads the GitOps
 * projects from phase 3, the database and Kafka endpoints from phase 4, the KMS key and account
 * from phase 1, and the cluster (name, ARN, kubeconfig) from phase 2: the per-service roles are EKS
 * Pod Identity roles bound with a PodIdentityAssociation on that cluster (trust: the Pod Identity
 * session tags eks-cluster-arn, kubernetes-namespace, kubernetes-service-account), never IRSA
 * annotations, like phase 2's controller roles.
 */
import { z } from 'zod';
import { arn, byName, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase1Outputs } from '../01-foundation/phase.js';
import { phase2Outputs } from '../02-cluster/phase.js';
import { phase3Outputs } from '../03-gitops/phase.js';
import { phase4Outputs, type Phase4Outputs } from '../04-data/phase.js';
import { SERVICES, type ServiceSpec } from '../shared/services.js';


/** The outputs contract of phase 5 (reference/phases.md section D). */
export const phase5Outputs = z.object({
  /** Repository URL by service. */
  ecrRepositoryUrls: byName(text),
  ciRoleArn: arn,
  githubOidcProviderArn: arn,
  /** Application namespace by env. */
  appNamespaces: byName(k8sName),
  /** ServiceAccount name by service. */
  serviceAccounts: byName(k8sName),
  /** EKS Pod Identity role by service (bound through PodIdentityAssociation, not an IRSA annotation). */
  servicePodIdentityRoleArns: byName(arn),
  /** Chart path in the GitOps repository by service. */
  chartPaths: byName(text),
  /** Image tag currently delivered, by service. */
  imageTags: byName(text),
});
export type Phase5Outputs = z.infer<typeof phase5Outputs>;

/** What phase 5 reads from phase 1 (foundation). */
const fromFoundation = phase1Outputs.pick({ kmsKeyArns: true });
/** What phase 5 reads from phase 2 (cluster): where its namespaces and Pod Identity associations go. */
const fromCluster = phase2Outputs.pick({ clusterName: true, clusterArn: true, kubeconfig: true });
/** What phase 5 reads from phase 3 (gitops). */
const fromGitops = phase3Outputs.pick({ appProjects: true, applicationSetNames: true, gitopsRepoUrl: true, argoRolloutsNamespace: true });
/** What phase 5 reads from phase 4 (data). */
const fromData = phase4Outputs.pick({ postgres: true, kafkaBootstrapServers: true, cdcTopics: true, dataNamespace: true });

/** Inputs of the phase 5 program. `cluster.kubeconfig` is secret. */
export interface Phase5Inputs {
  envName: string;
  accountId: string;
  region: string;
  tags: Record<string, string>;
  /** The services (programs/shared/services.ts): the keys of every per-service output. */
  services: readonly ServiceSpec[];
  /** The cluster the service namespaces and Pod Identity associations are created in. */
  cluster: { name: string; arn: string; kubeconfig: string };
  /** Encrypts image layers at rest (ECR stores them in S3). */
  ecrKmsKeyArn: string;
  gitops: z.infer<typeof fromGitops>;
  data: {
    postgres: Phase4Outputs['postgres'];
    kafkaBootstrapTls: string;
    cdcTopics: string[];
    dataNamespace: string;
  };
}

/** Builds the program inputs from the env file and the outputs of phases 1, 2, 3 and 4 (pure). */
export function phase5Inputs(ctx: PhaseContext): Phase5Inputs {
  const foundation = readUpstream(ctx, 5, 1, fromFoundation);
  const cluster = readUpstream(ctx, 5, 2, fromCluster);
  const gitops = readUpstream(ctx, 5, 3, fromGitops);
  const data = readUpstream(ctx, 5, 4, fromData);
  return {
    envName: ctx.env.name,
    accountId: ctx.env.accountId,
    region: ctx.env.regions.primary,
    tags: { ...ctx.env.tags },
    services: SERVICES,
    cluster: { name: cluster.clusterName, arn: cluster.clusterArn, kubeconfig: cluster.kubeconfig },
    ecrKmsKeyArn: foundation.kmsKeyArns.s3,
    gitops,
    data: {
      postgres: data.postgres,
      kafkaBootstrapTls: data.kafkaBootstrapServers.tls,
      cdcTopics: data.cdcTopics,
      dataNamespace: data.dataNamespace,
    },
  };
}

export const phase: PhaseDefinition<Phase5Inputs, Phase5Outputs> = {
  id: 5,
  slug: 'apps',
  title: 'Apps: ECR, CI identity, service charts and delivery, mesh policy',
  module: import.meta.url,
  dependsOn: [1, 2, 3, 4],
  inputs: phase5Inputs,
  outputs: phase5Outputs,
  secretOutputs: [],
  gates: [],
};
