/**
 * Phase 1, foundation: the env account's network, security services, KMS keys, IAM roles and add-on
 * permission policies, Karpenter's interruption queue, Route53 zones, buckets, backup vaults (primary
 * and DR), the alerts topic and the DR VPC. Runs in the env account through phase 0's deploy role.
 */
import { z } from 'zod';
import { PlatformError } from '../../src/core/errors.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase0Outputs } from '../00-organization/phase.js';

const arn = z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:/, 'an AWS ARN');
const ids = (prefix: string) => z.array(z.string().startsWith(prefix)).min(1);

/** Inputs of the phase 1 program: plain JSON from the env file and phase 0's outputs. */
export interface Phase1Inputs {
  envName: string;
  /** The env account (phase 0's account for this env). */
  accountId: string;
  deployRoleArn: string;
  organizationId: string;
  regions: { primary: string; dr: string };
  domain: string;
  /** `spot`: Karpenter may launch spot capacity, so the account needs the Spot service-linked role. */
  /** `endpointPublicAccess: false`: the EKS API is private, so phase 1 builds the deploy runner. */
  cluster: { name: string; version: string; spot: boolean; endpointPublicAccess: boolean };
  network: {
    vpcCidr: string;
    drVpcCidr: string;
    availabilityZones: number;
    natGateways: 'Single' | 'OnePerAz';
    publicSubnetMask: number;
    privateSubnetMask: number;
    isolatedSubnetMask: number;
    networkFirewall: boolean;
    interfaceEndpoints: string[];
    flowLogRetentionDays: number;
  };
  tags: Record<string, string>;
}

/** The outputs contract of phase 1 (reference/phases.md section D). */
export const phase1Outputs = z.object({
  vpcId: z.string().startsWith('vpc-'),
  vpcCidr: z.string(),
  publicSubnetIds: ids('subnet-'),
  privateSubnetIds: ids('subnet-'),
  isolatedSubnetIds: ids('subnet-'),
  privateRouteTableIds: ids('rtb-'),
  natPublicIps: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/)).min(1),
  vpcEndpointIds: z.record(z.string(), z.string().startsWith('vpce-')),
  endpointSecurityGroupId: z.string().startsWith('sg-'),
  /** Always empty: phase 1 deploys no Network Firewall (see phase1Inputs). */
  firewallArn: z.union([arn, z.literal('')]),
  cloudTrailArn: arn,
  configRecorderName: z.string().min(1),
  guardDutyDetectorId: z.string().min(1),
  alertsTopicArn: arn,
  kmsKeyArns: z.object({ eksSecrets: arn, ebs: arn, s3: arn, backup: arn, logs: arn }),
  clusterRoleArn: arn,
  nodeRoleArn: arn,
  nodeRoleName: z.string().min(1),
  karpenterNodeRoleArn: arn,
  karpenterNodeRoleName: z.string().min(1),
  karpenterControllerPolicyArns: z.array(arn).length(6),
  externalDnsPolicyArn: arn,
  certManagerPolicyArn: arn,
  externalSecretsPolicyArn: arn,
  ebsCsiKmsPolicyArn: arn,
  lokiPolicyArn: arn,
  lbcPolicyArn: arn,
  interruptionQueueName: z.string().min(1),
  interruptionQueueArn: arn,
  hostedZoneIds: z.object({ apex: z.string().startsWith('Z'), api: z.string().startsWith('Z') }),
  hostedZoneNameServers: z.object({ apex: z.array(z.string()).min(1), api: z.array(z.string()).min(1) }),
  domainNames: z.object({ apex: z.string(), api: z.string() }),
  lokiBuckets: z.object({ chunks: z.string(), ruler: z.string() }),
  backupVaultArn: arn,
  drBackupVaultArn: arn,
  backupRoleArn: arn,
  drRegion: z.string(),
  drVpcId: z.string().startsWith('vpc-'),
  drPrivateSubnetIds: ids('subnet-'),
  drPublicSubnetIds: ids('subnet-'),
  /** The DR region's key (DR backup vault, DR flow logs). */
  drKmsKeyArn: arn,
  /** Build and Lambda artifacts (phases 5 and 9). */
  artifactsBucket: z.string().min(3),
  /** Phase 4's PostgreSQL logical backups (SSE-KMS with kmsKeyArns.s3). */
  dataBackupBucket: z.string().min(3),
  /** Where every bucket of the env logs its access (SSE-S3). */
  accessLogBucket: z.string().min(3),
  /**
   * The deploy runner's security group and instance (SSM-managed, in a private subnet) when the env's
   * EKS API is private; empty when cluster.endpointPublicAccess is true. Phase 2 admits this group on
   * 443 to the cluster security group.
   */
  runnerSecurityGroupId: z.union([z.string().startsWith('sg-'), z.literal('')]),
  runnerInstanceId: z.union([z.string().startsWith('i-'), z.literal('')]),
});
export type Phase1Outputs = z.infer<typeof phase1Outputs>;

