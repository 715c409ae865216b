/**
 * What the GitOps repository (`gitops/`) holds for each service and env, as pure functions of the
 * service list and the env files, so the files can be written from them (`npm run gitops:sync`,
 * which keeps the image tags CI wrote) and a test can hold the committed files to them:
 * - `services/<svc>/values.yaml`: port, replica bounds, CPU and request-rate targets, callers, credentials switch;
 * - `services/<svc>/values-<env>.yaml`: the env's ECR repository and the image tag (CI's);
 * - `envs/<env>/values.yaml`: the env name and the env-wide defaults;
 * - `bootstrap/<env>/`: the AppProject and ApplicationSet phase 3 creates, for a team that
 *   bootstraps Argo CD by hand.
 */
import type { EnvConfig } from '../../src/core/env.js';
import { appProject, applicationSet } from '../03-gitops/manifests.js';
import type { ServiceSpec } from './services.js';

/** The envs the GitOps repository carries (the `local` env is simulated only). */
export const GITOPS_ENVS = ['dev', 'stg', 'prod'] as const;
/** The tag a values file carries until the service's first CI run replaces it. */
export const PLACEHOLDER_TAG = 'placeholder';

export function serviceValues(s: ServiceSpec): Record<string, unknown> {
  return {
    name: s.name,
    port: s.port,
    replicas: { min: s.scaling.minReplicas, max: s.scaling.maxReplicas },
    cpuTargetPercent: s.scaling.cpuTargetPercent,
    requestsPerSecondTarget: s.scaling.requestsPerSecondTarget,
    callers: [...s.callers],
    secrets: { enabled: s.data.postgres || s.data.kafka },
  };
}

/** The env's ECR registry host. */
export const registryHost = (env: Pick<EnvConfig, 'accountId' | 'regions'>): string => `${env.accountId}.dkr.ecr.${env.regions.primary}.amazonaws.com`;

export function serviceEnvValues(s: ServiceSpec, env: Pick<EnvConfig, 'accountId' | 'regions'>, tag: string): Record<string, unknown> {
  return { image: { repository: `${registryHost(env)}/${s.imageRepository}`, tag } };
}

export function envValues(env: Pick<EnvConfig, 'name'>): Record<string, unknown> {
  return { env: env.name, workload: 'rollout' };
}

export function bootstrapObjects(env: EnvConfig): { appProject: Record<string, unknown>; applicationSet: Record<string, unknown> } {
  const g = env.gitops;
  if (!g) throw new Error(`stacks/${env.name}.yaml has no gitops block`);
  const repo = { repoUrl: g.repoUrl, targetRevision: g.targetRevision };
  return { appProject: appProject(env.name, repo, g.highAvailability), applicationSet: applicationSet(env.name, repo, g.highAvailability) };
}

/** `owner/name` of a GitHub repository URL (https or git@). */
export function githubRepository(url: string): string {
  const m = /github\.com[/:]([^/]+)\/([^/]+?)(\.git)?$/.exec(url);
  if (!m) throw new Error(`'${url}' is not a GitHub repository URL`);
  return `${m[1]}/${m[2]}`;
}

/**
 * The CI caller of one service (`ci/callers/<svc>.yml`): the workflow a service repository keeps as
 * `.github/workflows/ci.yml`, calling the platform's reusable workflow with the service's data and
 * every env it delivers to (in order dev, stg, prod), each with its account, region and promotion.
 */
export function callerWorkflow(s: ServiceSpec, envs: readonly EnvConfig[], platformRepository: string): Record<string, unknown> {
  const first = envs[0]?.gitops;
  if (!first) throw new Error('the envs have no gitops block');
  const environments = envs.map((e) => ({ name: e.name, account: e.accountId, region: e.regions.primary, promotion: e.gitops!.promotion }));
  return {
    name: 'ci',
    on: { push: { branches: [first.ciBranch] }, pull_request: null },
    permissions: { contents: 'read' },
    jobs: {
      ci: {
        permissions: { contents: 'read', 'id-token': 'write' },
        // Pin to a commit of the platform repository in production use.
        uses: `${platformRepository}/.github/workflows/service-ci.yml@main`,
        with: {
          service: s.name,
          'image-repository': s.imageRepository,
          'test-command': 'npm ci && npm test',
          environments: JSON.stringify(environments),
          'gitops-repository': githubRepository(first.repoUrl),
          'ci-branch': first.ciBranch,
        },
      },
    },
  };
}
