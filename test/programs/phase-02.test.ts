/**
 * Phase 2 under Pulumi mocks, for a dev-like and a prod-like env fed with phase-1 outputs of the
 * contract's shape: the cluster's endpoint, encryption, logs and auth mode; IMDSv2 and encrypted gp3
 * everywhere a node or volume comes from; every chart pinned to its exact version; DNS-01 issuers and
 * ExternalDNS limited to the env's zones; Karpenter pools with limits and the interruption queue;
 * mesh-wide STRICT mTLS; Pod Identity roles without `*`; prod's stricter settings; the kubeconfig
 * output secret; and the outputs passing the phase's own schema.
 */
import { strict as assert } from 'node:assert';
import { ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1';
import type { EnvConfig } from '../../src/core/env.js';
import { phase } from '../../programs/02-cluster/phase.js';
import { chartPins } from '../../programs/02-cluster/versions.js';
import { serviceAccounts } from '../../programs/02-cluster/roles.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { phase1OutputsFor, shippedEnv } from './phase-02-upstream.js';
import { byType, customResources, one, release, releases, runPhase2, values, type Run } from './phase-02-run.js';
import { allowed, type Endpoint, type Policy } from './network-flows.js';

const devEnv = shippedEnv('dev');
const prodEnv = shippedEnv('prod');

const run = (env: EnvConfig) => runPhase2(env);

describe('phase 2 (cluster) inputs', () => {
  it('are plain JSON built from the env file and phase 1 outputs', () => {
    const inputs = phase.inputs({ env: devEnv, organization: organizationFor(devEnv).config, upstream: { 1: phase1OutputsFor(devEnv) }, simulated: true });
    assert.deepEqual(JSON.parse(JSON.stringify(inputs)), inputs);
    assert.equal(inputs.deployRoleArn, `arn:aws:iam::${devEnv.accountId}:role/platform-deployer`);
    assert.deepEqual(inputs.domains, { apex: 'dev.example.com', api: 'api.dev.example.com' });
  });

  it('refuse missing phase 1 outputs, naming the phase and the fix', () => {
    assert.throws(
      () => phase.inputs({ env: devEnv, organization: organizationFor(devEnv).config, upstream: {}, simulated: true }),
      (e: any) => e.code === 'dependency-check' && /phase 1/.test(e.message) && /platform up --phase 1 --env dev/.test(e.hint),
    );
  });

  it('refuse a phase 1 output of the wrong shape, naming the field', () => {
    const bad = { ...phase1OutputsFor(devEnv), hostedZoneIds: { apex: 'Z1' } };
    assert.throws(
      () => phase.inputs({ env: devEnv, organization: organizationFor(devEnv).config, upstream: { 1: bad }, simulated: true }),
      (e: any) => e.code === 'dependency-check' && e.value === 'hostedZoneIds.api' && /hostedZoneIds\.api/.test(e.message),
    );
  });
});

for (const env of [devEnv, prodEnv]) {
  describe(`phase 2 (cluster) program, ${env.name}`, () => {
    let r: Run;
    before(async () => {
      r = await run(env);
    });

    it('returns outputs that pass its schema, with the kubeconfig as a secret', () => {
      assert.deepEqual(r.ev.secretOutputs, ['kubeconfig']);
      assert.deepEqual(phase.secretOutputs, ['kubeconfig']);
      assert.equal(r.out.clusterName, env.cluster.name);
      assert.match(r.out.oidcProviderArn, /:oidc-provider\/oidc\.eks\./);
      assert.deepEqual(r.out.istio.ingressGatewaySelector, { istio: 'ingressgateway' });
      assert.match(r.out.istio.ingressLbHostname, /\.elb\..+\.amazonaws\.com$/);
    });

    it('puts every AWS resource behind the provider that assumes the deploy role in the env account only', () => {
      const [prov] = byType(r.ev, 'pulumi:providers:aws');
      assert.ok(prov, 'an explicit aws provider');
      // Provider inputs reach the mock JSON-encoded.
      assert.deepEqual(JSON.parse(String(prov!.inputs.allowedAccountIds)), [env.accountId]);
      const assumed = JSON.parse(String(prov!.inputs.assumeRoles)) as Array<{ roleArn: string }>;
      assert.equal(assumed[0]!.roleArn, `arn:aws:iam::${env.accountId}:role/platform-deployer`);
      for (const res of r.ev.resources.filter((x) => x.type.startsWith('aws:') && x.custom)) {
        assert.ok(res.provider?.includes('pulumi:providers:aws::aws-env'), `${res.type} ${res.name} uses the env provider`);
      }
      for (const res of r.ev.resources.filter((x) => x.type.startsWith('kubernetes:'))) {
        assert.ok(res.provider?.includes('pulumi:providers:kubernetes::k8s'), `${res.type} ${res.name} uses the cluster's k8s provider`);
      }
    });

    it('creates the cluster with a private endpoint, KMS envelope encryption, all logs, API auth and standard support', () => {
      const c = one(r.ev, 'eks:index:Cluster');
      assert.equal(c.inputs.endpointPrivateAccess, true);
      assert.equal(c.inputs.endpointPublicAccess, env.cluster.endpointPublicAccess);
      if (env.cluster.endpointPublicAccess) {
        assert.deepEqual(c.inputs.publicAccessCidrs, env.cluster.publicAccessCidrs);
        assert.ok(!(c.inputs.publicAccessCidrs as string[]).includes('0.0.0.0/0'));
      } else {
        assert.equal(c.inputs.publicAccessCidrs, undefined);
      }
      assert.equal(c.inputs.encryptionConfigKeyArn, r.inputs.foundation.kmsKeyArns.eksSecrets);
      assert.deepEqual(c.inputs.enabledClusterLogTypes, ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
      assert.equal(c.inputs.authenticationMode, 'API');
      assert.equal(c.inputs.roleMappings, undefined, 'no aws-auth role mappings');
      assert.deepEqual(c.inputs.upgradePolicy, { supportType: 'STANDARD' });
      assert.equal(c.inputs.createOidcProvider, true);
      assert.equal(c.inputs.skipDefaultNodeGroup, true);
      assert.deepEqual(c.inputs.privateSubnetIds, r.inputs.foundation.privateSubnetIds);
      assert.equal(c.inputs.version, env.cluster.version);
      const entries = c.inputs.accessEntries as Record<string, any>;
      assert.equal(entries.karpenterNodes.principalArn, r.inputs.foundation.karpenterNodeRoleArn);
      assert.equal(entries.karpenterNodes.type, 'EC2_LINUX');
      assert.match(entries.verifier.accessPolicies.view.policyArn, /AmazonEKSViewPolicy$/);
    });

    it('runs system nodes in the private subnets with IMDSv2 required and KMS-encrypted gp3 roots', () => {
      const ng = one(r.ev, 'eks:index:ManagedNodeGroup');
      assert.deepEqual(ng.inputs.subnetIds, r.inputs.foundation.privateSubnetIds);
      assert.deepEqual(ng.inputs.scalingConfig, {
        minSize: env.cluster.systemNodes.min,
        desiredSize: env.cluster.systemNodes.desired,
        maxSize: env.cluster.systemNodes.max,
      });
      assert.deepEqual(ng.inputs.instanceTypes, env.cluster.systemNodes.instanceTypes);
      const lt = one(r.ev, 'aws:ec2/launchTemplate:LaunchTemplate');
      assert.equal((ng.inputs.launchTemplate as any).id, lt.id);
      const md = lt.inputs.metadataOptions as any;
      assert.equal(md.httpTokens, 'required');
      assert.equal(md.httpPutResponseHopLimit, 1);
      const ebs = (lt.inputs.blockDeviceMappings as any[])[0].ebs;
      assert.equal(ebs.encrypted, 'true');
      assert.equal(ebs.volumeType, 'gp3');
      assert.equal(ebs.kmsKeyId, r.inputs.foundation.kmsKeyArns.ebs);
      assert.equal(ebs.volumeSize, env.cluster.systemNodes.diskSizeGiB);
    });

    it('installs the managed add-ons, with EBS CSI bound to its own role through Pod Identity', () => {
      const names = byType(r.ev, 'aws:eks/addon:Addon').map((a) => a.inputs.addonName).sort();
      assert.deepEqual(names, ['aws-ebs-csi-driver', 'aws-guardduty-agent', 'coredns', 'eks-pod-identity-agent', 'snapshot-controller']);
      const c = one(r.ev, 'eks:index:Cluster');
      assert.equal(c.inputs.useDefaultVpcCni, false, 'vpc-cni as a managed add-on');
      assert.equal((c.inputs.vpcCniOptions as any).enableNetworkPolicy, true);
      assert.equal((c.inputs.corednsAddonOptions as any).enabled, false, 'CoreDNS is created after the node group (R3)');
      assert.notEqual((c.inputs.kubeProxyAddonOptions as any).enabled, false);
      const ebsCsi = byType(r.ev, 'aws:eks/addon:Addon').find((a) => a.inputs.addonName === 'aws-ebs-csi-driver')!;
      const role = one(r.ev, 'aws:iam/role:Role', 'ebs-csi-role');
      assert.deepEqual(ebsCsi.inputs.podIdentityAssociations, [{ roleArn: role.state.arn, serviceAccount: 'ebs-csi-controller-sa' }]);
    });

    it('makes an encrypted gp3 class (phase 1 EBS key) the default and adds a VolumeSnapshotClass', () => {
      const sc = one(r.ev, 'kubernetes:storage.k8s.io/v1:StorageClass', 'gp3');
      new StorageClass(sc.inputs as any).validate();
      assert.equal((sc.inputs.metadata as any).annotations['storageclass.kubernetes.io/is-default-class'], 'true');
      assert.equal(sc.inputs.provisioner, 'ebs.csi.aws.com');
      const p = sc.inputs.parameters as Record<string, string>;
      assert.equal(p.type, 'gp3');
      assert.equal(p.encrypted, 'true');
      assert.equal(p.kmsKeyId, r.inputs.foundation.kmsKeyArns.ebs);
      const [vsc] = customResources(r.ev, 'VolumeSnapshotClass');
      assert.equal(vsc!.inputs.driver, 'ebs.csi.aws.com');
      assert.equal(r.out.defaultStorageClass, 'gp3');
    });

    it('pins every chart to the exact version of versions.ts', () => {
      const rel = releases(r.ev);
      assert.equal(rel.length, Object.keys(chartPins()).length, 'one release per pinned chart');
      const pins = new Map<string, { chart: string; version: string; repo?: string }>(Object.values(chartPins()).map((p) => [p.chart, p]));
      for (const x of rel) {
        const pin = pins.get(String(x.inputs.chart));
        assert.ok(pin, `${x.name} uses a pinned chart`);
        assert.match(String(x.inputs.version), /^v?\d+\.\d+\.\d+$/, `${x.name} has an exact version`);
        assert.equal(x.inputs.version, pin!.version);
        if (pin!.repo) assert.equal((x.inputs.repositoryOpts as any).repo, pin!.repo);
        else assert.match(String(x.inputs.chart), /^oci:\/\//);
      }
    });

    it("issues certificates via DNS-01 on Route53 in the env's own zones only", () => {
      const issuers = customResources(r.ev, 'ClusterIssuer');
      assert.deepEqual(issuers.map((i) => (i.inputs.metadata as any).name).sort(), ['letsencrypt-prod', 'letsencrypt-staging']);
      const zones = r.inputs.foundation.hostedZoneIds;
      for (const i of issuers) {
        new ClusterIssuer(i.inputs as any).validate();
        const acme = (i.inputs.spec as any).acme;
        assert.match(acme.server, /^https:\/\/acme(-staging)?-v02\.api\.letsencrypt\.org\/directory$/);
        for (const s of acme.solvers) {
          assert.equal(s.http01, undefined);
          assert.equal(s.dns01.route53.region, env.regions.primary);
          assert.equal(s.dns01.route53.accessKeyID, undefined, 'ambient Pod Identity credentials, no keys');
        }
        const byZone = Object.fromEntries(acme.solvers.map((s: any) => [s.selector.dnsZones[0], s.dns01.route53.hostedZoneID]));
        assert.deepEqual(byZone, { [env.domain]: zones.apex, [`api.${env.domain}`]: zones.api });
      }
      assert.equal(values(release(r.ev, 'cert-manager')).crds.enabled, true);
    });

    it("limits ExternalDNS to the env's zones with TXT ownership by this cluster", () => {
      const v = values(release(r.ev, 'external-dns'));
      const zones = r.inputs.foundation.hostedZoneIds;
      assert.deepEqual(v.domainFilters, [env.domain, `api.${env.domain}`]);
      assert.deepEqual(v.extraArgs.filter((a: string) => a.startsWith('--zone-id-filter=')).sort(), [`--zone-id-filter=${zones.apex}`, `--zone-id-filter=${zones.api}`].sort());
      assert.equal(v.registry, 'txt');
      assert.equal(v.txtOwnerId, env.cluster.name);
      assert.equal(v.provider.name, 'aws');
    });

    it('runs Karpenter with the interruption queue and NodePools with limits', () => {
      const v = values(release(r.ev, 'karpenter'));
      assert.equal(v.settings.interruptionQueue, r.inputs.foundation.interruptionQueueName);
      assert.equal(v.settings.clusterName, env.cluster.name);
      const pools = customResources(r.ev, 'NodePool');
      assert.ok(pools.length >= 1);
      for (const p of pools) {
        const spec = p.inputs.spec as any;
        assert.deepEqual(spec.limits, { cpu: String(env.cluster.karpenterLimits.cpu), memory: `${env.cluster.karpenterLimits.memoryGiB}Gi` });
        assert.equal(spec.template.spec.nodeClassRef.name, 'default');
      }
      const capacity = pools.map((p) => (p.inputs.spec as any).template.spec.requirements.find((q: any) => q.key === 'karpenter.sh/capacity-type').values).flat();
      assert.deepEqual(capacity.sort(), env.cluster.spot ? ['on-demand', 'spot'] : ['on-demand']);
      assert.deepEqual(r.out.karpenter.nodePools.sort(), capacity.sort());
      const [nc] = customResources(r.ev, 'EC2NodeClass');
      const ncs = nc!.inputs.spec as any;
      assert.equal(ncs.metadataOptions.httpTokens, 'required');
      assert.equal(ncs.blockDeviceMappings[0].ebs.encrypted, true);
      assert.equal(ncs.blockDeviceMappings[0].ebs.kmsKeyID, r.inputs.foundation.kmsKeyArns.ebs);
      assert.equal(ncs.role, r.inputs.foundation.karpenterNodeRoleName);
      assert.doesNotMatch(ncs.amiSelectorTerms[0].alias, /@latest$/);
    });

    it('enforces STRICT mTLS mesh-wide: PeerAuthentication default in istio-system without selector', () => {
      const pas = customResources(r.ev, 'PeerAuthentication');
      assert.equal(pas.length, 1);
      const pa = pas[0]!.inputs as any;
      new PeerAuthentication(pa).validate();
      assert.equal(pa.metadata.namespace, 'istio-system');
      assert.equal(pa.spec.selector, undefined);
      assert.equal(pa.spec.mtls.mode, 'STRICT');
      assert.equal(pa.spec.portLevelMtls, undefined);
    });

    it('gives each controller a Pod Identity role for this cluster only, with phase 1 policies and no `*` actions', () => {
      const roles = byType(r.ev, 'aws:iam/role:Role').filter((x) => x.name !== 'cluster-role');
      assert.equal(roles.length, 7);
      const clusterArn = r.out.clusterArn;
      for (const role of roles) {
        const doc = JSON.parse(String(role.inputs.assumeRolePolicy));
        const key = Object.keys(serviceAccounts).find((k) => role.name === `${k.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}-role`)!;
        const sa = serviceAccounts[key as keyof typeof serviceAccounts];
        for (const st of doc.Statement) {
          assert.deepEqual(st.Principal, { Service: 'pods.eks.amazonaws.com' });
          assert.deepEqual(st.Action, ['sts:AssumeRole', 'sts:TagSession']);
          // The documented Pod Identity session tags (B8, R9): this cluster, this one service account.
          assert.deepEqual(st.Condition, {
            StringEquals: {
              'aws:SourceAccount': env.accountId,
              'aws:RequestTag/eks-cluster-arn': clusterArn,
              'aws:RequestTag/kubernetes-namespace': sa.namespace,
              'aws:RequestTag/kubernetes-service-account': sa.serviceAccount,
            },
          });
        }
        assert.equal(role.inputs.inlinePolicies, undefined);
        assert.equal(role.inputs.managedPolicyArns, undefined);
      }
      for (const doc of [...roles.map((x) => x.inputs.assumeRolePolicy), ...byType(r.ev, 'aws:iam/rolePolicy:RolePolicy').map((x) => x.inputs.policy)]) {
        for (const st of JSON.parse(String(doc)).Statement) {
          for (const a of [st.Action].flat()) assert.ok(!String(a).includes('*'), `no wildcard action (${a})`);
        }
      }
      const f = r.inputs.foundation;
      const attached = byType(r.ev, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').map((x) => x.inputs.policyArn).sort();
      const allowed = [
        'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
        f.ebsCsiKmsPolicyArn,
        ...f.karpenterControllerPolicyArns,
        f.lbcPolicyArn,
        f.externalDnsPolicyArn,
        f.certManagerPolicyArn,
        f.externalSecretsPolicyArn,
        f.lokiPolicyArn,
      ].sort();
      assert.deepEqual(attached, allowed);
    });

    it('binds each Pod Identity association to the service account its chart runs as', () => {
      const assoc = byType(r.ev, 'aws:eks/podIdentityAssociation:PodIdentityAssociation');
      assert.equal(assoc.length, 6);
      const saOf: Record<string, (v: any) => string> = {
        karpenter: (v) => v.serviceAccount.name,
        'aws-load-balancer-controller': (v) => v.serviceAccount.name,
        'external-dns': (v) => v.serviceAccount.name,
        'cert-manager': (v) => v.serviceAccount.name,
        'external-secrets': (v) => v.serviceAccount.name,
        loki: (v) => v.serviceAccount.name,
      };
      for (const [rel, sa] of Object.entries(saOf)) {
        const x = release(r.ev, rel);
        const bound = assoc.find((a) => a.inputs.namespace === x.inputs.namespace && a.inputs.serviceAccount === sa(values(x)));
        assert.ok(bound, `${rel}: an association for ${x.inputs.namespace}/${sa(values(x))}`);
      }
      assert.equal(serviceAccounts.ebsCsi.serviceAccount, 'ebs-csi-controller-sa');
    });

    it('a default-deny namespace whose controller uses Pod Identity can still reach the agent (169.254.170.23:80)', () => {
      const policies = byType(r.ev, 'kubernetes:networking.k8s.io/v1:NetworkPolicy').map((p) => p.inputs as any);
      const denied = new Set(policies.filter((p) => p.metadata.name === 'default-deny').map((p) => p.metadata.namespace as string));
      const reachesAgent = (ns: string) =>
        policies.some(
          (p) =>
            p.metadata.namespace === ns &&
            Object.keys(p.spec.podSelector).length === 0 &&
            (p.spec.egress ?? []).some((e: any) => e.to?.some((t: any) => t.ipBlock?.cidr === '169.254.170.23/32') && e.ports?.some((x: any) => x.port === 80 && x.protocol === 'TCP')),
        );
      const identityNamespaces = byType(r.ev, 'aws:eks/podIdentityAssociation:PodIdentityAssociation').map((a) => a.inputs.namespace as string);
      const guarded = identityNamespaces.filter((ns) => denied.has(ns));
      assert.deepEqual([...new Set(guarded)].sort(), ['cert-manager', 'external-dns', 'external-secrets', 'loki']);
      for (const ns of guarded) assert.ok(reachesAgent(ns), `${ns}: default-deny without egress to the Pod Identity agent`);
    });

    it('lets through the flows the controllers of the guarded namespaces need, and nothing broader', () => {
      const policies = byType(r.ev, 'kubernetes:networking.k8s.io/v1:NetworkPolicy').map((p) => p.inputs as unknown as Policy);
      const pod = (ns: string, labels: Record<string, string>): Endpoint => ({ ns, labels });
      // Pod labels as the charts set them (network-policies.ts names the chart sources).
      const eso = pod('external-secrets', { 'app.kubernetes.io/name': 'external-secrets' });
      const esoWebhook = pod('external-secrets', { 'app.kubernetes.io/name': 'external-secrets-webhook' });
      const prometheus = pod('monitoring', { 'app.kubernetes.io/name': 'prometheus', prometheus: 'kube-prometheus-stack-prometheus' });
      const grafana = pod('monitoring', { 'app.kubernetes.io/name': 'grafana' });
      const alertmanager = pod('monitoring', { 'app.kubernetes.io/name': 'alertmanager' });
      const operator = pod('monitoring', { app: 'kube-prometheus-stack-operator', 'app.kubernetes.io/name': 'kube-prometheus-stack-prometheus-operator' });
      const adapter = pod('monitoring', { 'app.kubernetes.io/name': 'prometheus-adapter' });
      const gateway = pod('loki', { 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/component': 'gateway' });
      const lokiWrite = pod('loki', { 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/component': 'write' });
      const lokiBackend = pod('loki', { 'app.kubernetes.io/name': 'loki', 'app.kubernetes.io/component': 'backend' });
      const alloy = pod('loki', { 'app.kubernetes.io/name': 'alloy' });
      const certManager = pod('cert-manager', { 'app.kubernetes.io/name': 'cert-manager' });
      const externalDns = pod('external-dns', { 'app.kubernetes.io/name': 'external-dns' });
      const stranger = pod('apps', { app: 'web' });
      const collector = pod('monitoring', { 'app.kubernetes.io/name': 'opentelemetry-collector', 'app.kubernetes.io/instance': 'otel-collector' });
      const tempo = pod('monitoring', { 'app.kubernetes.io/name': 'tempo' });
      const kubeDns = pod('kube-system', { 'k8s-app': 'kube-dns' });
      const apiServer: Endpoint = { ip: '10.0.12.34' }; // the control plane's ENI in the VPC
      const podIdentityAgent: Endpoint = { ip: '169.254.170.23' };
      const awsApi: Endpoint = { ip: '52.94.0.10' };
      const flows: [string, Endpoint, Endpoint, number, string?][] = [
        ['API server -> ESO webhook', apiServer, esoWebhook, 10250],
        ['ESO -> Secrets Manager (443)', eso, awsApi, 443],
        ['ESO -> Pod Identity agent', eso, podIdentityAgent, 80],
        ['cert-manager -> Pod Identity agent', certManager, podIdentityAgent, 80],
        ['ExternalDNS -> Pod Identity agent', externalDns, podIdentityAgent, 80],
        ['Loki -> Pod Identity agent', lokiWrite, podIdentityAgent, 80],
        ['Grafana -> CoreDNS', grafana, kubeDns, 53, 'UDP'],
        ['Prometheus scrapes ESO metrics', prometheus, eso, 8080],
        ['Prometheus scrapes ExternalDNS', prometheus, externalDns, 7979],
        ['Prometheus scrapes Loki', prometheus, lokiWrite, 3100],
        ['Prometheus scrapes Alloy', prometheus, alloy, 12345],
        ['Prometheus scrapes a kubelet', prometheus, { ip: '10.0.40.7' }, 10250],
        ['Prometheus -> Alertmanager', prometheus, alertmanager, 9093],
        ['Alertmanager mesh', alertmanager, alertmanager, 9094],
        ['Grafana -> Prometheus', grafana, prometheus, 9090],
        ['Grafana -> Loki gateway', grafana, gateway, 8080],
        ['API server -> operator webhook', apiServer, operator, 10250],
        ['API server -> adapter (metrics API)', apiServer, adapter, 6443],
        ['Alloy -> Loki gateway', alloy, gateway, 8080],
        ['Loki memberlist', lokiWrite, lokiBackend, 7946],
        ['an app sidecar -> OTel collector (OTLP gRPC)', stranger, collector, 4317],
        // The ingress gateway's own egress comes from its chart's policy (global.networkPolicy: all egress), not modelled here.
        ['an app sidecar -> OTel collector (OTLP HTTP)', stranger, collector, 4318],
        ['OTel collector -> Tempo', collector, tempo, 4317],
        ['Grafana -> Tempo', grafana, tempo, 3200],
      ];
      const refused: [string, Endpoint, Endpoint, number][] = [
        ['a stranger -> ESO metrics', stranger, eso, 8080],
        ['a stranger -> Loki gateway', stranger, gateway, 8080],
        ['cert-manager -> Loki gateway', certManager, gateway, 8080],
        ['API server -> Prometheus', apiServer, prometheus, 9090],
        ['Grafana -> Pod Identity agent (no role)', grafana, podIdentityAgent, 80],
        ['ESO -> Pod Identity agent on another port', eso, podIdentityAgent, 8080],
        ['Grafana -> Loki write path directly', grafana, lokiWrite, 3100],
        ['ESO -> a pod elsewhere on 8080', eso, stranger, 8080],
        ['an app -> Prometheus', stranger, prometheus, 9090],
        ['an app -> Tempo directly', stranger, tempo, 4317],
      ];
      assert.deepEqual(flows.filter(([, a, b, port, proto]) => !allowed(policies, a, b, port, proto)).map(([n]) => n), [], 'needed flows refused');
      assert.deepEqual(refused.filter(([, a, b, port]) => allowed(policies, a, b, port)).map(([n]) => n), [], 'flows let through');
    });

    it('sets replicas, PDBs and restricted security contexts on the controllers', () => {
      const cm = values(release(r.ev, 'cert-manager'));
      assert.equal(cm.replicaCount, 2);
      assert.equal(cm.podDisruptionBudget.enabled, true);
      assert.equal(cm.containerSecurityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(cm.containerSecurityContext.capabilities.drop, ['ALL']);
      const eso = values(release(r.ev, 'external-secrets'));
      assert.equal(eso.replicaCount, 2);
      assert.equal(eso.securityContext.readOnlyRootFilesystem, true);
      const kps = values(release(r.ev, 'kube-prometheus-stack'));
      assert.equal(kps.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName, 'gp3');
      assert.equal(kps.kubeEtcd.enabled, false);
      assert.equal(values(release(r.ev, 'karpenter')).replicas, 2);
      assert.equal(values(release(r.ev, 'istio-ingress')).autoscaling.minReplicas, 2);
      const loki = values(release(r.ev, 'loki'));
      assert.deepEqual(loki.loki.storage.bucketNames, r.inputs.foundation.lokiBuckets);
      assert.match(values(release(r.ev, 'alloy')).alloy.configMap.content, /loki-gateway\.loki\.svc\.cluster\.local\/loki\/api\/v1\/push/);
    });
  });
}

describe('phase 2: prod is stricter than dev, from the env files alone', () => {
  let dev: Run;
  let prod: Run;
  before(async () => {
    dev = await run(devEnv);
    prod = await run(prodEnv);
  });

  it('closes the public endpoint in prod and keeps dev restricted to its CIDRs', () => {
    const d = one(dev.ev, 'eks:index:Cluster').inputs;
    const p = one(prod.ev, 'eks:index:Cluster').inputs;
    assert.equal(p.endpointPublicAccess, false);
    assert.equal(p.publicAccessCidrs, undefined);
    assert.equal(d.endpointPublicAccess, true);
    assert.deepEqual(d.publicAccessCidrs, devEnv.cluster.publicAccessCidrs);
  });

  it('uses no spot capacity in prod', () => {
    const spot = (x: Run) => customResources(x.ev, 'NodePool').filter((n) => JSON.stringify(n.inputs.spec).includes('"spot"'));
    assert.equal(spot(prod).length, 0);
    assert.equal(spot(dev).length, 1);
  });
});
