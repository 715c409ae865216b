/**
 * `platform pipeline`: the committed workflows under .github/workflows are exactly what the CLI
 * generates now (a change to the DAG, an env file or the generator without regenerating fails here),
 * and the workflow has the shape the team mode promises: one job per env phase with `needs:` = the
 * true edges, one concurrency group per env, the env's GitHub Environment, OIDC and no keys, VPC
 * runners for the phases that reach a private cluster API, journals as artifacts, a scheduled drift
 * job. actionlint checks these files in test/ci-tools (npm run test:ci-tools).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { phases } from '../../programs/registry.js';
import { hasProgram, phaseScope } from '../../src/core/phase.js';
import { KUBERNETES_PHASES } from '../../src/preflight/cluster-endpoint.js';
import { checkPipelineEnv, generateWorkflow, jobId, workflowPath } from '../../src/pipeline/workflow.js';
import { loadEnv } from '../../src/config/load-env.js';
import { loadOrganization } from '../../src/config/load-organization.js';
import { isPlatformError } from '../../src/core/errors.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENVS = ['dev', 'stg', 'prod'] as const;

interface Job {
  needs?: string[];
  'runs-on': string | string[];
  environment: string;
  permissions: Record<string, string>;
  if: string;
  steps: Array<{ uses?: string; run?: string; with?: Record<string, unknown>; if?: string }>;
}

async function generated(name: string): Promise<string> {
  const env = await loadEnv(ROOT, name);
  const organization = await loadOrganization(ROOT, { local: false });
  return generateWorkflow({ env, organization, registry: phases, kubernetesPhases: KUBERNETES_PHASES });
}

describe('platform pipeline: the GitHub Actions workflow from the DAG', () => {
  for (const name of ENVS) {
    it(`${workflowPath(name)} matches what the CLI generates (regenerate: npx platform pipeline --env ${name} --out ${workflowPath(name)})`, async () => {
      const committed = readFileSync(join(ROOT, workflowPath(name)), 'utf8');
      assert.equal(committed, await generated(name));
    });
  }

  it('prod: one job per env phase, needs = true edges, concurrency, Environment, OIDC without keys, VPC runners, journals, drift', async () => {
    const wf = parse(await generated('prod')) as { on: Record<string, unknown>; concurrency: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, Job> };
    const envPhases = phases.filter((p) => phaseScope(p) === 'env' && hasProgram(p));
    assert.deepEqual(Object.keys(wf.jobs).sort(), [...envPhases.map(jobId), 'drift'].sort());
    assert.deepEqual(wf.concurrency, { group: 'platform-prod', 'cancel-in-progress': false });
    assert.deepEqual(wf.permissions, { contents: 'read' });
    for (const p of envPhases) {
      const job = wf.jobs[jobId(p)]!;
      const edges = p.dependsOn.filter((d) => envPhases.some((x) => x.id === d)).map((d) => jobId(phases[d]!));
      assert.deepEqual(job.needs ?? [], edges, `phase ${p.id} needs`);
      assert.equal(job.environment, 'prod');
      assert.deepEqual(job.permissions, { 'id-token': 'write', contents: 'read' });
      assert.deepEqual(job['runs-on'], KUBERNETES_PHASES.has(p.id) ? ['self-hosted', 'linux', 'platform-prod'] : 'ubuntu-24.04', `phase ${p.id} runner`);
      assert.ok(job.steps.some((s) => s.run === `npx platform up --phase ${p.id} --env prod --yes --output plain`));
      const creds = job.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
      assert.equal(creds.with!['role-to-assume'], 'arn:aws:iam::999999999999:role/platform-ci');
      const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
      assert.deepEqual([upload.if, upload.with!.path, upload.with!['include-hidden-files']], ['always()', '.platform/runs/', true]);
      assert.match(job.if, /github\.event_name != 'schedule'/);
    }
    // Phases 3 and 4 do not wait for each other: they run side by side after 2.
    assert.ok(wf.jobs['phase-03-gitops']!.needs!.includes('phase-02-cluster') && !wf.jobs['phase-03-gitops']!.needs!.includes('phase-04-data'));
    assert.ok(wf.jobs['phase-04-data']!.needs!.includes('phase-02-cluster') && !wf.jobs['phase-04-data']!.needs!.includes('phase-03-gitops'));
    assert.ok(wf.jobs.drift!.steps.some((s) => s.run === 'npx platform drift --env prod --json > drift-prod.ndjson'));
    assert.match(wf.jobs.drift!.if, /schedule/);
    assert.ok(Array.isArray((wf.on as { schedule: unknown[] }).schedule));
    const text = await generated('prod');
    assert.doesNotMatch(text, /aws-access-key-id|aws-secret-access-key|secrets\./, 'no long-lived keys');
    for (const m of text.matchAll(/uses: (\S+)/g)) assert.match(m[1]!, /@[0-9a-f]{40}$/, `${m[1]} is pinned to a commit`);
  });

  it('dev (public endpoint): every job on GitHub-hosted runners', async () => {
    const wf = parse(await generated('dev')) as { jobs: Record<string, Job> };
    for (const [id, job] of Object.entries(wf.jobs)) assert.equal(job['runs-on'], 'ubuntu-24.04', id);
  });

  it('refuses an env a pipeline cannot deploy, naming the value and the fix', async () => {
    const organization = await loadOrganization(ROOT, { local: false });
    const prod = await loadEnv(ROOT, 'prod');
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['simulate engine', () => checkPipelineEnv({ ...prod, engine: 'simulate' }, organization), /env prod uses the simulate engine/],
      ['file backend', () => checkPipelineEnv({ ...prod, backend: { url: 'file://.platform/state' } }, organization), /keeps its state at file:\/\/\.platform\/state/],
      ['no CI role', () => checkPipelineEnv(prod, { ...organization, deployers: { ...organization.deployers, ciRoleArns: [] } }), /lists no CI role/],
    ];
    for (const [name, f, re] of cases) {
      try {
        f();
        assert.fail(`${name}: accepted`);
      } catch (e) {
        assert.ok(isPlatformError(e), String(e));
        assert.match(e.message, re, name);
        assert.equal(e.exitCode, 2, name);
        assert.ok(e.hint, name);
      }
    }
  });
});
