/**
 * Phase 2: the EKS cluster and its add-ons. The definition is data: what the phase reads from the
 * env file and from phase 1's validated outputs, the outputs it promises (kubeconfig secret), and
 * how to load its program. Nothing here touches Pulumi.
 */
import { z } from 'zod';
import type { EnvConfig } from '../../src/core/env.js';
import { PlatformError } from '../../src/core/errors.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
// Phase 0 names these roles in every env account; phase 2 does not receive phase 0's outputs.
import { deployerRoleArn, VERIFIER_ROLE_NAME } from '../../src/core/platform-names.js';

const arn = z.string().regex(/^arn:aws[a-z-]*:/, 'an ARN');
const nonEmpty = z.string().min(1);

/**
 * The part of phase 1's outputs that phase 2 consumes (names from reference/phases.md D). Extra keys
 * are ignored: this states what phase 2 needs, phase 1's own schema states what it promises.
 */
export const phase1Consumed = z.object({
  vpcId: nonEmpty,
  privateSubnetIds: z.array(nonEmpty).min(2, 'at least two private subnets (two AZs)'),
  publicSubnetIds: z.array(nonEmpty),
  kmsKeyArns: z.object({ eksSecrets: arn, ebs: arn, logs: arn }),
  clusterRoleArn: arn,
  nodeRoleArn: arn,
  karpenterNodeRoleArn: arn,
  karpenterNodeRoleName: nonEmpty,
  karpenterControllerPolicyArns: z.array(arn).min(1),
  externalDnsPolicyArn: arn,
  certManagerPolicyArn: arn,
  externalSecretsPolicyArn: arn,
  ebsCsiKmsPolicyArn: arn,
  lokiPolicyArn: arn,
  lbcPolicyArn: arn,
  interruptionQueueName: nonEmpty,
  hostedZoneIds: z.object({ apex: nonEmpty, api: nonEmpty }),
  lokiBuckets: z.object({ chunks: nonEmpty, ruler: nonEmpty }),
  /** Phase 1's deploy runner security group ('' when the env's API is public): admitted on 443 to the API. */
  runnerSecurityGroupId: z.union([z.string().startsWith('sg-'), z.literal('')]),
});
export type Phase1Consumed = z.infer<typeof phase1Consumed>;

/** Program inputs: plain JSON (they cross a process boundary in the simulate engine). */
export interface Phase2Inputs {
  env: string;
  accountId: string;
  region: string;
  /** Role the explicit aws.Provider assumes (phase 0's deploy role in the env account). */
  deployRoleArn: string;
  /** Read-only role the phase-2 gates use; gets a view access entry. */
  verifierRoleArn: string;
  tags: Record<string, string>;
  cluster: EnvConfig['cluster'];
  domains: { apex: string; api: string };
  /** ACME account e-mail (`cluster.acmeEmail`, or the env's e-mail convention). */
  acmeEmail: string;
  foundation: Phase1Consumed;
}

const istioOutputs = z.object({
  revision: nonEmpty,
  ingressNamespace: nonEmpty,
  ingressGatewaySelector: z.record(z.string(), z.string()),
  ingressLbHostname: nonEmpty,
});

