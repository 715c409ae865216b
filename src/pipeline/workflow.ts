/**
 * The phase DAG of one env as a GitHub Actions workflow (`platform pipeline --env E`; docs/team-mode.md).
 *
 * Rules:
 * - One job per env-scoped phase with a program, running `platform up --phase N --env E --yes`: the
 *   CLI's own dependency checks, locks, gates and promotion check still run inside each job.
 * - `needs:` are the phase's true edges (`dependsOn`) among those jobs. Phase 0 (the organization) is
 *   not in an env's workflow: it is one stack shared by every env, run from the management account by
 *   its operators; phase 1's job checks it as an upstream like any other.
 * - One concurrency group per env (`platform-<env>`), never cancelled in progress: an update is not
 *   killed by the next push; runs queue.
 * - Every job names the GitHub Environment `<env>` (its protection rules, e.g. required reviewers in
 *   prod, are repository settings) and gets AWS credentials by OIDC (`id-token: write`, no keys): the
 *   organization's CI role (stacks/organization.yaml `deployers.ciRoleArns[0]`), which the env's
 *   deploy role trusts; the CLI then assumes the deploy role in the env's account itself.
 * - Phases that reach the cluster API (KUBERNETES_PHASES) run on self-hosted runners inside the env's
 *   VPC (labels `self-hosted, linux, platform-<env>`) when the env's endpoint is private; elsewhere on
 *   GitHub-hosted runners.
 * - Each job uploads its run journal (`.platform/runs/`) as an artifact, whatever the outcome.
 * - A scheduled drift job (`platform drift --env E --json`) runs alone on the schedule; the phase jobs
 *   never run on the schedule.
 * The output is deterministic (the committed copies under .github/workflows are compared to it).
 */
import { stringify } from 'yaml';
import { PlatformError } from '../core/errors.js';
import type { EnvConfig } from '../core/env.js';
import { hasProgram, phaseScope, type AnyPhase, type PhaseId } from '../core/phase.js';
import type { OrganizationConfig } from '../core/organization.js';

/** Pinned actions (full commit SHAs; the tag in the comment). Same pins as .github/workflows/service-ci.yml where shared. */
export const ACTIONS = {
  checkout: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1', // v7.0.1
  setupNode: 'actions/setup-node@820762786026740c76f36085b0efc47a31fe5020', // v7.0.0
  cache: 'actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae', // v5.0.5
  awsCredentials: 'aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c', // v6.2.3
  uploadArtifact: 'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', // v7.0.0
} as const;
const TAGS: Record<string, string> = {
  [ACTIONS.checkout]: 'v7.0.1',
  [ACTIONS.setupNode]: 'v7.0.0',
  [ACTIONS.cache]: 'v5.0.5',
  [ACTIONS.awsCredentials]: 'v6.2.3',
  [ACTIONS.uploadArtifact]: 'v7.0.0',
};

export interface PipelineInput {
  env: EnvConfig;
  organization: OrganizationConfig;
  registry: readonly AnyPhase[];
  /** Phases whose programs or gates reach the cluster API. */
  kubernetesPhases: ReadonlySet<PhaseId>;
  /** The drift job's schedule (cron, UTC). */
  driftCron?: string;
}

const pad = (id: PhaseId) => String(id).padStart(2, '0');
export const jobId = (p: Pick<AnyPhase, 'id' | 'slug'>) => `phase-${pad(p.id)}-${p.slug}`;

/** The file the committed copy lives in. */
export function workflowPath(env: string): string {
  return `.github/workflows/platform-${env}.yml`;
}

/** Refuses an env a CI pipeline cannot deploy, with one line naming the value and the fix. */
export function checkPipelineEnv(env: EnvConfig, organization: OrganizationConfig): string {
  if (env.engine !== 'pulumi') {
    throw new PlatformError('usage', `env ${env.name} uses the ${env.engine} engine: a pipeline deploys real envs only`, {
      value: env.name,
      hint: 'pick an env whose file says engine: pulumi (dev, stg, prod)',
    });
  }
  if (!env.backend.url.startsWith('s3://')) {
    throw new PlatformError('config-invalid', `env ${env.name} keeps its state at ${env.backend.url}: a CI runner's disk is gone after each job`, {
      value: env.backend.url,
      hint: `give stacks/${env.name}.yaml an s3:// backend (platform bootstrap --env ${env.name} creates the bucket)`,
    });
  }
  const role = organization.deployers.ciRoleArns[0];
  if (!role) {
    throw new PlatformError('config-invalid', 'stacks/organization.yaml lists no CI role (deployers.ciRoleArns is empty): the pipeline has no identity to assume by OIDC', {
      value: 'deployers.ciRoleArns',
      hint: 'add the role your GitHub OIDC provider trusts, e.g. arn:aws:iam::<management account>:role/platform-ci, and re-run phase 0',
    });
  }
  return role;
}

