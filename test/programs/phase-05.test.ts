/**
 * Phase 5 under Pulumi mocks (dev and prod) with upstream outputs of the contracts' shapes: one ECR
 * repository per service (immutable, scanned, KMS with phase 1's key, lifecycle); the GitHub OIDC
 * provider; one CI role per service whose trust names exactly its repository and the CI branch and
 * whose policy pushes only to its own repository; the app namespace injected, restricted, opted in
 * to the secret store, with STRICT mTLS, allow-nothing and default-deny; outputs by service.
 */
import { strict as assert } from 'node:assert';
import type { EnvConfig } from '../../src/core/env.js';
import { evaluateProgram, type Evaluation } from '../../src/engine/simulate/evaluate.js';
import { phase, phase5Outputs, portOf, type Phase5Outputs } from '../../programs/05-apps/phase.js';
import { SERVICES } from '../../programs/shared/services.js';
import { sampleUpstream } from '../config/upstream-samples.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { phase1OutputsFor, shippedEnv } from './phase-02-upstream.js';
import { phase2OutputsFor } from './phase-03-upstream.js';
import { byType, customResources } from './phase-02-run.js';

const phase3 = (env: EnvConfig) => ({
  argocdNamespace: 'argocd', argocdServerService: 'argocd-server', argocdUrl: `https://argocd.${env.domain}`, appProjects: { [env.name]: env.name },
  applicationSetNames: [`apps-${env.name}`], appNamespace: `apps-${env.name}`, gitopsRepoUrl: env.gitops!.repoUrl, gitopsTargetRevision: 'main',
  argoRolloutsNamespace: 'argo-rollouts', analysisTemplates: ['success-rate'],
});
const ctx = (env: EnvConfig) => ({
  env,
  organization: organizationFor(env).config,
  upstream: { 1: phase1OutputsFor(env), 2: phase2OutputsFor(env), 3: phase3(env), 4: sampleUpstream[4]! },
  simulated: true,
});

describe('phase 5 (apps) inputs', () => {
  it('read the Kafka TLS port from the bootstrap address; refuse one without a port', () => {
    assert.equal(portOf('data-kafka-bootstrap.data.svc:9093'), 9093);
    assert.throws(() => portOf('data-kafka-bootstrap.data.svc'), /has no port/);
  });
  it('refuse missing phase 4 outputs, naming phase 4', () => {
    const env = shippedEnv('dev');
    const c = ctx(env);
    delete (c.upstream as Record<number, unknown>)[4];
    assert.throws(() => phase.inputs(c), (e: any) => e.code === 'dependency-check' && /phase 4/.test(e.message));
  });
});

