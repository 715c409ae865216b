/**
 * Phase 2 against the review's findings (infra-review.md): W3 cluster-admin access entries for the
 * Identity Center roles; R2/R3/R14 ordering (a resource registers only after its dependsOn have
 * URNs, so registration order is a necessary condition of each dependency); R8 ClusterSecretStore
 * conditions; R15 maxPods; R16 no external-dns replicaCount; R17 the ACME e-mail; R18 gp3-retain and
 * deletion protection; R19 the key Secrets Manager secrets must use; R4 the GuardDuty agent add-on.
 */
import { strict as assert } from 'node:assert';
import { ClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';
import { EC2NodeClass } from '@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass';
import type { CapturedResource, Evaluation } from '../../src/engine/simulate/evaluate.js';
import { acmeEmailFor, isReservedEmail, phase } from '../../programs/02-cluster/phase.js';
import { ssoRoleNameRegex } from '../../programs/02-cluster/cluster.js';
import { GUARDDUTY_FEATURES } from '../../programs/01-foundation/security.js';
import { byType, customResources, one, release, runPhase2, values } from './phase-02-run.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { phase1OutputsFor, shippedEnv } from './phase-02-upstream.js';

const devEnv = shippedEnv('dev');
const prodEnv = shippedEnv('prod');

/** Position of a resource in registration order. */
function position(ev: Evaluation, pick: (r: CapturedResource) => boolean, what: string): number {
  const i = ev.resources.findIndex(pick);
  assert.ok(i >= 0, `${what} is planned`);
  return i;
}
const named = (type: string, name: string) => (r: CapturedResource) => r.type === type && r.name === name;

for (const env of [devEnv, prodEnv]) {
  describe(`phase 2 review fixes, ${env.name}`, () => {
    it('gives the PlatformAdmin and PlatformBreakGlass Identity Center roles cluster-admin access entries (W3)', async () => {
      const r = await runPhase2(env);
      const entries = one(r.ev, 'eks:index:Cluster').inputs.accessEntries as Record<string, any>;
      for (const [key, set] of [['platformAdmins', 'PlatformAdmin'], ['breakGlass', 'PlatformBreakGlass']] as const) {
        const e = entries[key];
        assert.match(e.principalArn, new RegExp(`^arn:aws:iam::${env.accountId}:role/aws-reserved/sso\\.amazonaws\\.com/(.+/)?AWSReservedSSO_${set}_[0-9a-f]+$`));
        assert.equal(e.type, 'STANDARD');
        assert.deepEqual(e.accessPolicies.admin, { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy', accessScope: { type: 'cluster' } });
      }
      assert.match('AWSReservedSSO_PlatformAdmin_0123456789abcdef', new RegExp(ssoRoleNameRegex('PlatformAdmin')));
      assert.doesNotMatch('AWSReservedSSO_PlatformAdminX_0123456789abcdef', new RegExp(ssoRoleNameRegex('PlatformAdmin')));
    });

    it('installs ExternalDNS after the Istio CRDs (R2), CoreDNS after the system nodes and snapshot-controller after the NodePools (R3)', async () => {
      const { ev } = await runPhase2(env);
      const REL = 'kubernetes:helm.sh/v3:Release';
      assert.ok(position(ev, named(REL, 'istio-base'), 'istio-base') < position(ev, named(REL, 'external-dns'), 'external-dns'));
      const nodes = position(ev, named('eks:index:ManagedNodeGroup', 'system-nodes'), 'system nodes');
      const addon = (n: string) => position(ev, (r) => r.type === 'aws:eks/addon:Addon' && r.inputs.addonName === n, n);
      assert.ok(nodes < addon('coredns'));
      const pools = customResources(ev, 'NodePool').map((p) => ev.resources.indexOf(p));
      assert.ok(Math.max(...pools) < addon('snapshot-controller'));
      const cfg = JSON.parse(String(byType(ev, 'aws:eks/addon:Addon').find((a) => a.inputs.addonName === 'coredns')!.inputs.configurationValues));
      assert.deepEqual(cfg.tolerations, [{ key: 'CriticalAddonsOnly', operator: 'Exists', effect: 'NoSchedule' }]);
    });

    it('runs sidecars on the Istio CNI node agent, so app namespaces need no NET_ADMIN (R10)', async () => {
      const { ev } = await runPhase2(env);
      const cni = release(ev, 'istio-cni');
      assert.equal(cni.inputs.chart, 'cni');
      assert.equal(cni.inputs.namespace, 'istio-system');
      assert.equal(values(release(ev, 'istiod')).pilot.cni.enabled, true);
      const REL = 'kubernetes:helm.sh/v3:Release';
      assert.ok(position(ev, named(REL, 'istio-cni'), 'istio-cni') < position(ev, named(REL, 'istiod'), 'istiod'));
    });

    it('pre-creates the control-plane log group with the logs key and a year of retention (R14)', async () => {
      const r = await runPhase2(env);
      const lg = one(r.ev, 'aws:cloudwatch/logGroup:LogGroup', 'control-plane-logs');
      assert.equal(lg.inputs.name, `/aws/eks/${env.cluster.name}/cluster`);
      assert.equal(lg.inputs.kmsKeyId, r.inputs.foundation.kmsKeyArns.logs);
      assert.equal(lg.inputs.retentionInDays, 365);
      assert.ok(r.ev.resources.indexOf(lg) < position(r.ev, (x) => x.type === 'eks:index:Cluster', 'the EKS cluster'));
    });

    it('scopes the ClusterSecretStore to labelled namespaces and names the key its secrets need (R8, R19)', async () => {
      const r = await runPhase2(env);
      const [store] = customResources(r.ev, 'ClusterSecretStore');
      new ClusterSecretStore(store!.inputs as any).validate();
      const label = r.out.clusterSecretStoreNamespaceLabel;
      assert.deepEqual((store!.inputs.spec as any).conditions, [{ namespaceSelector: { matchLabels: { [label.key]: label.value } } }]);
      assert.equal(r.out.secretsManagerKmsKeyArn, r.inputs.foundation.kmsKeyArns.eksSecrets);
    });

    it('sets maxPods on Karpenter nodes (prefix delegation, R15) and no replicaCount for ExternalDNS (R16)', async () => {
      const r = await runPhase2(env);
      const [nc] = customResources(r.ev, 'EC2NodeClass');
      new EC2NodeClass(nc!.inputs as any).validate();
      assert.equal((nc!.inputs.spec as any).kubelet.maxPods, 110);
      assert.equal(values(release(r.ev, 'external-dns')).replicaCount, undefined);
    });

    it('adds a gp3-retain class beside the default, and takes deletion protection from the env file (R18)', async () => {
      const r = await runPhase2(env);
      const retain = one(r.ev, 'kubernetes:storage.k8s.io/v1:StorageClass', 'gp3-retain');
      assert.equal(retain.inputs.reclaimPolicy, 'Retain');
      assert.equal((retain.inputs.metadata as any).annotations, undefined, 'not the default class');
      assert.equal((retain.inputs.parameters as any).kmsKeyId, r.inputs.foundation.kmsKeyArns.ebs);
      assert.equal(r.out.retainStorageClass, 'gp3-retain');
      assert.equal(one(r.ev, 'eks:index:Cluster').inputs.deletionProtection, env.name === 'prod');
    });

    it('installs the GuardDuty runtime agent add-on phase 1 leaves to it, after the system nodes (R4)', async () => {
      // Phase 1 enables runtime monitoring with GuardDuty's own add-on management off.
      assert.ok(GUARDDUTY_FEATURES.includes('RUNTIME_MONITORING'));
      const { ev } = await runPhase2(env);
      const agents = byType(ev, 'aws:eks/addon:Addon').filter((a) => a.inputs.addonName === 'aws-guardduty-agent');
      assert.equal(agents.length, 1, 'exactly one aws-guardduty-agent add-on');
      const agent = agents[0]!;
      const coredns = byType(ev, 'aws:eks/addon:Addon').find((a) => a.inputs.addonName === 'coredns')!;
      assert.ok(agent.inputs.clusterName, 'names its cluster');
      assert.equal(agent.inputs.clusterName, coredns.inputs.clusterName, 'the same cluster as the other add-ons');
      assert.equal(agent.inputs.resolveConflictsOnCreate, 'OVERWRITE');
      const nodes = position(ev, named('eks:index:ManagedNodeGroup', 'system-nodes'), 'system nodes');
      assert.ok(nodes < ev.resources.indexOf(agent), 'the agent registers after the system node group it depends on');
    });
  });
}

describe('phase 2: a private API the deploy runner can reach (item 4, B5)', () => {
  it('admits the runner security group on 443 to the cluster security group where the API is private', async () => {
    const prod = await runPhase2(prodEnv);
    const rule = one(prod.ev, 'aws:ec2/securityGroupRule:SecurityGroupRule', 'runner-to-api');
    assert.deepEqual(
      { type: rule.inputs.type, protocol: rule.inputs.protocol, fromPort: rule.inputs.fromPort, toPort: rule.inputs.toPort },
      { type: 'ingress', protocol: 'tcp', fromPort: 443, toPort: 443 },
    );
    assert.equal(rule.inputs.sourceSecurityGroupId, prod.inputs.foundation.runnerSecurityGroupId);
    assert.equal(rule.inputs.securityGroupId, prod.out.clusterSecurityGroupId);
    const dev = await runPhase2(devEnv);
    assert.equal(byType(dev.ev, 'aws:ec2/securityGroupRule:SecurityGroupRule').length, 0, 'dev reaches its public endpoint from its CIDRs');
  });

  it('refuses a private-API env whose phase 1 built no runner, naming the output and the fix', () => {
    const upstream = { ...phase1OutputsFor(prodEnv), runnerSecurityGroupId: '' };
    assert.throws(
      () => phase.inputs({ env: prodEnv, upstream: { 1: upstream }, simulated: true }),
      (e: any) => e.code === 'dependency-check' && e.value === 'runnerSecurityGroupId' && /platform up --phase 1 --env prod/.test(e.hint),
    );
  });
});

describe('phase 2 ACME e-mail (R17)', () => {
  const ctx = (simulated: boolean, acmeEmail?: string) => {
    const env = structuredClone(devEnv);
    if (acmeEmail) env.cluster.acmeEmail = acmeEmail;
    return { env, organization: organizationFor(env).config, upstream: { 1: phase1OutputsFor(env) }, simulated };
  };

  it('recognises reserved domains and nothing else', () => {
    for (const e of ['aws+acme@example.com', 'a@sub.example.org', 'a@host.test', 'a@x.invalid']) assert.ok(isReservedEmail(e), e);
    for (const e of ['ops@acme.io', 'a@notexample.com', 'a@example.com.au']) assert.ok(!isReservedEmail(e), e);
  });

  it('refuses a reserved-domain contact for a real deploy, naming the field and the fix', () => {
    assert.throws(() => phase.inputs(ctx(false)), (e: any) => e.code === 'config-invalid' && e.value === 'cluster.acmeEmail' && /stacks\/dev\.yaml/.test(e.hint) && /aws\+acme@example\.com/.test(e.message));
  });

  it('plans offline with the template address, and uses cluster.acmeEmail when set', () => {
    assert.equal(phase.inputs(ctx(true)).acmeEmail, 'aws+acme@example.com');
    assert.equal(acmeEmailFor(ctx(false, 'platform-team@acme.io')), 'platform-team@acme.io');
    assert.equal(phase.inputs(ctx(false, 'platform-team@acme.io')).acmeEmail, 'platform-team@acme.io');
  });
});
