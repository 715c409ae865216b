/**
 * Phase 1 outputs of the contract's shape (reference/phases.md D) for a given env, as the
 * orchestrator would hand them to phase 2: ARNs in the env's account and region, two zone ids,
 * three private subnets. Used until phase 1's own simulated outputs are wired into these tests.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { EnvConfigSchema, type EnvConfig } from '../../src/core/env.js';

/** The shipped env file `stacks/<name>.yaml`, validated by the env schema. */
export function shippedEnv(name: string): EnvConfig {
  const file = fileURLToPath(new URL(`../../stacks/${name}.yaml`, import.meta.url));
  return EnvConfigSchema.parse(parse(readFileSync(file, 'utf8')));
}

export function phase1OutputsFor(env: EnvConfig): Record<string, unknown> {
  const acct = env.accountId;
  const region = env.regions.primary;
  const key = (id: string) => `arn:aws:kms:${region}:${acct}:key/${id}`;
  const policy = (name: string) => `arn:aws:iam::${acct}:policy/${env.cluster.name}-${name}`;
  const role = (name: string) => `arn:aws:iam::${acct}:role/${name}`;
  return {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    vpcCidr: env.network.vpcCidr,
    publicSubnetIds: ['subnet-0aa', 'subnet-0ab', 'subnet-0ac'],
    privateSubnetIds: ['subnet-1aa', 'subnet-1ab', 'subnet-1ac'],
    isolatedSubnetIds: ['subnet-2aa', 'subnet-2ab', 'subnet-2ac'],
    kmsKeyArns: {
      eksSecrets: key('11111111-1111-4111-8111-111111111111'),
      ebs: key('22222222-2222-4222-8222-222222222222'),
      s3: key('33333333-3333-4333-8333-333333333333'),
      backup: key('44444444-4444-4444-8444-444444444444'),
      logs: key('55555555-5555-4555-8555-555555555555'),
    },
    clusterRoleArn: role(`${env.cluster.name}-cluster`),
    nodeRoleArn: role(`${env.cluster.name}-node`),
    nodeRoleName: `${env.cluster.name}-node`,
    karpenterNodeRoleArn: role(`KarpenterNodeRole-${env.cluster.name}`),
    karpenterNodeRoleName: `KarpenterNodeRole-${env.cluster.name}`,
    karpenterControllerPolicyArns: ['node-lifecycle', 'iam-integration', 'eks-integration', 'interruption', 'resource-discovery', 'zonal-shift'].map(
      (p) => policy(`karpenter-${p}`),
    ),
    externalDnsPolicyArn: policy('external-dns'),
    certManagerPolicyArn: policy('cert-manager'),
    externalSecretsPolicyArn: policy('external-secrets'),
    ebsCsiKmsPolicyArn: policy('ebs-csi-kms'),
    lokiPolicyArn: policy('loki'),
    lbcPolicyArn: policy('aws-load-balancer-controller'),
    interruptionQueueName: env.cluster.name,
    interruptionQueueArn: `arn:aws:sqs:${region}:${acct}:${env.cluster.name}`,
    hostedZoneIds: { apex: 'Z0APEX00000000000001', api: 'Z0API000000000000002' },
    domainNames: { apex: env.domain, api: `api.${env.domain}` },
    lokiBuckets: { chunks: `loki-chunks-${env.name}-${acct}`, ruler: `loki-ruler-${env.name}-${acct}` },
    artifactsBucket: `platform-artifacts-${env.name}-${acct}`,
    dataBackupBucket: `data-backups-${env.name}-${acct}`,
    accessLogBucket: `platform-access-logs-${env.name}-${acct}`,
    drKmsKeyArn: `arn:aws:kms:${env.regions.dr}:${acct}:key/66666666-6666-4666-8666-666666666666`,
    backupVaultArn: `arn:aws:backup:${region}:${acct}:backup-vault:platform-${env.name}`,
    drBackupVaultArn: `arn:aws:backup:${env.regions.dr}:${acct}:backup-vault:platform-${env.name}-dr`,
    backupRoleArn: role(`platform-backup-${env.name}`),
    drRegion: env.regions.dr,
    drVpcId: 'vpc-0dr0000000000001',
    drPrivateSubnetIds: ['subnet-4aa', 'subnet-4ab', 'subnet-4ac'],
    drPublicSubnetIds: ['subnet-3aa', 'subnet-3ab', 'subnet-3ac'],
    // The deploy runner exists only when the EKS API is private (phase 1 builds it then).
    runnerSecurityGroupId: env.cluster.endpointPublicAccess ? '' : 'sg-0runner0000000001',
    runnerInstanceId: env.cluster.endpointPublicAccess ? '' : 'i-0runner0000000001',
  };
}
