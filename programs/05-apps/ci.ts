/**
 * ECR repositories and the CI identity of phase 5, as pure documents plus the resources.
 * - One repository per service: immutable tags, scan on push, KMS encryption with phase 1's key,
 *   a lifecycle policy (untagged images expire after 7 days; only the newest 200 images are kept).
 * - The GitHub Actions OIDC provider (https://token.actions.githubusercontent.com, audience
 *   sts.amazonaws.com), and one role per service that trusts only `repo:<owner>/<service>:ref:
 *   refs/heads/<ciBranch>` (GitHub's documented StringEquals form: no wildcard, no other repository,
 *   branch, pull request or tag), 1 hour sessions. It may push to its own repository only (the
 *   actions amazon-ecr-login documents for a push, plus reading scan findings) and read one secret:
 *   the GitHub App credentials the workflow uses to open the GitOps change. No cluster access:
 *   Argo CD deploys.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { assertLeastPrivilege, doc, policyJson, type PolicyDocument } from '../shared/iam-docs.js';
import { iamName } from '../shared/naming.js';
import type { ServiceSpec } from '../shared/services.js';

export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const STS_AUDIENCE = 'sts.amazonaws.com';

/** The pushes amazon-ecr-login documents (README "Permissions"), and scan results for the gate step. */
export const ECR_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
  'ecr:DescribeImages',
  'ecr:DescribeImageScanFindings',
] as const;

export const ciRoleName = (env: string, service: string): string => iamName(`ci-${service}-${env}`);
/** The Secrets Manager secret holding the GitHub App that opens GitOps changes. */
export const gitopsAppSecretName = (env: string): string => `${env}/gitops/ci-github-app`;

export function lifecyclePolicy(): string {
  return JSON.stringify({
    rules: [
      { rulePriority: 1, description: 'untagged layers expire after 7 days', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } },
      { rulePriority: 2, description: 'keep the newest 200 images', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 200 }, action: { type: 'expire' } },
    ],
  });
}

export function ciTrustPolicy(oidcProviderArn: pulumi.Input<string>, owner: string, service: string, branch: string): PolicyDocument {
  return doc({
    Sid: 'GitHubActionsOfThisRepositoryAndBranch',
    Effect: 'Allow',
    Principal: { Federated: oidcProviderArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
        [`${GITHUB_OIDC_HOST}:sub`]: `repo:${owner}/${service}:ref:refs/heads/${branch}`,
      },
    },
  });
}

export function ciPermissions(repositoryArn: pulumi.Input<string>, secretArnPattern: pulumi.Input<string>, secretsKeyArn: pulumi.Input<string>, region: string): PolicyDocument {
  return assertLeastPrivilege(
    'ci',
    doc(
      // GetAuthorizationToken has no resource-level permissions (ECR's service authorization reference).
      { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Sid: 'PushOwnRepository', Effect: 'Allow', Action: [...ECR_PUSH_ACTIONS], Resource: repositoryArn },
      { Sid: 'ReadGitopsAppSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArnPattern },
      {
        Sid: 'DecryptGitopsAppSecret',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: secretsKeyArn,
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
      },
    ),
  );
}

export interface CiArgs {
  env: string;
  accountId: string;
  region: string;
  githubOwner: string;
  ciBranch: string;
  ecrKmsKeyArn: string;
  secretsKeyArn: string;
  tags: Record<string, string>;
  services: readonly ServiceSpec[];
}

export interface CiResources {
  provider: aws.iam.OpenIdConnectProvider;
  repositories: Record<string, aws.ecr.Repository>;
  roles: Record<string, aws.iam.Role>;
}

export function createCi(a: CiArgs, opts: pulumi.CustomResourceOptions): CiResources {
  const oidc = new aws.iam.OpenIdConnectProvider('github-actions', { url: GITHUB_OIDC_URL, clientIdLists: [STS_AUDIENCE], tags: a.tags }, opts);
  const repositories: Record<string, aws.ecr.Repository> = {};
  const roles: Record<string, aws.iam.Role> = {};
  // Secrets Manager appends a 6-character suffix to secret ARNs.
  const secretArn = `arn:aws:secretsmanager:${a.region}:${a.accountId}:secret:${gitopsAppSecretName(a.env)}-??????`;
  for (const s of a.services) {
    const repo = new aws.ecr.Repository(
      `ecr-${s.name}`,
      {
        name: s.imageRepository,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: 'KMS', kmsKey: a.ecrKmsKeyArn }],
        forceDelete: false,
        tags: { ...a.tags, 'platform:service': s.name },
      },
      opts,
    );
    new aws.ecr.LifecyclePolicy(`ecr-${s.name}-lifecycle`, { repository: repo.name, policy: lifecyclePolicy() }, opts);
    repositories[s.name] = repo;
    const role = new aws.iam.Role(
      `ci-${s.name}`,
      {
        name: ciRoleName(a.env, s.name),
        description: `GitHub Actions of ${a.githubOwner}/${s.name} on ${a.ciBranch}: push to ECR ${s.imageRepository}`,
        assumeRolePolicy: policyJson(ciTrustPolicy(oidc.arn, a.githubOwner, s.name, a.ciBranch)),
        maxSessionDuration: 3600,
        tags: { ...a.tags, 'platform:service': s.name },
      },
      opts,
    );
    new aws.iam.RolePolicy(`ci-${s.name}-push`, { role: role.name, policy: policyJson(ciPermissions(repo.arn, secretArn, a.secretsKeyArn, a.region)) }, opts);
    roles[s.name] = role;
  }
  return { provider: oidc, repositories, roles };
}
