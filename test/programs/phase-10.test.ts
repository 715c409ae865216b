/**
 * Phase 10 under Pulumi mocks for the shipped prod env, fed with upstream outputs of the contracts'
 * shape: three FIS experiment templates (actions, targets and parameters as the FIS actions
 * reference names them) that all stop on the SLO alarm; the experiment role trusting only FIS from
 * this account and acting only on the cluster's tagged instances; the SLO alarm as a Metrics Insights
 * query whose missing data breaches; the scratch namespace restricted, outside the mesh, denying all
 * traffic; and outputs that pass their own schema with the kubeconfig kept secret.
 */
import { strict as assert } from 'node:assert';
import { evaluateProgram, type CapturedResource, type Evaluation } from '../../src/engine/simulate/evaluate.js';
import type { PhaseContext } from '../../src/core/phase.js';
import { isPlatformError } from '../../src/core/errors.js';
import { phase as phase10, phase10Outputs, EXPERIMENTS } from '../../programs/10-hardening/phase.js';
import { INGRESS_HEALTH_QUERY, THROTTLED_EC2_OPERATIONS } from '../../programs/10-hardening/chaos.js';
import { SERVICES } from '../../programs/shared/services.js';
import { sampleUpstream } from '../config/upstream-samples.js';
import { shippedEnv } from './phase-02-upstream.js';

const env = shippedEnv('prod');
const ctx = (over: Partial<PhaseContext> = {}): PhaseContext => {
  const u = structuredClone(sampleUpstream);
  return { env, upstream: Object.fromEntries(phase10.dependsOn.map((d) => [d, u[d]])), simulated: true, ...over };
};
const byType = (ev: Evaluation, type: string): CapturedResource[] => ev.resources.filter((r) => r.type === type);

