/**
 * Phase 3 under Pulumi mocks for dev (single replicas, unguarded) and prod (HA, guarded), fed with
 * phase 2 outputs of the contract's shape: both charts pinned by the lock; Argo CD with the local
 * admin and Dex off, read-only default role, TLS from the ClusterIssuer; the argocd namespace opted
 * in to the secret store; the repository credentials from the store, never in the program; the
 * AppProject limited to the repo, the app namespace and the chart's kinds; the ApplicationSet
 * pointing at the env file's repo; outputs passing the phase's schema.
 */
import { strict as assert } from 'node:assert';
import type { EnvConfig } from '../../src/core/env.js';
import { evaluateProgram, type Evaluation } from '../../src/engine/simulate/evaluate.js';
import { phase, phase3Outputs, type Phase3Outputs } from '../../programs/03-gitops/phase.js';
import { chartLock, vouchedEntry } from '../../programs/shared/chart-lock.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { shippedEnv } from './phase-02-upstream.js';
import { phase2OutputsFor } from './phase-03-upstream.js';
import { customResources, one, releases, values } from './phase-02-run.js';

const ctx = (env: EnvConfig, upstream: Record<number, Record<string, unknown>> = { 2: phase2OutputsFor(env) }) => ({
  env,
  organization: organizationFor(env).config,
  upstream,
  simulated: true,
});

async function run(env: EnvConfig): Promise<{ ev: Evaluation; out: Phase3Outputs }> {
  const inputs = phase.inputs(ctx(env));
  const program = await phase.loadProgram!();
  const stack = `${env.name}-03-gitops`;
  const ev = await evaluateProgram({ stack, synthetic: { accountId: env.accountId, region: env.regions.primary, stack }, program: () => program(inputs) });
  return { ev, out: phase3Outputs.parse(ev.outputs) };
}

describe('phase 3 (gitops) inputs', () => {
  const dev = shippedEnv('dev');
  it('refuse an env file without a gitops block, naming the block and the file', () => {
    const { gitops: _drop, ...bare } = dev;
    assert.throws(() => phase.inputs(ctx(bare as EnvConfig)), (e: any) => e.code === 'config-missing' && e.value === 'gitops' && /stacks\/dev\.yaml/.test(e.hint));
  });
  it('refuse missing phase 2 outputs, naming the phase', () => {
    assert.throws(() => phase.inputs(ctx(dev, {})), (e: any) => e.code === 'dependency-check' && /platform up --phase 2 --env dev/.test(e.hint));
  });
  it('are plain JSON; Prometheus is addressed as phase 2 names it', () => {
    const i = phase.inputs(ctx(dev));
    assert.deepEqual(JSON.parse(JSON.stringify(i)), i);
    assert.equal(i.prometheusUrl, 'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090');
  });
});