/** Which of phase 0's member accounts this env deploys into (the env file's memberAccount). */
export function memberAccountOf(env: PhaseContext['env']): 'dev' | 'stg' | 'prod' {
  return env.memberAccount;
}

/** Builds the program inputs (pure). Fails when phase 0's account is not the env file's account. */
export function phase1Inputs(ctx: PhaseContext): Phase1Inputs {
  const { env } = ctx;
  const parsed = phase0Outputs.safeParse(ctx.upstream[0]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PlatformError('dependency-check', `phase 0 outputs are missing or invalid at '${issue?.path.join('.') ?? ''}'`, {
      value: issue?.message,
      hint: `run: platform up --phase 0 --env ${env.name}`,
    });
  }
  const up = parsed.data;
  const key = memberAccountOf(env);
  const accountId = up.accountIds[key];
  // Simulated account ids are synthetic; a real update must target the account the env file names.
  if (!ctx.simulated && accountId !== env.accountId) {
    throw new PlatformError('account-mismatch', `phase 0 created account ${accountId} for '${key}' but the env file says ${env.accountId}`, {
      value: env.accountId,
      hint: `set accountId: "${accountId}" in stacks/${env.name}.yaml`,
    });
  }
  const deployRoleArn = up.deployRoleArns[key];
  if (deployRoleArn.split(':')[4] !== accountId) {
    throw new PlatformError('dependency-check', `deploy role ${deployRoleArn} is not in account ${accountId}`, {
      value: deployRoleArn,
      hint: `re-run phase 0: platform up --phase 0 --env ${env.name}`,
    });
  }
  if (env.network.interfaceEndpoints.includes('guardduty-data')) {
    throw new PlatformError('config-invalid', `network.interfaceEndpoints in stacks/${env.name}.yaml lists guardduty-data, which phase 1 always creates`, {
      value: 'guardduty-data',
      hint: 'remove guardduty-data from network.interfaceEndpoints (two endpoints with private DNS for one service conflict)',
    });
  }
  if (env.network.networkFirewall) {
    // Infra review W1: a firewall that no route sends traffic through inspects nothing, yet bills per AZ.
    throw new PlatformError('config-invalid', `network.networkFirewall is true in stacks/${env.name}.yaml, but phase 1 does not route egress through AWS Network Firewall`, {
      value: 'true',
      hint: 'set network.networkFirewall: false (egress leaves through the NAT gateways, uninspected; see docs/foundation.md "Egress")',
    });
  }
  return {
    envName: env.name,
    accountId,
    deployRoleArn,
    organizationId: up.organizationId,
    regions: { ...env.regions },
    domain: env.domain,
    cluster: { name: env.cluster.name, version: env.cluster.version, spot: env.cluster.spot, endpointPublicAccess: env.cluster.endpointPublicAccess },
    network: { ...env.network, interfaceEndpoints: [...env.network.interfaceEndpoints] },
    tags: { ...env.tags },
  };
}

export const phase: PhaseDefinition<Phase1Inputs, Phase1Outputs> = {
  id: 1,
  slug: 'foundation',
  title: 'Network, security services, KMS, IAM, DNS zones, storage, backup vaults',
  module: import.meta.url,
  dependsOn: [0],
  inputs: phase1Inputs,
  outputs: phase1Outputs,
  secretOutputs: [],
  loadGates: () => import('./gates.js').then((m) => m.gates),
  loadProgram: () => import('./program.js').then((m) => m.program),
  planChanges: [
    {
      what: 'Route53 zones <domain> and api.<domain> are created in phase 1 instead of phase 6',
      why: "phase 2's gates need cert-manager DNS-01 and ExternalDNS, whose IAM policies and solvers need the zone ids",
    },
    {
      what: 'Add-on IAM split: permission policies in phase 1, IRSA roles in phase 2',
      why: "an IRSA trust policy names the cluster's OIDC provider, which exists only after phase 2 creates the cluster",
    },
    {
      what: 'Interface VPC endpoints are created beside awsx, not through its endpoint specs',
      why: 'awsx would attach the VPC default security group, which phase 1 locks down; they get their own HTTPS-only group',
    },
  ],
};