describe('phase 10 (hardening) under mocks, prod', function () {
  this.timeout(60_000);
  let ev: Evaluation;
  before(async () => {
    const inputs = phase10.inputs(ctx());
    const program = await phase10.loadProgram!();
    ev = await evaluateProgram({ stack: 'prod-10-hardening', synthetic: { accountId: env.accountId, region: env.regions.primary, stack: 'prod-10-hardening' }, program: () => program(inputs) });
  });

  it('keeps one FIS template per experiment, each stopped by the SLO alarm, run by the experiment role', () => {
    const templates = byType(ev, 'aws:fis/experimentTemplate:ExperimentTemplate');
    assert.equal(templates.length, EXPERIMENTS.length);
    const [alarm] = byType(ev, 'aws:cloudwatch/metricAlarm:MetricAlarm');
    const [role] = byType(ev, 'aws:iam/role:Role');
    for (const t of templates) {
      assert.deepEqual(t.inputs.stopConditions, [{ source: 'aws:cloudwatch:alarm', value: alarm!.state.arn }]);
      assert.equal(t.inputs.roleArn, role!.state.arn);
      assert.deepEqual(t.inputs.experimentOptions, { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' });
      // Every action's target names a declared target.
      const names = (t.inputs.targets as Array<{ name: string }>).map((x) => x.name);
      for (const a of t.inputs.actions as Array<{ target: { value: string } }>) assert.ok(names.includes(a.target.value));
    }
  });

  it('terminate-node: one running instance of the cluster; stop-az: all of them in the zone, restarted after 5 minutes', () => {
    const t = (name: string) => byType(ev, 'aws:fis/experimentTemplate:ExperimentTemplate').find((x) => (x.inputs.tags as Record<string, string>).Name === `prod-${name}`)!;
    const term = t('terminate-node');
    assert.deepEqual((term.inputs.actions as any[]).map((a) => [a.actionId, a.target.key]), [['aws:ec2:terminate-instances', 'Instances']]);
    const [tt] = term.inputs.targets as any[];
    assert.deepEqual([tt.resourceType, tt.selectionMode], ['aws:ec2:instance', 'COUNT(1)']);
    assert.deepEqual(tt.resourceTags, [{ key: 'kubernetes.io/cluster/platform-dev', value: 'owned' }]);
    assert.deepEqual(tt.filters, [{ path: 'State.Name', values: ['running'] }]);
    const stop = t('stop-az');
    const [sa] = stop.inputs.actions as any[];
    assert.equal(sa.actionId, 'aws:ec2:stop-instances');
    assert.deepEqual(sa.parameters, [{ key: 'startInstancesAfterDuration', value: 'PT5M' }, { key: 'completeIfInstancesTerminated', value: 'true' }]);
    const [st] = stop.inputs.targets as any[];
    assert.equal(st.selectionMode, 'ALL');
    assert.deepEqual(st.filters[1], { path: 'Placement.AvailabilityZone', values: [env.hardening!.chaos.availabilityZone] });
  });

  it("throttle-ec2-api: throttles only phase 2's Karpenter role, on ec2, for 5 minutes", () => {
    const t = byType(ev, 'aws:fis/experimentTemplate:ExperimentTemplate').find((x) => (x.inputs.tags as Record<string, string>).Name === 'prod-throttle-ec2-api')!;
    const [a] = t.inputs.actions as any[];
    assert.equal(a.actionId, 'aws:fis:inject-api-throttle-error');
    assert.deepEqual(Object.fromEntries((a.parameters as any[]).map((p) => [p.key, p.value])), { service: 'ec2', operations: THROTTLED_EC2_OPERATIONS.join(','), percentage: '50', duration: 'PT5M' });
    assert.equal(a.target.key, 'Roles');
    const [target] = t.inputs.targets as any[];
    assert.deepEqual([target.resourceType, target.resourceArns], ['aws:iam:role', [(sampleUpstream[2] as any).podIdentityRoleArns.karpenter]]);
  });

  it('the experiment role trusts only FIS from this account and stops, starts or terminates only tagged cluster instances', () => {
    const [role] = byType(ev, 'aws:iam/role:Role');
    const trust = JSON.parse(role!.inputs.assumeRolePolicy as string);
    assert.deepEqual(trust.Statement[0].Principal, { Service: 'fis.amazonaws.com' });
    assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { 'aws:SourceAccount': env.accountId } });
    const [policy] = byType(ev, 'aws:iam/rolePolicy:RolePolicy');
    const doc = JSON.parse(policy!.inputs.policy as string);
    const mutate = doc.Statement.find((s: any) => s.Action.includes('ec2:TerminateInstances'));
    assert.deepEqual(mutate.Condition, { StringEquals: { 'aws:ResourceTag/kubernetes.io/cluster/platform-dev': 'owned' } });
    for (const s of doc.Statement) {
      assert.ok(!s.Action.some((a: string) => a.endsWith('*')), `no wildcard action: ${s.Action}`);
      if (s.Resource === '*') assert.ok(s.Action.every((a: string) => /^(ec2:Describe|iam:List)/.test(a)), `only reads on *: ${s.Action}`);
    }
  });

  it('the SLO alarm watches healthy ingress targets and treats missing data as breaching', () => {
    const [alarm] = byType(ev, 'aws:cloudwatch/metricAlarm:MetricAlarm');
    const i = alarm!.inputs as any;
    assert.equal(i.metricQueries[0].expression, INGRESS_HEALTH_QUERY);
    assert.deepEqual([i.comparisonOperator, i.threshold, i.evaluationPeriods, i.datapointsToAlarm, i.treatMissingData], ['LessThanThreshold', 1, 2, 2, 'breaching']);
  });

  it('the scratch namespace is restricted, outside the mesh, denies all traffic and fits one restore', () => {
    const ns = byType(ev, 'kubernetes:core/v1:Namespace')[0]!;
    const labels = (ns.inputs.metadata as any).labels;
    assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.equal(labels['istio-injection'], 'disabled');
    const np = byType(ev, 'kubernetes:networking.k8s.io/v1:NetworkPolicy')[0]!;
    assert.deepEqual((np.inputs as any).spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const quota = byType(ev, 'kubernetes:core/v1:ResourceQuota')[0]!;
    assert.equal((quota.inputs as any).spec.hard.pods, '2');
  });

  it('outputs pass the schema with SLO thresholds per routed service; the kubeconfig is a secret', () => {
    const out = phase10Outputs.parse(ev.outputs);
    assert.ok(ev.secretOutputs.includes('kubeconfig'));
    assert.deepEqual(out.loadTargets.map((t) => t.service), SERVICES.filter((s) => s.route).map((s) => s.name));
    const catalog = out.loadTargets.find((t) => t.service === 'catalog')!;
    assert.deepEqual(catalog, { service: 'catalog', url: 'https://api.dev.example.com/catalog/health', rate: 200, p99Ms: 500, maxErrorRate: 0.001 });
    assert.equal(out.restoreDrill.rtoMinutes, env.hardening!.rtoMinutes);
    assert.deepEqual(out.restoreDrill.source, { namespace: 'data', statefulSet: 'postgres', database: 'app', image: 'postgres:17.5-bookworm' });
    assert.match(out.experimentTemplateIds['stop-az'], /^EXT[a-z0-9]{14}$/);
  });

  it('refuses to plan without a hardening block, or with a zone outside the primary region, naming the fix', () => {
    const { hardening: _, ...bare } = env;
    assert.throws(() => phase10.inputs(ctx({ env: bare })), (e: unknown) => isPlatformError(e) && e.code === 'config-invalid' && /stacks\/prod\.yaml/.test(e.hint ?? ''));
    const wrongAz = { ...env, hardening: { ...env.hardening!, chaos: { ...env.hardening!.chaos, experiment: 'stop-az' as const, availabilityZone: 'us-east-1a' } } };
    assert.throws(() => phase10.inputs(ctx({ env: wrongAz })), /us-east-1a is not in the primary region eu-west-1/);
    const unknownTarget = { ...env, hardening: { ...env.hardening!, chaos: { ...env.hardening!.chaos, podFault: { ...env.hardening!.chaos.podFault, name: 'catalogue' } } } };
    assert.throws(
      () => phase10.inputs(ctx({ env: unknownTarget })),
      (e: unknown) => isPlatformError(e) && e.code === 'config-invalid' && e.message === "hardening.chaos.podFault.name catalogue is not one of the platform's services" && /stacks\/prod\.yaml: frontend, auth, catalog/.test(e.hint ?? ''),
    );
  });
});