for (const name of ['dev', 'prod'] as const) {
  describe(`phase 5 (apps) program, ${name}`, function () {
    this.timeout(120_000);
    const env = shippedEnv(name);
    let ev: Evaluation;
    let out: Phase5Outputs;
    before(async () => {
      const inputs = phase.inputs(ctx(env));
      const program = await phase.loadProgram!();
      const stack = `${env.name}-05-apps`;
      ev = await evaluateProgram({ stack, synthetic: { accountId: env.accountId, region: env.regions.primary, stack }, program: () => program(inputs) });
      out = phase5Outputs.parse(ev.outputs);
    });

    it('one ECR repository per service: immutable tags, scan on push, KMS with phase 1 key, lifecycle policy', () => {
      const repos = byType(ev, 'aws:ecr/repository:Repository');
      assert.deepEqual(repos.map((r) => r.inputs.name).sort(), SERVICES.map((s) => s.imageRepository).sort());
      for (const r of repos) {
        assert.equal(r.inputs.imageTagMutability, 'IMMUTABLE');
        assert.deepEqual(r.inputs.imageScanningConfiguration, { scanOnPush: true });
        assert.deepEqual(r.inputs.encryptionConfigurations, [{ encryptionType: 'KMS', kmsKey: (phase1OutputsFor(env).kmsKeyArns as any).s3 }]);
        assert.ok(r.provider?.includes('pulumi:providers:aws::aws-env'));
      }
      const lifecycles = byType(ev, 'aws:ecr/lifecyclePolicy:LifecyclePolicy');
      assert.equal(lifecycles.length, SERVICES.length);
      const rules = JSON.parse(String(lifecycles[0]!.inputs.policy)).rules;
      assert.deepEqual(rules.map((r: any) => r.selection.tagStatus), ['untagged', 'any']);
    });

    it('the GitHub OIDC provider: the token host, audience sts.amazonaws.com', () => {
      const [p] = byType(ev, 'aws:iam/openIdConnectProvider:OpenIdConnectProvider');
      assert.equal(p!.inputs.url, 'https://token.actions.githubusercontent.com');
      assert.deepEqual(p!.inputs.clientIdLists, ['sts.amazonaws.com']);
    });

    it('one CI role per service: trust names exactly its repository and the CI branch; it pushes only to its own repository', () => {
      const roles = byType(ev, 'aws:iam/role:Role');
      assert.equal(roles.length, SERVICES.length);
      const policies = byType(ev, 'aws:iam/rolePolicy:RolePolicy');
      for (const s of SERVICES) {
        const role = roles.find((r) => r.inputs.name === `ci-${s.name}-${env.name}`)!;
        const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
        assert.equal(trust.Statement.length, 1);
        const st = trust.Statement[0];
        assert.equal(st.Action, 'sts:AssumeRoleWithWebIdentity');
        assert.match(st.Principal.Federated, /:oidc-provider\/token\.actions\.githubusercontent\.com$|^arn:aws:iam::/);
        assert.deepEqual(st.Condition, { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': `repo:${env.gitops!.githubOwner}/${s.name}:ref:refs/heads/${env.gitops!.ciBranch}` } });
        assert.ok(!JSON.stringify(st.Condition).includes('*'), 'no wildcard in the trust');
        const pol = JSON.parse(String(policies.find((p) => p.name === `ci-${s.name}-push`)!.inputs.policy));
        const push = pol.Statement.find((x: any) => x.Sid === 'PushOwnRepository');
        const repo = byType(ev, 'aws:ecr/repository:Repository').find((r) => r.inputs.name === s.imageRepository)!;
        assert.equal(push.Resource, repo.state.arn, `${s.name} pushes only to its repository`);
        for (const x of pol.Statement) {
          assert.notEqual(x.Action, '*');
          if (x.Resource === '*') assert.deepEqual(x.Action, 'ecr:GetAuthorizationToken', 'only the login has no resource');
        }
        assert.match(pol.Statement.find((x: any) => x.Sid === 'ReadGitopsAppSecret').Resource, new RegExp(`:secret:${env.name}/gitops/ci-github-app-\\?{6}$`));
        assert.ok(!pol.Statement.some((x: any) => [x.Action].flat().some((a: string) => a.startsWith('eks:'))), 'no cluster access');
      }
    });

    it('the app namespace: injected, restricted, opted in to the store; STRICT mTLS, allow-nothing, default-deny', () => {
      const ns = byType(ev, 'kubernetes:core/v1:Namespace')[0]!;
      const labels = (ns.inputs.metadata as any).labels;
      assert.equal((ns.inputs.metadata as any).name, `apps-${env.name}`);
      assert.equal(labels['istio-injection'], 'enabled');
      assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');
      assert.equal(labels['platform.io/cluster-secret-store'], 'aws-secretsmanager');
      assert.equal((customResources(ev, 'PeerAuthentication')[0]!.inputs.spec as any).mtls.mode, 'STRICT');
      assert.deepEqual(customResources(ev, 'AuthorizationPolicy')[0]!.inputs.spec, {});
      const deny = byType(ev, 'kubernetes:networking.k8s.io/v1:NetworkPolicy').find((p) => (p.inputs.metadata as any).name === 'default-deny')!;
      assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    });

    it('outputs pass the schema, keyed by service and env', () => {
      assert.deepEqual(Object.keys(out.ecrRepositoryUrls).sort(), SERVICES.map((s) => s.name).sort());
      assert.deepEqual(Object.keys(out.ciRoleArns).sort(), SERVICES.map((s) => s.name).sort());
      assert.deepEqual(out.appNamespaces, { [env.name]: `apps-${env.name}` });
      assert.equal(out.chartPaths.orders, 'charts/service');
      // the gates read the cluster with phase 2's kubeconfig, passed through (secret)
      assert.equal(out.kubeconfig, phase2OutputsFor(env).kubeconfig);
    });
  });
}
