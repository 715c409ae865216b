/**
 * For every rule: a violating fixture the rule catches (at the expected property) and a passing one.
 * Each bad fixture breaks one thing in a copy of the secure baseline; each good fixture is the
 * baseline or a variant the rule must accept (an exception it allows).
 */
import { strict as assert } from 'node:assert';
import { runChecks } from '../../src/checks/runner.js';
import { allRules } from '../../src/checks/rules/index.js';
import { add, baseline, env, mutate, NOW, res, without, type Planned } from './fixtures.js';
import { helmRenderer, type ChartRenderer } from '../../src/checks/charts/render.js';
import { metricsServerRelease, REPO } from './chart-fixtures.js';

interface Case {
  bad: Planned[];
  /** Expected finding: resource name and property (a prefix is enough). */
  at: [name: string, property: string];
  good?: Planned[];
  /**
   * Rules over rendered charts: the renderer for the bad fixture and `good` (the real Helm and module
   * charts of the test toolchain); `good` then stands alone (the baseline's charts have no offline source).
   */
  charts?: ChartRenderer;
}

const realCharts = helmRenderer({ root: REPO, kubeVersion: '1.35' });

const pod = (i: Record<string, any>) => i.spec.template.spec;
const container = (i: Record<string, any>) => pod(i).containers[0];
const allow = (Action: unknown, Resource: unknown) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] });

const slrKeyPolicy = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' },
    { Sid: 'AutoScalingServiceLinkedRoleUse', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling' }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' },
  ],
};

const ACCESS_LOG_TAG = { 'platform:role': 's3-access-logs' };
/** The baseline with access-logs-prod (the target of logs-prod-logging) on SSE-S3; tagged unless told. */
function accessLogBucket(opts: { tagged?: boolean; from?: Planned[] } = {}): Planned[] {
  const g = mutate('access-logs-prod-sse', (i) => (i.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }]), opts.from);
  return opts.tagged === false ? g : mutate('access-logs-prod', (i) => (i.tags = { ...ACCESS_LOG_TAG }), g);
}

