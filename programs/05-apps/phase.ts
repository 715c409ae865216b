/**
 * Phase 5, apps: ECR repositories for the services, the CI identity (GitHub OIDC provider and one
 * role per service), and the env's app namespace with its mesh and network baseline. The services
 * themselves are delivered by phase 3's ApplicationSet from the GitOps repository (gitops/), not by
 * this program. Reads phase 1's KMS key (ECR encryption), phase 2's cluster and secret store, phase
 * 3's GitOps objects and phase 4's data endpoints (for the namespace's egress policy).
 *
 * Contract changes from reference/phases.md D: `ciRoleArns` by service (one role per service, each
 * trusting only its repository and branch) instead of one `ciRoleArn`; no per-service workload
 * roles (no service calls AWS APIs: credentials reach them through External Secrets; a service that
 * needs AWS gets a Pod Identity role when services.ts says so); no `imageTags` output (the tags are
 * CI's, in Git: the gates read what Argo CD deployed); `appNamespaces` keyed by env.
 */
import { z } from 'zod';
import { arn, byName, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { deployerRoleArn } from '../../src/core/platform-names.js';
import { phase1Outputs } from '../01-foundation/phase.js';
import { phase2Outputs } from '../02-cluster/phase.js';
import { gitopsConfig, phase3Outputs } from '../03-gitops/phase.js';
import { phase4Outputs } from '../04-data/phase.js';
import { SERVICES, type ServiceSpec } from '../shared/services.js';

/** The outputs contract of phase 5. */
export const phase5Outputs = z.object({
  /** Repository URL by service. */
  ecrRepositoryUrls: byName(text),
  /** CI role by service (GitHub Actions of `<owner>/<service>` on the CI branch). */
  ciRoleArns: byName(arn),
  githubOidcProviderArn: arn,
  /** Application namespace by env. */
  appNamespaces: byName(k8sName),
  /** ServiceAccount name by service. */
  serviceAccounts: byName(k8sName),
  /** Chart path in the GitOps repository by service. */
  chartPaths: byName(text),
  /**
   * Phase 2's kubeconfig, passed through as a secret: the gate runner gives a phase's gates only
   * that phase's own outputs, and all three phase 5 gates read the cluster.
   */
  kubeconfig: text,
});
export type Phase5Outputs = z.infer<typeof phase5Outputs>;

const fromFoundation = phase1Outputs.pick({ kmsKeyArns: true });
const fromCluster = phase2Outputs.pick({ clusterName: true, clusterArn: true, kubeconfig: true, clusterSecretStoreNamespaceLabel: true, secretsManagerKmsKeyArn: true });
const fromGitops = phase3Outputs.pick({ appProjects: true, applicationSetNames: true, appNamespace: true, gitopsRepoUrl: true, argoRolloutsNamespace: true });
const fromData = phase4Outputs.pick({ postgres: true, kafkaBootstrapServers: true, dataNamespace: true });

/** Inputs of the phase 5 program (plain JSON). `cluster.kubeconfig` is secret. */
export interface Phase5Inputs {
  envName: string;
  accountId: string;
  region: string;
  deployRoleArn: string;
  tags: Record<string, string>;
  /** The services (programs/shared/services.ts): the keys of every per-service output. */
  services: readonly ServiceSpec[];
  cluster: { name: string; arn: string; kubeconfig: string };
  /** Encrypts image layers at rest. */
  ecrKmsKeyArn: string;
  /** Encrypts the Secrets Manager secrets ESO and CI read. */
  secretsKeyArn: string;
  secretStoreLabel: { key: string; value: string };
  github: { owner: string; ciBranch: string };
  gitops: z.infer<typeof fromGitops>;
  data: { namespace: string; postgresPort: number; kafkaPort: number };
}

/** The port of a `host:port` bootstrap address. */
export function portOf(address: string): number {
  const port = Number(address.split(',')[0]!.split(':').pop());
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`'${address}' has no port`);
  return port;
}

/** Builds the program inputs from the env file and the outputs of phases 1, 2, 3 and 4 (pure). */
export function phase5Inputs(ctx: PhaseContext): Phase5Inputs {
  const g = gitopsConfig(ctx.env, 5);
  const foundation = readUpstream(ctx, 5, 1, fromFoundation);
  const cluster = readUpstream(ctx, 5, 2, fromCluster);
  const gitops = readUpstream(ctx, 5, 3, fromGitops);
  const data = readUpstream(ctx, 5, 4, fromData);
  return {
    envName: ctx.env.name,
    accountId: ctx.env.accountId,
    region: ctx.env.regions.primary,
    deployRoleArn: deployerRoleArn(ctx.env.accountId),
    tags: { ...ctx.env.tags, 'platform:env': ctx.env.name, 'platform:phase': '05-apps' },
    services: SERVICES,
    cluster: { name: cluster.clusterName, arn: cluster.clusterArn, kubeconfig: cluster.kubeconfig },
    ecrKmsKeyArn: foundation.kmsKeyArns.s3,
    secretsKeyArn: cluster.secretsManagerKmsKeyArn,
    secretStoreLabel: { ...cluster.clusterSecretStoreNamespaceLabel },
    github: { owner: g.githubOwner, ciBranch: g.ciBranch },
    gitops,
    data: { namespace: data.dataNamespace, postgresPort: data.postgres.port, kafkaPort: portOf(data.kafkaBootstrapServers.tls) },
  };
}

export const phase: PhaseDefinition<Phase5Inputs, Phase5Outputs> = {
  id: 5,
  slug: 'apps',
  title: 'Apps: ECR, CI identity, app namespace and mesh policy (services delivered by Argo CD)',
  module: import.meta.url,
  dependsOn: [1, 2, 3, 4],
  inputs: phase5Inputs,
  outputs: phase5Outputs,
  secretOutputs: ['kubeconfig'],
  loadGates: () => import('./gates.js').then((m) => m.gates),
  loadProgram: () => import('./program.js').then((m) => m.program),
  planChanges: [
    {
      what: 'One CI role per service, trusting only GitHub Actions of that service repository on the CI branch',
      why: 'a shared CI role would let any service repository push every image; the OIDC sub condition names one repository and branch',
    },
    {
      what: 'ECR repositories live in each env account, not in a shared-services account',
      why: 'phase 0 creates no shared-services account; each env pulls from its own registry through its VPC endpoints',
    },
  ],
};
