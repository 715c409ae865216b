/**
 * Phase 8 under Pulumi mocks (dev, stg, prod) with upstream outputs of the contracts' shapes:
 * - every DR resource (cluster, node group, add-ons, access, log group, launch template, runner, DR
 *   load balancer) is managed by the DR-region provider, and its synthetic ARN is in the DR region;
 *   the primary-side resources use the primary provider;
 * - the DR cluster has phase 2's version, endpoint access, Secrets encryption with the DR key, all
 *   log types, API auth, phase 2's add-on set (less the documented exclusion) with no version pin;
 * - the backup plan: daily rule into the primary vault, copy action to the DR vault's ARN (in the DR
 *   region), retention = backupRetentionDays on both, cold storage (prod) >= 90 days before delete;
 *   selections by tag backup=true for volumes and the data-backup bucket, with phase 1's role;
 * - failover: the health check probes the primary NLB's gateway readiness; phase 6's Gateway gets
 *   PRIMARY + health check annotations; an ExternalName Service publishes the SECONDARY to the DR NLB;
 * - the request-rate metric: prometheus-adapter with one custom rule, no resource metrics;
 * - no NodePool, HPA or PDB is declared (phase 2 and the chart own them);
 * - an env with the DR cluster turned off plans no DR cluster and outputs no DR cluster fields.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serviceValues } from '../../programs/shared/gitops-values.js';
import type { EnvConfig } from '../../src/core/env.js';
import { evaluateProgram, type Evaluation } from '../../src/engine/simulate/evaluate.js';
import { phase, phase8Outputs, prometheusEndpoint, type Phase8Outputs } from '../../programs/08-resilience/phase.js';
import { PROVIDERS } from '../../programs/08-resilience/program.js';
import { ADDONS_LIKE_PHASE_2, DR_ADDON_EXCLUSIONS, DR_ADDONS } from '../../programs/08-resilience/dr-cluster.js';
import { REQUEST_RATE_METRIC } from '../../programs/08-resilience/scaling.js';
import { SERVICES } from '../../programs/shared/services.js';
import { sampleUpstream } from '../config/upstream-samples.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { phase1OutputsFor, shippedEnv } from './phase-02-upstream.js';
import { phase2OutputsFor } from './phase-03-upstream.js';
import { byType, one, values } from './phase-02-run.js';

const phase5For = (env: EnvConfig) => ({ ...structuredClone(sampleUpstream[5]!), appNamespaces: { [env.name]: `apps-${env.name}` } });
const phase6For = (env: EnvConfig) => ({
  ...structuredClone(sampleUpstream[6]!),
  hostnames: { frontend: [env.domain, `www.${env.domain}`], api: `api.${env.domain}` },
});
const ctx = (env: EnvConfig) => ({
  env,
  organization: organizationFor(env).config,
  upstream: { 1: phase1OutputsFor(env), 2: phase2OutputsFor(env), 4: sampleUpstream[4]!, 5: phase5For(env), 6: phase6For(env) },
  simulated: true,
});

async function run(env: EnvConfig): Promise<{ ev: Evaluation; out: Phase8Outputs }> {
  const inputs = phase.inputs(ctx(env));
  const program = await phase.loadProgram!();
  const stack = `${env.name}-08-resilience`;
  const ev = await evaluateProgram({ stack, synthetic: { accountId: env.accountId, region: env.regions.primary, stack }, program: () => program(inputs) });
  return { ev, out: phase8Outputs.parse(ev.outputs) };
}

const providerOf = (r: { provider?: string }) => /pulumi:providers:aws::([^:]+)::/.exec(r.provider ?? "")?.[1];

describe('phase 8 (resilience) inputs', () => {
  it('refuse an env file without a resilience block, naming it and the fix', () => {
    const env = shippedEnv('stg');
    delete (env as Partial<EnvConfig>).resilience;
    assert.throws(() => phase.inputs(ctx(env)), (e: any) => e.code === 'config-missing' && e.value === 'resilience' && /stacks\/stg\.yaml/.test(e.hint));
  });
  it('refuse missing phase 6 outputs, naming phase 6', () => {
    const c = ctx(shippedEnv('stg'));
    delete (c.upstream as Record<number, unknown>)[6];
    assert.throws(() => phase.inputs(c), (e: any) => e.code === 'dependency-check' && /phase 6/.test(e.message));
  });
  it("read Prometheus from phase 2's host:port, or a bare Service name in its namespace", () => {
    assert.deepEqual(prometheusEndpoint('kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090', 'monitoring'), { url: 'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local', port: 9090 });
    assert.deepEqual(prometheusEndpoint('kube-prometheus-stack-prometheus', 'monitoring'), { url: 'http://kube-prometheus-stack-prometheus.monitoring.svc', port: 9090 });
  });
  it("the service chart's HPA asks for the metric the adapter serves, with each service's target from the service list", () => {
    const hpa = readFileSync(fileURLToPath(new URL('../../gitops/charts/service/templates/hpa.yaml', import.meta.url)), 'utf8');
    assert.match(hpa, new RegExp(`metric:\\s+name: ${REQUEST_RATE_METRIC}\\s`));
    assert.match(hpa, /averageValue: \{\{ \. \| quote \}\}/);
    for (const s of SERVICES) assert.equal(serviceValues(s).requestsPerSecondTarget, s.scaling.requestsPerSecondTarget);
  });
  it('the DR add-ons are phase 2\'s less the excluded ones, each exclusion with a reason', () => {
    assert.deepEqual([...DR_ADDONS, ...Object.keys(DR_ADDON_EXCLUSIONS)].sort(), [...ADDONS_LIKE_PHASE_2].sort());
    for (const why of Object.values(DR_ADDON_EXCLUSIONS)) assert.ok(why.length > 20);
  });
});

for (const name of ['stg', 'prod'] as const) {
  describe(`phase 8 (resilience) program, ${name}`, function () {
    this.timeout(120_000);
    const env = shippedEnv(name);
    const p1 = phase1OutputsFor(env) as any;
    let ev: Evaluation;
    let out: Phase8Outputs;
    before(async () => ({ ev, out } = await run(env)));

    it('two AWS providers, pinned to the env account: primary region and DR region', () => {
      const providers = byType(ev, 'pulumi:providers:aws');
      const region = (n: string) => providers.find((p) => p.name === n)?.inputs.region;
      assert.equal(region(PROVIDERS.primary), env.regions.primary);
      assert.equal(region(PROVIDERS.dr), env.regions.dr);
      for (const p of providers) assert.deepEqual(JSON.parse(String(p.inputs.allowedAccountIds)), [env.accountId]);
    });

    it('every DR resource goes through the DR-region provider, and lands in the DR region', () => {
      const drTypes = ['aws:eks/cluster:Cluster', 'aws:eks/nodeGroup:NodeGroup', 'aws:eks/addon:Addon', 'aws:eks/accessEntry:AccessEntry', 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation', 'aws:ec2/launchTemplate:LaunchTemplate', 'aws:lb/loadBalancer:LoadBalancer', 'aws:lb/targetGroup:TargetGroup', 'aws:lb/listener:Listener', 'aws:ec2/instance:Instance', 'aws:ec2/securityGroup:SecurityGroup', 'aws:ec2/securityGroupRule:SecurityGroupRule'];
      const dr = ev.resources.filter((r) => r.type.startsWith('aws:') && (drTypes.includes(r.type) || r.name.startsWith('dr-')));
      assert.ok(dr.length >= 15, `${dr.length} DR resources`);
      for (const r of dr.filter((x) => x.custom && !x.type.startsWith('pulumi:providers:'))) {
        // IAM is global: the DR runner's role and profile go through the DR provider too, harmlessly.
        assert.equal(providerOf(r), PROVIDERS.dr, `${r.type} ${r.name} uses ${r.provider}`);
        const arn = r.state.arn;
        if (typeof arn === 'string' && !arn.startsWith('arn:aws:iam::')) assert.equal(arn.split(':')[3], env.regions.dr, `${r.type} ${r.name}: ${arn}`);
      }
      assert.match(String(out.drClusterEndpoint), new RegExp(`\\.${env.regions.dr}\\.eks\\.amazonaws\\.com$`));
      assert.equal(out.drRegion, env.regions.dr);
    });

    it('the primary-side resources (backup, ECR replication, health check) use the primary provider', () => {
      for (const t of ['aws:backup/plan:Plan', 'aws:backup/selection:Selection', 'aws:ecr/replicationConfiguration:ReplicationConfiguration', 'aws:route53/healthCheck:HealthCheck']) {
        const rs = byType(ev, t);
        assert.ok(rs.length > 0, t);
        for (const r of rs) assert.equal(providerOf(r), PROVIDERS.primary, `${t} ${r.name}`);
      }
    });

    it("the DR cluster matches phase 2's: version, endpoint access, Secrets encrypted with the DR key, all logs, API auth", () => {
      const c = one(ev, 'aws:eks/cluster:Cluster', 'dr-cluster').inputs as any;
      assert.equal(c.name, `${env.cluster.name}-dr`);
      assert.equal(c.version, env.cluster.version);
      assert.equal(c.vpcConfig.endpointPrivateAccess, true);
      assert.equal(c.vpcConfig.endpointPublicAccess, env.cluster.endpointPublicAccess);
      assert.deepEqual(c.vpcConfig.subnetIds, p1.drPrivateSubnetIds);
      assert.deepEqual(c.encryptionConfig, { provider: { keyArn: p1.drKmsKeyArn }, resources: ['secrets'] });
      assert.deepEqual(c.enabledClusterLogTypes, ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
      assert.equal(c.accessConfig.authenticationMode, 'API');
      assert.equal(c.roleArn, p1.clusterRoleArn);
      const logs = one(ev, 'aws:cloudwatch/logGroup:LogGroup', 'dr-control-plane-logs').inputs;
      assert.equal(logs.kmsKeyId, p1.drKmsKeyArn);
    });

    it("the add-ons are phase 2's (less GuardDuty's agent), unpinned like phase 2's; nodes are minimal, IMDSv2, encrypted with the DR key", () => {
      const addons = byType(ev, 'aws:eks/addon:Addon');
      assert.deepEqual(addons.map((a) => a.inputs.addonName).sort(), [...DR_ADDONS].sort());
      for (const a of addons) assert.equal(a.inputs.addonVersion, undefined, String(a.inputs.addonName));
      const ng = one(ev, 'aws:eks/nodeGroup:NodeGroup', 'dr-nodes').inputs as any;
      assert.deepEqual(ng.scalingConfig, { minSize: env.resilience!.drCluster.nodes.min, desiredSize: env.resilience!.drCluster.nodes.desired, maxSize: env.resilience!.drCluster.nodes.max });
      assert.equal(ng.nodeRoleArn, p1.nodeRoleArn);
      const lt = one(ev, 'aws:ec2/launchTemplate:LaunchTemplate', 'dr-nodes').inputs as any;
      assert.equal(lt.metadataOptions.httpTokens, 'required');
      assert.equal(lt.blockDeviceMappings[0].ebs.kmsKeyId, p1.drKmsKeyArn);
    });

    it('a private API (prod, stg) gets a deploy runner in the DR VPC, admitted on 443 to the DR cluster', () => {
      const runner = byType(ev, 'aws:ec2/instance:Instance');
      if (env.cluster.endpointPublicAccess) {
        assert.equal(runner.length, 0);
        return;
      }
      assert.equal(runner.length, 1);
      assert.equal(runner[0]!.inputs.subnetId, p1.drPrivateSubnetIds[0]);
      const rule = one(ev, 'aws:ec2/securityGroupRule:SecurityGroupRule', 'dr-runner-to-api').inputs;
      assert.equal(rule.fromPort, 443);
      assert.equal(rule.securityGroupId, one(ev, 'aws:eks/cluster:Cluster', 'dr-cluster').state.vpcConfig && (one(ev, 'aws:eks/cluster:Cluster', 'dr-cluster').state.vpcConfig as any).clusterSecurityGroupId);
    });

    it("the backup plan copies to the DR vault's ARN with the env retention, in both regions", () => {
      const plan = one(ev, 'aws:backup/plan:Plan', 'backup-plan').inputs as any;
      const [rule] = plan.rules;
      assert.equal(rule.targetVaultName, String(p1.backupVaultArn).split('backup-vault:')[1]);
      assert.equal(rule.schedule, env.resilience!.backup.schedule);
      assert.equal(rule.copyActions.length, 1);
      assert.equal(rule.copyActions[0].destinationVaultArn, p1.drBackupVaultArn);
      assert.equal(String(p1.drBackupVaultArn).split(':')[3], env.regions.dr);
      for (const lc of [rule.lifecycle, rule.copyActions[0].lifecycle]) {
        assert.equal(lc.deleteAfter, env.backupRetentionDays);
        if (lc.coldStorageAfter !== undefined) assert.ok(lc.deleteAfter >= lc.coldStorageAfter + 90, 'cold storage lasts at least 90 days');
      }
      if (name === 'prod') assert.equal(rule.lifecycle.coldStorageAfter, env.resilience!.backup.coldStorageAfterDays);
      assert.deepEqual(out.backupVaultArns, { primary: p1.backupVaultArn, dr: p1.drBackupVaultArn });
      assert.equal(out.backupPlanId, one(ev, 'aws:backup/plan:Plan', 'backup-plan').id);
    });

    it("selections: EBS volumes tagged backup=true and the data-backup bucket, with phase 1's role", () => {
      const sel = byType(ev, 'aws:backup/selection:Selection').map((s) => s.inputs as any);
      assert.equal(sel.length, 2);
      for (const s of sel) assert.equal(s.iamRoleArn, p1.backupRoleArn);
      const vol = sel.find((s) => s.resources[0] === 'arn:aws:ec2:*:*:volume/*')!;
      assert.deepEqual(vol.conditions, [{ stringEquals: [{ key: 'aws:ResourceTag/backup', value: 'true' }] }]);
      assert.ok(sel.some((s) => s.resources[0] === `arn:aws:s3:::${p1.dataBackupBucket}`));
      assert.equal(out.backupSelectionIds.length, 2);
    });

    it('ECR replication of platform/ repositories to the DR region', () => {
      const rc = one(ev, 'aws:ecr/replicationConfiguration:ReplicationConfiguration', 'ecr-replication').inputs as any;
      assert.deepEqual(rc.replicationConfiguration.rules[0].destinations, [{ region: env.regions.dr, registryId: env.accountId }]);
      assert.deepEqual(out.ecrReplicationRules, [`${env.regions.dr}:platform/`]);
    });

    it("failover: the health check probes the primary gateway's readiness; phase 6's Gateway is annotated PRIMARY; a SECONDARY source points at the DR NLB", () => {
      const hc = one(ev, 'aws:route53/healthCheck:HealthCheck', 'primary-ingress-health').inputs as any;
      assert.equal(hc.fqdn, (phase2OutputsFor(env) as any).istio.ingressLbHostname);
      assert.deepEqual([hc.type, hc.port, hc.resourcePath], ['HTTP', 15021, '/healthz/ready']);
      const patch = one(ev, 'kubernetes:networking.istio.io/v1:GatewayPatch', 'gateway-failover-annotations').inputs as any;
      assert.deepEqual([patch.kind, patch.metadata.name, patch.metadata.namespace], ['Gateway', 'public', 'istio-ingress']);
      const ann = patch.metadata.annotations;
      assert.equal(ann['external-dns.alpha.kubernetes.io/aws-failover'], 'PRIMARY');
      assert.equal(ann['external-dns.alpha.kubernetes.io/set-identifier'], 'primary');
      assert.equal(ann['external-dns.alpha.kubernetes.io/aws-health-check-id'], one(ev, 'aws:route53/healthCheck:HealthCheck', 'primary-ingress-health').id);
      const svc = one(ev, 'kubernetes:core/v1:Service', 'dr-ingress-failover').inputs as any;
      const lb = one(ev, 'aws:lb/loadBalancer:LoadBalancer', 'dr-ingress');
      assert.equal(svc.spec.type, 'ExternalName');
      assert.equal(svc.spec.externalName, lb.state.dnsName);
      assert.match(String(lb.state.dnsName), new RegExp(`\\.elb\\.${env.regions.dr}\\.amazonaws\\.com$`));
      assert.equal(svc.metadata.annotations['external-dns.alpha.kubernetes.io/aws-failover'], 'SECONDARY');
      assert.equal(svc.metadata.annotations['external-dns.alpha.kubernetes.io/hostname'], [env.domain, `www.${env.domain}`, `api.${env.domain}`].join(','));
      assert.deepEqual(lb.inputs.subnets, p1.drPublicSubnetIds);
      assert.deepEqual(out.failoverRecordNames, [env.domain, `www.${env.domain}`, `api.${env.domain}`]);
      assert.deepEqual(out.route53HealthCheckIds, [one(ev, 'aws:route53/healthCheck:HealthCheck', 'primary-ingress-health').id]);
    });

    it('the request-rate metric: prometheus-adapter, custom rule only, pointed at phase 2\'s Prometheus', () => {
      const v = values(one(ev, 'kubernetes:helm.sh/v3:Release', 'prometheus-adapter'));
      assert.equal(v.rules.default, false);
      assert.equal(v.rules.custom.length, 1);
      assert.equal(v.rules.custom[0].name.as, REQUEST_RATE_METRIC);
      assert.equal(v.rules.resource, undefined);
      assert.equal(v.prometheus.url, prometheusEndpoint((phase2OutputsFor(env) as any).prometheusService, 'monitoring').url);
    });

    it('declares no NodePool, HPA or PDB (phase 2 and the service chart own them); hpaNames name every service', () => {
      const kinds = ev.resources.map((r) => `${r.type} ${String((r.inputs as any).kind ?? '')}`);
      for (const k of ['NodePool', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) assert.ok(!kinds.some((x) => x.includes(k)), k);
      assert.deepEqual(Object.keys(out.hpaNames).sort(), SERVICES.map((s) => s.name).sort());
      assert.deepEqual(out.dlmPolicyIds, []);
    });

    it('keeps the DR kubeconfig secret', () => {
      assert.ok(ev.secretOutputs.includes('drKubeconfig'));
      assert.match(String(out.drKubeconfig), /eks-token/);
    });
  });
}

describe('phase 8 (resilience) program, dev (no pilot-light cluster)', function () {
  this.timeout(120_000);
  it('plans backups, copies and failover records but no DR cluster, and outputs no DR cluster fields', async () => {
    const env = shippedEnv('dev');
    assert.equal(env.resilience!.drCluster.enabled, false);
    const { ev, out } = await run(env);
    assert.equal(byType(ev, 'aws:eks/cluster:Cluster').length, 0);
    assert.equal(byType(ev, 'aws:eks/nodeGroup:NodeGroup').length, 0);
    assert.equal(out.drClusterName, undefined);
    assert.equal(out.drKubeconfig, undefined);
    assert.equal(byType(ev, 'aws:backup/plan:Plan').length, 1);
  });
});