const cases: Record<string, Case> = {
  'eks-endpoint-private': { bad: mutate('cluster', (i) => delete i.endpointPublicAccess), at: ['cluster', 'endpointPublicAccess'], good: mutate('raw-cluster', (i) => (i.vpcConfig.endpointPublicAccess = false)) },
  'eks-public-endpoint-cidrs': {
    bad: mutate('raw-cluster', (i) => Object.assign(i.vpcConfig, { endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'] })),
    at: ['raw-cluster', 'vpcConfig.publicAccessCidrs'],
    good: mutate('raw-cluster', (i) => Object.assign(i.vpcConfig, { endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] })),
  },
  'eks-secrets-encryption': { bad: mutate('raw-cluster', (i) => (i.encryptionConfig.resources = [])), at: ['raw-cluster', 'encryptionConfig.resources'] },
  'eks-control-plane-logging': { bad: mutate('cluster', (i) => (i.enabledClusterLogTypes = ['api'])), at: ['cluster', 'enabledClusterLogTypes'] },
  'eks-supported-version': { bad: mutate('cluster', (i) => (i.version = '1.31')), at: ['cluster', 'version'], good: mutate('cluster', (i) => (i.version = '1.35')) },
  'eks-nodegroup-no-open-ssh': {
    bad: mutate('raw-nodes', (i) => (i.remoteAccess = { ec2SshKey: 'ops' })),
    at: ['raw-nodes', 'remoteAccess.sourceSecurityGroupIds'],
    good: mutate('raw-nodes', (i) => (i.remoteAccess = { ec2SshKey: 'ops', sourceSecurityGroupIds: ['sg-ops'] })),
  },
  'ec2-imdsv2-required': { bad: mutate('nodes-lt', (i) => (i.metadataOptions.httpTokens = 'optional')), at: ['nodes-lt', 'metadataOptions.httpTokens'], good: mutate('nodes-lt', (i) => (i.metadataOptions = { httpEndpoint: 'disabled' })) },
  'ec2-imds-hop-limit': { bad: mutate('bastionless', (i) => (i.metadataOptions.httpPutResponseHopLimit = 2)), at: ['bastionless', 'metadataOptions.httpPutResponseHopLimit'] },
  'ebs-encryption-by-default': { bad: mutate('ebs-default', (i) => (i.enabled = false)), at: ['ebs-default', 'enabled'] },
  'ebs-volume-encrypted': { bad: mutate('nodes-lt', (i) => delete i.blockDeviceMappings[0].ebs.encrypted), at: ['nodes-lt', 'blockDeviceMappings[0].ebs.encrypted'] },
  'ebs-customer-managed-key': { bad: mutate('bastionless', (i) => delete i.rootBlockDevice.kmsKeyId), at: ['bastionless', 'rootBlockDevice.kmsKeyId'] },
  'vpc-default-sg-closed': { bad: mutate('default-sg', (i) => (i.egress = [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }])), at: ['default-sg', 'egress'] },
  'sg-no-admin-ports-from-world': { bad: mutate('nodes', (i) => (i.ingress[0].cidrBlocks = ['0.0.0.0/0'])), at: ['nodes', 'ingress[0].cidrBlocks'] },
  'sg-no-public-ingress': {
    bad: mutate('nodes-webhook', (i) => (i.ipv6CidrBlocks = ['::/0'])),
    at: ['nodes-webhook', 'cidrBlocks'],
    good: add(res(1, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', 'lb-https', { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0', tags: { 'platform:exposure': 'public-load-balancer' } })),
  },
  'subnet-no-auto-public-ip': { bad: mutate('private-a', (i) => (i.mapPublicIpOnLaunch = true)), at: ['private-a', 'mapPublicIpOnLaunch'] },
  'vpc-flow-log-traffic': { bad: mutate('vpc-flow', (i) => (i.trafficType = 'ACCEPT')), at: ['vpc-flow', 'trafficType'], good: mutate('vpc-flow', (i) => (i.trafficType = 'REJECT')) },
  'vpc-flow-logs-enabled': {
    bad: add(res(1, 'awsx:ec2:Vpc', 'dr-vpc', { cidrBlock: '10.20.0.0/16' })),
    at: ['dr-vpc', '(flow log)'],
    good: add(res(1, 'awsx:ec2:Vpc', 'dr-vpc', { cidrBlock: '10.20.0.0/16' }), res(1, 'aws:ec2/flowLog:FlowLog', 'dr-flow', { vpcId: 'vpc-from-component-output', trafficType: 'ALL' })),
  },
  's3-public-access-block-present': { bad: without('logs-prod-pab'), at: ['logs-prod', '(companion)'] },
  's3-public-access-block-all': { bad: mutate('account-pab', (i) => (i.restrictPublicBuckets = false)), at: ['account-pab', 'restrictPublicBuckets'] },
  's3-encryption-present': { bad: without('access-logs-prod-sse'), at: ['access-logs-prod', '(companion)'] },
  's3-encryption-kms': {
    bad: mutate('logs-prod-sse', (i) => (i.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: 'AES256' })),
    at: ['logs-prod-sse', 'rules[0].applyServerSideEncryptionByDefault.sseAlgorithm'],
    // The access-log bucket (a BucketLogging target, tagged) may use SSE-S3: log delivery refuses SSE-KMS.
    good: accessLogBucket(),
  },
  's3-versioning-present': { bad: without('logs-prod-versioning'), at: ['logs-prod', '(companion)'] },
  's3-versioning-enabled': { bad: mutate('logs-prod-versioning', (i) => (i.versioningConfiguration.status = 'Suspended')), at: ['logs-prod-versioning', 'versioningConfiguration.status'] },
  's3-access-logging': { bad: without('logs-prod-logging'), at: ['logs-prod', '(companion)'] },
  's3-tls-only': {
    bad: mutate('logs-prod-policy', (i) => (i.policy = JSON.stringify(allow('s3:GetObject', 'arn:aws:s3:::logs-prod/*')))),
    at: ['logs-prod-policy', 'policy'],
  },
  's3-no-public-acl': { bad: mutate('logs-prod', (i) => (i.acl = 'public-read')), at: ['logs-prod', 'acl'], good: mutate('logs-prod', (i) => (i.acl = 'private')) },
  'cloudtrail-multi-region': { bad: mutate('trail', (i) => (i.isMultiRegionTrail = false)), at: ['trail', 'isMultiRegionTrail'] },
  'cloudtrail-log-validation': { bad: mutate('trail', (i) => delete i.enableLogFileValidation), at: ['trail', 'enableLogFileValidation'] },
  'cloudtrail-kms': { bad: mutate('trail', (i) => delete i.kmsKeyId), at: ['trail', 'kmsKeyId'] },
  'cloudtrail-cloudwatch-logs': { bad: mutate('trail', (i) => (i.enableLogging = false)), at: ['trail', 'enableLogging'] },
  'log-group-kms': { bad: mutate('flow', (i) => delete i.kmsKeyId), at: ['flow', 'kmsKeyId'] },
  'log-group-retention': { bad: mutate('flow', (i) => (i.retentionInDays = 30)), at: ['flow', 'retentionInDays'], good: mutate('flow', (i) => (i.retentionInDays = 0)) },
  'kms-key-rotation': { bad: mutate('eks-secrets', (i) => (i.enableKeyRotation = false)), at: ['eks-secrets', 'enableKeyRotation'] },
  'kms-key-policy-safe': {
    bad: mutate('eks-secrets', (i) => (i.policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }] }))),
    at: ['eks-secrets', 'policy.Statement[0].Principal'],
    good: mutate('eks-secrets', (i) => (i.policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } }] }))),
  },
  'ecr-immutable-tags': { bad: mutate('shop-images', (i) => (i.imageTagMutability = 'MUTABLE')), at: ['shop-images', 'imageTagMutability'] },
  'ecr-scan-on-push': { bad: mutate('shop-images', (i) => delete i.imageScanningConfiguration), at: ['shop-images', 'imageScanningConfiguration.scanOnPush'] },
  'ecr-kms': { bad: mutate('shop-images', (i) => (i.encryptionConfigurations = [{ encryptionType: 'AES256' }])), at: ['shop-images', 'encryptionConfigurations'] },
  'sqs-encrypted': { bad: mutate('interruptions', (i) => (i.sqsManagedSseEnabled = false)), at: ['interruptions', 'sqsManagedSseEnabled'], good: mutate('interruptions', (i) => Object.assign(i, { sqsManagedSseEnabled: false, kmsMasterKeyId: 'k' })) },
  'sns-encrypted': { bad: mutate('alerts', (i) => delete i.kmsMasterKeyId), at: ['alerts', 'kmsMasterKeyId'] },
  'guardduty-enabled': { bad: mutate('detector', (i) => (i.enable = false)), at: ['detector', 'enable'] },
  'backup-vault-kms': { bad: mutate('vault', (i) => delete i.kmsKeyArn), at: ['vault', 'kmsKeyArn'] },
  // A copy into the primary region (eu-west-1) is no DR copy; a copy to the DR region passes.
  'backup-plan-dr-copy': {
    bad: mutate('backup-plan', (i) => (i.rules[0].copyActions[0].destinationVaultArn = 'arn:aws:backup:eu-west-1:111111111111:backup-vault:platform-prod-copy')),
    at: ['backup-plan', 'rules[0].copyActions'],
    good: mutate('backup-plan', (i) => (i.rules[0].copyActions[0].lifecycle = { deleteAfter: 400 })),
  },
  'iam-no-admin-policy': { bad: mutate('external-dns', (i) => (i.policy = allow('*', '*'))), at: ['external-dns', 'policy.Statement[0].Action'] },
  'iam-no-wildcard-on-all-resources': {
    bad: mutate('node-role', (i) => (i.inlinePolicies[0].policy = JSON.stringify(allow(['s3:*'], '*')))),
    at: ['node-role', 'inlinePolicies[0].policy.Statement[0].Resource'],
    good: mutate('node-role', (i) => (i.inlinePolicies[0].policy = JSON.stringify(allow(['ec2:Describe*'], '*')))),
  },
  'iam-no-privilege-escalation': { bad: mutate('karpenter-pass', (i) => (i.policy = JSON.stringify(allow('iam:PassRole', '*')))), at: ['karpenter-pass', 'policy.Statement[0].Action'] },
  'iam-trust-specific-principals': {
    bad: mutate('node-role', (i) => (i.assumeRolePolicy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] }))),
    at: ['node-role', 'assumeRolePolicy.Statement[0].Principal'],
  },
  // Infra review B4: the EBS key named AWSServiceRoleForAutoScaling, absent in a fresh account.
  'policy-principal-slr-created': {
    bad: mutate('eks-secrets', (i) => (i.policy = JSON.stringify(slrKeyPolicy))),
    at: ['eks-secrets', 'policy.Statement[1].Principal.AWS'],
    good: add(res(1, 'aws:iam/serviceLinkedRole:ServiceLinkedRole', 'asg-slr', { awsServiceName: 'autoscaling.amazonaws.com' }), res(1, 'aws:kms/key:Key', 'ebs', { enableKeyRotation: true, policy: JSON.stringify(slrKeyPolicy) })),
  },
  // Infra review B5: stg/prod made the API private with nothing inside the VPC to reach it.
  'eks-private-endpoint-access-path': {
    bad: mutate('bastionless', (i) => delete i.tags),
    at: ['cluster', 'endpointPublicAccess'],
    good: mutate('cluster', (i) => (i.endpointPublicAccess = true), mutate('raw-cluster', (i) => (i.vpcConfig.endpointPublicAccess = true), without('runner-to-api', 'runner-to-raw-api'))),
  },
  'k8s-run-as-non-root': { bad: mutate('shop', (i) => (container(i).securityContext.runAsUser = 0)), at: ['shop', 'spec.template.spec.containers[0].securityContext.runAsUser'] },
  'k8s-no-privilege-escalation': { bad: mutate('shop', (i) => delete container(i).securityContext.allowPrivilegeEscalation), at: ['shop', 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation'] },
  'k8s-not-privileged': { bad: mutate('shop', (i) => (container(i).securityContext.privileged = true)), at: ['shop', 'spec.template.spec.containers[0].securityContext.privileged'] },
  'k8s-drop-all-capabilities': {
    bad: mutate('shop', (i) => (container(i).securityContext.capabilities = { drop: ['ALL'], add: ['NET_ADMIN'] })),
    at: ['shop', 'spec.template.spec.containers[0].securityContext.capabilities.add'],
    good: mutate('shop', (i) => (container(i).securityContext.capabilities = { drop: ['ALL'], add: ['NET_BIND_SERVICE'] })),
  },
  'k8s-read-only-root-fs': { bad: mutate('jobs', (i) => (i.objs[0].spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false)), at: ['jobs/CronJob/shop/report', 'objs[0].spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem'] },
  'k8s-resources': { bad: mutate('shop', (i) => delete container(i).resources.limits), at: ['shop', 'spec.template.spec.containers[0].resources'] },
  'k8s-seccomp-profile': { bad: mutate('shop', (i) => delete pod(i).securityContext.seccompProfile), at: ['shop', 'spec.template.spec.containers[0].securityContext.seccompProfile'] },
  'k8s-image-pinned': { bad: mutate('shop', (i) => (container(i).image = 'ghcr.io/acme/shop:latest')), at: ['shop', 'spec.template.spec.containers[0].image'], good: mutate('shop', (i) => (container(i).image = `ghcr.io/acme/shop@sha256:${'a'.repeat(64)}`)) },
  'k8s-no-host-path': { bad: mutate('shop', (i) => pod(i).volumes.push({ name: 'sock', hostPath: { path: '/var/run/docker.sock' } })), at: ['shop', 'spec.template.spec.volumes[1].hostPath'] },
  'k8s-no-host-namespaces': { bad: mutate('shop', (i) => (pod(i).hostNetwork = true)), at: ['shop', 'spec.template.spec.hostNetwork'] },
  'istio-mesh-strict-mtls': { bad: mutate('mesh-mtls', (i) => (i.spec.selector = { matchLabels: { app: 'x' } })), at: ['mesh-mtls', 'spec.selector'], good: without('mesh-mtls', 'istiod') },
  'istio-no-mtls-downgrade': {
    bad: add(res(5, 'kubernetes:security.istio.io/v1beta1:PeerAuthentication', 'legacy', { apiVersion: 'security.istio.io/v1beta1', kind: 'PeerAuthentication', metadata: { name: 'legacy', namespace: 'shop' }, spec: { mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } } })),
    at: ['legacy', 'spec.portLevelMtls.8080.mode'],
  },
  'k8s-default-deny-network-policy': {
    bad: mutate('shop-default-deny', (i) => (i.spec.podSelector = { matchLabels: { app: 'shop' } })),
    at: ['shop', 'metadata.namespace'],
  },
  'k8s-manifest-known-kind': {
    bad: add(res(4, 'kubernetes:kafka.strimzi.io/v1beta2:Kafka', 'events', { apiVersion: 'kafka.strimzi.io/v1beta2', kind: 'Kafka', metadata: { name: 'events' }, spec: {} })),
    at: ['events', 'kind'],
  },
  'k8s-manifest-schema': { bad: mutate('mesh-mtls', (i) => (i.spec.mtls.mode = 'STRICTT')), at: ['mesh-mtls', 'spec.mtls.mode'] },
  // Review B6: loki 12.0.1 was never released (the index goes 12.0.0 -> 13.0.0).
  'helm-chart-locked': {
    bad: add(res(2, 'kubernetes:helm.sh/v3:Release', 'loki', { chart: 'loki', version: '12.0.1', repositoryOpts: { repo: 'https://grafana-community.github.io/helm-charts' }, namespace: 'loki', values: {} })),
    at: ['loki', 'version'],
    good: add(res(2, 'kubernetes:helm.sh/v3:Release', 'loki', { chart: 'loki', version: '12.0.0', repositoryOpts: { repo: 'https://grafana-community.github.io/helm-charts' }, namespace: 'loki', values: {} })),
  },
  // Review B7: Alloy with a read-only root and no volume over its storage path /tmp/alloy.
  'helm-readonly-root-writable': {
    bad: mutate('alloy', (i) => {
      delete i.values.controller.volumes;
      delete i.values.alloy.mounts;
      delete i.values.alloy.storagePath;
    }),
    at: ['alloy', 'values.alloy.securityContext.readOnlyRootFilesystem'],
    good: mutate('alloy', (i) => Object.assign(i.values.alloy, { storagePath: '/var/lib/alloy/data', mounts: { extra: [{ name: 'tmp', mountPath: '/var/lib/alloy' }] } })),
  },
  // Review B8 + R9: the trust phase 2 shipped (cluster ARN as aws:SourceArn, no session tags).
  'iam-pod-identity-trust': {
    bad: mutate('karpenter-pod-role', (i) => {
      const doc = JSON.parse(i.assumeRolePolicy);
      doc.Statement[0].Condition = { StringEquals: { 'aws:SourceAccount': '111111111111' }, ArnEquals: { 'aws:SourceArn': 'arn:aws:eks:eu-west-1:111111111111:cluster/prod' } };
      i.assumeRolePolicy = JSON.stringify(doc);
    }),
    at: ['karpenter-pod-role', 'assumeRolePolicy.Statement[0].Condition'],
    good: mutate('karpenter-pod-role', (i) => {
      const doc = JSON.parse(i.assumeRolePolicy);
      const eq = doc.Statement[0].Condition.StringEquals;
      delete eq['aws:RequestTag/eks-cluster-arn'];
      eq['aws:RequestTag/eks-cluster-name'] = 'prod';
      i.assumeRolePolicy = JSON.stringify(doc);
    }),
  },
  // Review C2: phase 7 planned its own Alloy release beside phase 2's.
  'single-owner': {
    bad: add(res(7, 'kubernetes:helm.sh/v3:Release', 'log-shipper', { name: 'alloy', chart: 'alloy', version: '1.8.1', repositoryOpts: { repo: 'https://grafana.github.io/helm-charts' }, namespace: 'loki', values: {} })),
    at: ['log-shipper', 'name'],
    good: add(res(7, 'kubernetes:helm.sh/v3:Release', 'otel', { name: 'alloy', chart: 'alloy', version: '1.8.1', repositoryOpts: { repo: 'https://grafana.github.io/helm-charts' }, namespace: 'observability', values: {} })),
  },
  // Review B5: stg/prod private-only endpoints with nothing admitted to the cluster security group.
  'eks-private-endpoint-reachable': {
    bad: without('runner-to-api'),
    at: ['cluster', 'endpointPublicAccess'],
    good: mutate('cluster', (i) => Object.assign(i, { endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] }), without('runner-to-api')),
  },
  // Phase 9 (issue 17): the responders' functions, roles, targets and DLQs.
  'lambda-dead-letter-queue': { bad: mutate('fn', (i) => delete i.deadLetterConfig), at: ['fn', 'deadLetterConfig.targetArn'] },
  'lambda-concurrency-limit': { bad: mutate('fn', (i) => delete i.reservedConcurrentExecutions), at: ['fn', 'reservedConcurrentExecutions'] },
  'lambda-tracing': { bad: mutate('fn', (i) => (i.tracingConfig = { mode: 'PassThrough' })), at: ['fn', 'tracingConfig.mode'] },
  'lambda-env-kms': { bad: mutate('fn', (i) => delete i.kmsKeyArn), at: ['fn', 'kmsKeyArn'] },
  'lambda-role-least-privilege': {
    bad: mutate('fn-policy', (i) => (i.policy = JSON.stringify(allow(['ec2:DescribeInstances', 'ec2:CreateSnapshot'], '*')))),
    at: ['fn-policy', 'policy.Statement[0].Resource'],
    // The same policy on a role Lambda does not assume is for the generic IAM rules, not this one.
    good: mutate('fn-role', (i) => (i.assumeRolePolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] })), mutate('fn-policy', (i) => (i.policy = JSON.stringify(allow(['ec2:DescribeInstances', 'ec2:CreateSnapshot'], '*'))))),
  },
  'lambda-log-group-owned': { bad: without('fn-logs'), at: ['fn', 'loggingConfig.logGroup'] },
  'event-target-dead-letter': {
    bad: mutate('fn-target', (i) => delete i.deadLetterConfig),
    at: ['fn-target', 'deadLetterConfig.arn'],
    // A target that is not a function (Karpenter's queue) is not this rule's.
    good: mutate('fn-target', (i) => Object.assign(i, { arn: 'arn:aws:sqs:eu-west-1:111111111111:karpenter', deadLetterConfig: undefined, retryPolicy: undefined })),
  },
  'dead-letter-queue-kms': {
    bad: mutate('fn-dlq', (i) => delete i.kmsMasterKeyId),
    at: ['fn-dlq', 'kmsMasterKeyId'],
    good: add(res(9, 'aws:sqs/queue:Queue', 'work-queue', { name: 'platform-prod-work', sqsManagedSseEnabled: true })),
  },
  // A release whose chart is at no pinned version found offline: nothing inside it could be checked.
  'helm-chart-rendered': {
    bad: add(metricsServerRelease({ version: '3.99.0' })),
    at: ['metrics-server', 'chart'],
    good: [metricsServerRelease()],
    charts: realCharts,
  },
  // metrics-server 3.13.1 ships no values.schema.json: judged against its values.yaml keys.
  'helm-values-known': {
    bad: add(metricsServerRelease({ values: { podSecurityContxt: { runAsNonRoot: true } } })),
    at: ['metrics-server', 'values.podSecurityContxt'],
    good: [metricsServerRelease()],
    charts: realCharts,
  },
  'k8s-manifest-unknown-field': { bad: mutate('shop', (i) => (container(i).securityContext.readOnlyRootFileSystem = true)), at: ['shop', 'spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem'] },
};