function setupSteps(env: EnvConfig, role: string, session: string): Record<string, unknown>[] {
  return [
    { uses: ACTIONS.checkout, with: { 'persist-credentials': false } },
    { uses: ACTIONS.setupNode, with: { 'node-version': 22, cache: 'npm' } },
    { name: 'npm ci (builds the CLI)', run: 'npm ci --no-audit --no-fund' },
    {
      name: 'Pulumi engine cache',
      uses: ACTIONS.cache,
      with: { path: '.cache/pulumi-engine', key: "pulumi-engine-${{ runner.os }}-${{ hashFiles('package-lock.json', 'scripts/install-pulumi-engine.sh', 'scripts/pulumi-engine/**') }}" },
    },
    { name: 'Pulumi engine (built from its Go modules when not cached)', run: 'bash scripts/install-pulumi-engine.sh' },
    {
      name: 'AWS credentials by OIDC (no keys)',
      uses: ACTIONS.awsCredentials,
      with: { 'role-to-assume': role, 'role-session-name': session, 'aws-region': env.regions.primary },
    },
  ];
}

function journalStep(name: string): Record<string, unknown> {
  return {
    name: 'Upload the run journal',
    if: 'always()',
    uses: ACTIONS.uploadArtifact,
    with: { name, path: '.platform/runs/', 'include-hidden-files': true, 'if-no-files-found': 'warn', 'retention-days': 90 },
  };
}

/** The workflow as YAML text, with a header saying how it was made. */
export function generateWorkflow(input: PipelineInput): string {
  const { env, organization, registry } = input;
  const role = checkPipelineEnv(env, organization);
  const phases = registry.filter((p) => phaseScope(p) === 'env' && hasProgram(p));
  const inWorkflow = new Set(phases.map((p) => p.id));
  const privateApi = env.cluster.endpointPublicAccess === false;
  const vpcRunner = ['self-hosted', 'linux', `platform-${env.name}`];
  const jobs: Record<string, unknown> = {};
  for (const p of phases) {
    const needs = p.dependsOn.filter((d) => inWorkflow.has(d)).map((d) => jobId(registry.find((x) => x.id === d)!));
    const inVpc = privateApi && input.kubernetesPhases.has(p.id);
    jobs[jobId(p)] = {
      name: `phase ${p.id} ${p.slug}`,
      // Neither the schedule nor a drift-only dispatch runs a phase.
      if: "github.event_name != 'schedule' && !inputs.drift",
      ...(needs.length ? { needs } : {}),
      'runs-on': inVpc ? vpcRunner : 'ubuntu-24.04',
      environment: env.name,
      'timeout-minutes': 120,
      permissions: { 'id-token': 'write', contents: 'read' },
      steps: [
        ...setupSteps(env, role, `platform-${env.name}-phase-${pad(p.id)}`),
        { name: `platform up --phase ${p.id} --env ${env.name}`, run: `npx platform up --phase ${p.id} --env ${env.name} --yes --output plain` },
        journalStep(`journal-${env.name}-phase-${pad(p.id)}-\${{ github.run_attempt }}`),
      ],
    };
  }
  const anyInVpc = privateApi && phases.some((p) => input.kubernetesPhases.has(p.id));
  jobs.drift = {
    name: 'drift',
    if: "github.event_name == 'schedule' || inputs.drift",
    'runs-on': anyInVpc ? vpcRunner : 'ubuntu-24.04',
    environment: env.name,
    'timeout-minutes': 60,
    permissions: { 'id-token': 'write', contents: 'read' },
    steps: [
      ...setupSteps(env, role, `platform-${env.name}-drift`),
      // Exit 6: drift found. The report is the artifact either way; the job fails so it is seen.
      { name: `platform drift --env ${env.name}`, run: `npx platform drift --env ${env.name} --json > drift-${env.name}.ndjson` },
      {
        name: 'Upload the drift report',
        if: 'always()',
        uses: ACTIONS.uploadArtifact,
        with: { name: `drift-${env.name}-\${{ github.run_id }}`, path: `drift-${env.name}.ndjson`, 'if-no-files-found': 'warn', 'retention-days': 90 },
      },
      journalStep(`journal-${env.name}-drift-\${{ github.run_id }}`),
    ],
  };
  const workflow = {
    name: `platform ${env.name}`,
    on: {
      workflow_dispatch: { inputs: { drift: { description: 'only look for drift (no update)', type: 'boolean', default: false } } },
      schedule: [{ cron: input.driftCron ?? '17 5 * * *' }],
    },
    permissions: { contents: 'read' },
    concurrency: { group: `platform-${env.name}`, 'cancel-in-progress': false },
    jobs,
  };
  let text = stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false });
  // The tag of each pinned action, as a comment after its SHA.
  for (const [ref, tag] of Object.entries(TAGS)) text = text.split(`uses: ${ref}\n`).join(`uses: ${ref} # ${tag}\n`);
  const header = [
    `# Generated by \`platform pipeline --env ${env.name}\` from the phase DAG (programs/registry.ts). Do not edit:`,
    `# regenerate with \`npx platform pipeline --env ${env.name} --out ${workflowPath(env.name)}\``,
    '# (test/pipeline/workflow.test.ts fails when this copy differs from what the CLI generates).',
    `# Repository settings it relies on: a GitHub Environment "${env.name}"${env.name === 'prod' ? ' with required reviewers' : ''},`,
    `# self-hosted runners labelled platform-${env.name} inside the env's VPC, and the OIDC trust of`,
    `# ${role} for this repository (docs/team-mode.md).`,
  ].join('\n');
  return `${header}\n${text}`;
}