export const phase2Outputs = z.object({
  clusterName: nonEmpty,
  clusterArn: arn,
  clusterEndpoint: z.string().regex(/^https:\/\//, 'an https URL'),
  clusterCertificateAuthority: nonEmpty,
  kubeconfig: nonEmpty,
  oidcProviderArn: arn,
  oidcProviderUrl: nonEmpty,
  oidcIssuer: nonEmpty,
  clusterSecurityGroupId: nonEmpty,
  nodeSecurityGroupId: nonEmpty,
  systemNodeGroupName: nonEmpty,
  /**
   * The controllers' EKS Pod Identity roles. They trust only pods.eks.amazonaws.com with the Pod
   * Identity session tags, so they work only through a PodIdentityAssociation (never as an IRSA
   * `eks.amazonaws.com/role-arn` annotation). Later phases bind their own roles the same way.
   */
  podIdentityRoleArns: z.object({
    ebsCsi: arn,
    karpenter: arn,
    lbc: arn,
    externalDns: arn,
    certManager: arn,
    externalSecrets: arn,
    loki: arn,
  }),
  defaultStorageClass: nonEmpty,
  /** gp3 with reclaimPolicy Retain: for data volumes that must outlive their claim. */
  retainStorageClass: nonEmpty,
  volumeSnapshotClass: nonEmpty,
  clusterIssuers: z.object({ staging: nonEmpty, prod: nonEmpty }),
  clusterSecretStoreName: nonEmpty,
  /** The label a namespace needs before its ExternalSecrets may use the ClusterSecretStore. */
  clusterSecretStoreNamespaceLabel: z.object({ key: nonEmpty, value: nonEmpty }),
  /** The KMS key Secrets Manager secrets must be encrypted with for the ClusterSecretStore to read them. */
  secretsManagerKmsKeyArn: arn,
  istio: istioOutputs,
  karpenter: z.object({ nodePools: z.array(nonEmpty).min(1), ec2NodeClass: nonEmpty }),
  monitoringNamespace: nonEmpty,
  prometheusService: nonEmpty,
  alertmanagerService: nonEmpty,
  grafanaService: nonEmpty,
  lokiGatewayService: nonEmpty,
});
export type Phase2Outputs = z.infer<typeof phase2Outputs>;

/** Domains reserved for documentation and testing (RFC 2606, RFC 6761): Let's Encrypt refuses contacts there. */
const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;

/** True when the e-mail's domain is reserved (example.com, *.test, ...). */
export function isReservedEmail(email: string): boolean {
  return RESERVED_DOMAIN.test(email.split('@').pop() ?? '');
}

/**
 * The ACME account e-mail: `cluster.acmeEmail`, or the env's e-mail convention. A real deploy
 * refuses a reserved domain, which Let's Encrypt rejects (the ClusterIssuers would never become
 * Ready); the simulate engine accepts it, so the shipped template env files plan offline.
 */
export function acmeEmailFor(ctx: PhaseContext): string {
  const { env } = ctx;
  // Default: the organization's account mailbox (stacks/organization.yaml), plus `+acme`.
  const accounts = ctx.organization?.accounts;
  const email = env.cluster.acmeEmail ?? (accounts ? `${accounts.emailPrefix}+acme@${accounts.emailDomain}` : undefined);
  if (email === undefined) {
    throw new PlatformError('config-missing', `env ${env.name} names no ACME e-mail and no organization file was given`, {
      value: 'cluster.acmeEmail',
      hint: `set cluster.acmeEmail in stacks/${env.name}.yaml`,
    });
  }
  if (!ctx.simulated && isReservedEmail(email)) {
    throw new PlatformError('config-invalid', `the ACME e-mail '${email}' is on a reserved domain, which Let's Encrypt refuses`, {
      value: 'cluster.acmeEmail',
      hint: `set cluster.acmeEmail in stacks/${env.name}.yaml to an address you read`,
    });
  }
  return email;
}

/** Builds the program inputs from the env file and phase 1's outputs. Pure. */
export function phase2Inputs(ctx: PhaseContext): Phase2Inputs {
  const { env } = ctx;
  const upstream = ctx.upstream[1];
  if (upstream === undefined) {
    throw new PlatformError('dependency-check', 'phase 2 needs the outputs of phase 1 (foundation), which were not provided', {
      value: 'phase 1',
      hint: `platform up --phase 1 --env ${env.name}`,
    });
  }
  const parsed = phase1Consumed.safeParse(upstream);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.') || '(root)';
    throw new PlatformError('dependency-check', `phase 1 output '${path}' cannot feed phase 2: ${issue.message}`, {
      value: path,
      hint: `re-run phase 1 so its outputs match its contract: platform up --phase 1 --env ${env.name}`,
    });
  }
  if (!env.cluster.endpointPublicAccess && parsed.data.runnerSecurityGroupId === '') {
    throw new PlatformError('dependency-check', "phase 1 output 'runnerSecurityGroupId' is empty, but the env's EKS API is private only: nothing could reach it", {
      value: 'runnerSecurityGroupId',
      hint: `re-run phase 1, which builds the deploy runner for a private API: platform up --phase 1 --env ${env.name}`,
    });
  }
  return {
    env: env.name,
    accountId: env.accountId,
    region: env.regions.primary,
    deployRoleArn: deployerRoleArn(env.accountId),
    verifierRoleArn: `arn:aws:iam::${env.accountId}:role/${VERIFIER_ROLE_NAME}`,
    tags: { ...env.tags, 'platform:env': env.name, 'platform:phase': '02-cluster' },
    cluster: structuredClone(env.cluster),
    domains: { apex: env.domain, api: `api.${env.domain}` },
    acmeEmail: acmeEmailFor(ctx),
    foundation: parsed.data,
  };
}

export const phase: PhaseDefinition<Phase2Inputs, Phase2Outputs> = {
  id: 2,
  slug: 'cluster',
  title: 'EKS cluster and its add-ons',
  module: import.meta.url,
  dependsOn: [1],
  inputs: phase2Inputs,
  outputs: phase2Outputs,
  secretOutputs: ['kubeconfig'],
  loadGates: () => import('./gates.js').then((m) => m.gates),
  loadProgram: () => import('./program.js').then((m) => m.program),
  planChanges: [
    {
      what: 'Add-on roles (EBS CSI, Karpenter, LB controller, ExternalDNS, cert-manager, External Secrets, Loki) are finished here, with EKS Pod Identity',
      why: 'a role for a pod needs the cluster (its OIDC provider or the Pod Identity agent); phase 1 only creates the permission policies',
    },
    {
      what: 'Route53 zones come from phase 1 instead of being created in phase 6',
      why: "cert-manager DNS-01 and ExternalDNS need the zone ids for their policies and solvers, and phase 2's gates issue a certificate",
    },
    {
      what: 'Mesh-wide PeerAuthentication is STRICT from the start',
      why: 'no workload runs in the mesh yet, so nothing depends on plaintext; later phases never weaken it',
    },
    {
      what: 'Grafana Alloy ships logs to Loki from phase 2',
      why: "Promtail is end-of-life (2026-03-02), and phase 2's gate should already see platform logs",
    },
  ],
};