describe('checks: every rule catches a violation and accepts a compliant variant', () => {
  it('has a case for every rule and no case for a rule that does not exist', () => {
    assert.deepEqual(Object.keys(cases).sort(), allRules.map((r) => r.name).sort());
  });

  for (const rule of allRules) {
    describe(rule.name, () => {
      const c = cases[rule.name];
      it('reports the violating fixture at the property', async () => {
        assert.ok(c, `no case for ${rule.name}`);
        const { findings } = await runChecks(c.bad, { env: env(), now: NOW, rules: [rule], charts: c.charts });
        const [name, property] = c.at;
        const hit = findings.find((f) => f.name === name && f.property.startsWith(property));
        assert.ok(hit, `expected ${rule.name} on ${name} ${property}; got ${JSON.stringify(findings.map((f) => [f.name, f.property, f.message]))}`);
        assert.equal(hit.rule, rule.name);
        assert.deepEqual(hit.mirrors, rule.mirrors);
        assert.equal(hit.fix, rule.fix);
      });
      it('passes the baseline and the compliant variant', async () => {
        for (const [good, charts] of [[baseline(), undefined], ...(c?.good ? [[c.good, c.charts]] : [])] as [Planned[], ChartRenderer | undefined][]) {
          const { findings } = await runChecks(good, { env: env(), now: NOW, rules: [rule], charts });
          assert.deepEqual(findings.map((f) => `${f.name} ${f.property}: ${f.message}`), []);
        }
      });
    });
  }
});