for (const name of ['dev', 'prod'] as const) {
  describe(`phase 3 (gitops) program, ${name}`, function () {
    this.timeout(120_000);
    const env = shippedEnv(name);
    const ha = env.gitops!.highAvailability;
    let ev: Evaluation;
    let out: Phase3Outputs;
    before(async () => {
      ({ ev, out } = await run(env));
    });

    it('installs Argo CD and Argo Rollouts from charts the lock vouches for, through the cluster provider', () => {
      const rel = releases(ev);
      assert.deepEqual(rel.map((r) => r.inputs.chart).sort(), ['argo-cd', 'argo-rollouts']);
      for (const r of rel) {
        assert.ok(vouchedEntry(chartLock(), { chart: String(r.inputs.chart), version: String(r.inputs.version), repo: (r.inputs.repositoryOpts as any)?.repo }), `${r.name} locked`);
        assert.equal(r.inputs.atomic, true);
        assert.ok(r.provider?.includes('pulumi:providers:kubernetes::k8s'));
      }
    });

    it('Argo CD: no local admin, no Dex, read-only default, TLS from the ClusterIssuer; HA only where the env file asks', () => {
      const v = values(one(ev, 'kubernetes:helm.sh/v3:Release', 'argo-cd'));
      assert.equal(v.configs.cm['admin.enabled'], false);
      assert.equal(v.dex.enabled, false);
      assert.equal(v.configs.rbac['policy.default'], 'role:readonly');
      assert.equal(v.global.domain, `argocd.${env.domain}`);
      assert.deepEqual(v.server.certificate.issuer, { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-prod' });
      assert.equal(v.server.certificate.enabled, true);
      assert.equal(v['redis-ha'].enabled, ha);
      for (const c of ['server', 'repoServer', 'applicationSet']) {
        assert.equal(v[c].replicas, ha ? 2 : 1, c);
        assert.equal(v[c].pdb.enabled, ha, c);
      }
      const r = values(one(ev, 'kubernetes:helm.sh/v3:Release', 'argo-rollouts'));
      assert.equal(r.controller.replicas, ha ? 2 : 1);
      assert.equal(r.dashboard.enabled, false);
    });

    it('the argocd namespace opts in to the secret store; repository credentials come only from it', () => {
      const ns = ev.resources.find((r) => r.type === 'kubernetes:core/v1:Namespace' && (r.inputs.metadata as any).name === 'argocd')!;
      assert.equal((ns.inputs.metadata as any).labels['platform.io/cluster-secret-store'], 'aws-secretsmanager');
      const [es] = customResources(ev, 'ExternalSecret');
      const spec = es!.inputs.spec as any;
      assert.deepEqual(spec.secretStoreRef, { kind: 'ClusterSecretStore', name: 'aws-secretsmanager' });
      assert.deepEqual(spec.dataFrom, [{ extract: { key: `${env.name}/gitops/repository` } }]);
      assert.equal(spec.target.template.metadata.labels['argocd.argoproj.io/secret-type'], 'repository');
      assert.equal(spec.target.template.data.url, env.gitops!.repoUrl);
      assert.ok(!JSON.stringify(ev.resources).includes('PRIVATE KEY'));
    });

    it('the AppProject allows only the repo, the app namespace and the chart kinds; prod syncs in a window', () => {
      const [p] = customResources(ev, 'AppProject');
      const spec = p!.inputs.spec as any;
      assert.deepEqual(spec.sourceRepos, [env.gitops!.repoUrl]);
      assert.deepEqual(spec.destinations, [{ server: 'https://kubernetes.default.svc', namespace: `apps-${env.name}` }]);
      assert.deepEqual(spec.clusterResourceWhitelist, []);
      assert.ok(!spec.namespaceResourceWhitelist.some((k: any) => k.kind === '*' || k.group === '*'));
      assert.equal(Boolean(spec.syncWindows), ha);
    });

    it('the ApplicationSet follows the env file repo and revision into the app namespace; guarded envs keep apps on deletion', () => {
      const [s] = customResources(ev, 'ApplicationSet');
      const spec = s!.inputs.spec as any;
      assert.equal(spec.generators[0].git.repoURL, env.gitops!.repoUrl);
      assert.equal(spec.generators[0].git.revision, env.gitops!.targetRevision);
      assert.equal(spec.template.spec.destination.namespace, `apps-${env.name}`);
      assert.equal(spec.template.spec.project, env.name);
      assert.equal(spec.syncPolicy?.preserveResourcesOnDeletion ?? false, ha);
    });

    it('the success-rate analysis queries Prometheus of phase 2', () => {
      const [t] = customResources(ev, 'ClusterAnalysisTemplate');
      const m = (t!.inputs.spec as any).metrics[0];
      assert.equal(m.provider.prometheus.address, 'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090');
      assert.match(m.provider.prometheus.query, /istio_requests_total/);
    });

    it('outputs pass the schema and name what phase 5 reads', () => {
      assert.equal(out.argocdUrl, `https://argocd.${env.domain}`);
      assert.deepEqual(out.applicationSetNames, [`apps-${env.name}`]);
      assert.equal(out.appNamespace, `apps-${env.name}`);
      assert.equal(out.gitopsRepoUrl, env.gitops!.repoUrl);
    });
  });
}