describe('checks: s3-encryption-kms exempts only a tagged access-log bucket that receives logs', () => {
  const rule = allRules.filter((r) => r.name === 's3-encryption-kms');
  const run = async (g: Planned[]) => (await runChecks(g, { env: env(), now: NOW, rules: rule })).findings.map((f) => `${f.name} ${f.property}: ${f.message}`);
  const at = 'access-logs-prod-sse rules[0].applyServerSideEncryptionByDefault.sseAlgorithm';

  it('reports SSE-S3 on a log target without the tag', async () => {
    assert.deepEqual(await run(accessLogBucket({ tagged: false })), [`${at}: sseAlgorithm "AES256" is not aws:kms`]);
  });

  it('reports SSE-S3 on a tagged bucket nothing logs to, and says why', async () => {
    assert.deepEqual(await run(accessLogBucket({ from: without('logs-prod-logging') })), [
      `${at}: sseAlgorithm "AES256" is not aws:kms (the bucket is tagged as an access-log bucket, but no aws.s3.BucketLogging targets it)`,
    ]);
  });

  it('reports the AWS-managed KMS key on a tagged log target (the exemption is for SSE-S3 only)', async () => {
    const g = mutate('access-logs-prod-sse', (i) => (i.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }]), accessLogBucket());
    assert.deepEqual(await run(g), ['access-logs-prod-sse rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId: SSE-KMS with the AWS-managed key, not a customer key']);
  });

  it('does not let a tagged log bucket exempt another bucket on SSE-S3', async () => {
    const g = mutate('logs-prod-sse', (i) => (i.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: 'AES256' }), accessLogBucket());
    assert.deepEqual(await run(g), ['logs-prod-sse rules[0].applyServerSideEncryptionByDefault.sseAlgorithm: sseAlgorithm "AES256" is not aws:kms']);
  });
});

describe('checks: single-owner also catches a Kubernetes object two phases declare (review C3)', () => {
  it('reports phase 8 declaring the NodePool phase 2 owns, and not the same name in another kind', async () => {
    const pool = (phase: 2 | 8, name: string, kind = 'NodePool') =>
      res(phase, `kubernetes:karpenter.sh/v1:${kind}`, name, { apiVersion: 'karpenter.sh/v1', kind, metadata: { name: 'spot' }, spec: {} });
    const rule = allRules.filter((r) => r.name === 'single-owner');
    const bad = await runChecks(add(pool(2, 'node-pool-spot'), pool(8, 'spot-pool')), { env: env(), now: NOW, rules: rule });
    assert.deepEqual(bad.findings.map((f) => `${f.phase} ${f.name} ${f.property}: ${f.message}`), [
      '8 spot-pool metadata.name: NodePool.karpenter.sh spot is already declared by phase 2 (node-pool-spot); one phase owns it',
    ]);
    const good = await runChecks(add(pool(2, 'node-pool-spot'), pool(8, 'spot-claim', 'NodeClaim')), { env: env(), now: NOW, rules: rule });
    assert.deepEqual(good.findings, []);
  });
});

describe('checks: single-owner and server-side-apply patches (phase 8 annotates phase 6\'s Gateway)', () => {
  const rule = allRules.filter((r) => r.name === 'single-owner');
  const gateway = (annotations: Record<string, string> = {}) =>
    res(6, 'kubernetes:networking.istio.io/v1:Gateway', 'gateway', { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'public', namespace: 'istio-ingress', labels: { a: 'b' }, annotations }, spec: { servers: [] } });
  const patch = (phase: 8 | 9, name: string, annotations: Record<string, string>) =>
    res(phase, 'kubernetes:networking.istio.io/v1:GatewayPatch', name, { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'public', namespace: 'istio-ingress', annotations } });
  const run = async (g: Planned[]) => (await runChecks(g, { env: env(), now: NOW, rules: rule })).findings.map((f) => `${f.phase} ${f.name} ${f.property}: ${f.message}`);
  it('a patch of fields the owner does not set is no second owner', async () => {
    assert.deepEqual(await run(add(gateway(), patch(8, 'failover', { 'external-dns.alpha.kubernetes.io/aws-failover': 'PRIMARY' }))), []);
  });
  it('a patch of a field the owning phase sets, or another phase patches, is reported at that field', async () => {
    assert.deepEqual(await run(add(gateway({ 'x/y': '1' }), patch(8, 'failover', { 'x/y': '2' }))), [
      '8 failover metadata.annotations.x/y: Gateway.networking.istio.io istio-ingress/public: phase 6 (gateway) also sets metadata.annotations.x/y; one phase owns each field',
    ]);
    const two = await run(add(gateway(), patch(8, 'failover', { 'x/y': '2' }), patch(9, 'other', { 'x/y': '3' })));
    assert.equal(two.length, 2);
    assert.match(two[0]!, /^8 failover metadata\.annotations\.x\/y: .* phase 9 \(other\) also sets/);
  });
});

describe('checks: eks-private-endpoint-reachable counts only 443 ingress with a source', () => {
  const rule = allRules.filter((r) => r.name === 'eks-private-endpoint-reachable');
  const run = async (g: Planned[]) => (await runChecks(g, { env: env(), now: NOW, rules: rule })).findings.map((f) => `${f.name} ${f.property}`);
  it('reports a rule on another port, and an egress rule, as no path', async () => {
    assert.deepEqual(await run(mutate('runner-to-api', (i) => Object.assign(i, { fromPort: 22, toPort: 22 }))), ['cluster endpointPublicAccess']);
    assert.deepEqual(await run(mutate('runner-to-api', (i) => (i.type = 'egress'))), ['cluster endpointPublicAccess']);
  });
  it('reports a rule into a planned security group the cluster does not use', async () => {
    const g = add(res(2, 'aws:ec2/securityGroup:SecurityGroup', 'other', { vpcId: 'vpc-0001' }, 'sg-other'));
    assert.deepEqual(await run(mutate('runner-to-api', (i) => (i.securityGroupId = 'sg-other'), g)), ['cluster endpointPublicAccess']);
  });
});

describe('checks: eks-private-endpoint-access-path needs both the runner and the 443 rule from its group', () => {
  const rule = allRules.filter((r) => r.name === 'eks-private-endpoint-access-path');
  const run = async (g: Planned[]) => (await runChecks(g, { env: env(), now: NOW, rules: rule })).findings.map((f) => `${f.name} ${f.property}: ${f.message}`);

  it('reports a private API whose runner group no ingress rule admits on 443', async () => {
    const msg = "the API is private and the runner's group (sg-runner) is admitted on 443 by no ingress rule";
    assert.deepEqual(await run(without('runner-to-api', 'runner-to-raw-api')), [`raw-cluster vpcConfig.endpointPublicAccess: ${msg}`, `cluster endpointPublicAccess: ${msg}`]);
    assert.deepEqual(await run(mutate('runner-to-api', (i) => Object.assign(i, { fromPort: 22, toPort: 22 }), mutate('runner-to-raw-api', (i) => Object.assign(i, { fromPort: 22, toPort: 22 })))), [`raw-cluster vpcConfig.endpointPublicAccess: ${msg}`, `cluster endpointPublicAccess: ${msg}`]);
  });

  // `up` in stg/prod checks phase 2 alone: the runner (phase 1) is not in that plan, its group arrives
  // as an upstream output. The first version of this rule blocked every private env's phase 2 there.
  const phase2Only = (g: Planned[]) => g.filter((r) => r.phase !== 1);
  it('accepts phase 2 planned alone when 443 is admitted from a group the plan does not create (the upstream runner)', async () => {
    assert.deepEqual(await run(phase2Only(baseline())), []);
  });
  it('still reports phase 2 planned alone with no 443 rule from outside the plan', async () => {
    const found = await run(phase2Only(without('runner-to-api', 'runner-to-raw-api')));
    assert.ok(found.length > 0 && found.every((f) => / the plan holds no deploy runner /.test(f)), found.join('\n'));
  });

  it('accepts the rule written as a vpc.SecurityGroupIngressRule referencing the runner group', async () => {
    const g = [...without('runner-to-api'), res(2, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', 'runner-443', { securityGroupId: 'sg-cluster', referencedSecurityGroupId: 'sg-runner', ipProtocol: 'tcp', fromPort: 443, toPort: 443 })];
    assert.deepEqual(await run(g), []);
  });
});

describe('checks: backup-plan-dr-copy judges what AWS Backup and a regional outage would', () => {
  const rule = allRules.filter((r) => r.name === 'backup-plan-dr-copy');
  const run = async (g: Planned[]) => (await runChecks(g, { env: env(), now: NOW, rules: rule })).findings.map((f) => `${f.property}: ${f.message}`);

  it('a rule with no copy action loses every recovery point with the region', async () => {
    assert.deepEqual(await run(mutate('backup-plan', (i) => delete i.rules[0].copyActions)), [
      "rules[0].copyActions: rule 'daily' copies nothing out of the region: a regional outage loses every recovery point",
    ]);
  });
  it('copies kept shorter than the originals are reported', async () => {
    assert.deepEqual(await run(mutate('backup-plan', (i) => (i.rules[0].copyActions[0].lifecycle = { deleteAfter: 7 }))), [
      "rules[0].copyActions[0].lifecycle.deleteAfter: the DR copy is kept 7 days, fewer than the original's 120",
    ]);
  });
  it('less than 90 days in cold storage is refused by AWS Backup, on the rule and on the copy', async () => {
    const found = await run(mutate('backup-plan', (i) => {
      i.rules[0].lifecycle = { coldStorageAfter: 30, deleteAfter: 100 };
      i.rules[0].copyActions[0].lifecycle = { coldStorageAfter: 30, deleteAfter: 100 };
    }));
    assert.deepEqual(found, [
      'rules[0].copyActions[0].lifecycle.deleteAfter: deleted after 100 days but moved to cold storage after 30: AWS Backup needs 90 days in cold storage (deleteAfter >= 120)',
      'rules[0].lifecycle.deleteAfter: deleted after 100 days but moved to cold storage after 30: AWS Backup needs 90 days in cold storage (deleteAfter >= 120)',
    ]);
  });
});
