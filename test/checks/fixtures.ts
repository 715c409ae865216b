/**
 * A secure baseline platform graph that passes every rule, and helpers to derive a violating
 * variant from it. Each rule's test breaks exactly one thing in a copy of the baseline.
 */
import type { PlannedResource } from '../../src/core/ports.js';
import type { EnvConfig } from '../../src/core/env.js';
import type { PhaseId } from '../../src/core/phase.js';
import { envData } from '../helpers/env-fixtures.js';

export type Planned = PlannedResource & { id?: string };

export function res(phase: PhaseId, type: string, name: string, inputs: Record<string, unknown>, id?: string): Planned {
  return { phase, urn: `urn:pulumi:prod-${String(phase).padStart(2, '0')}-x::platform::${type}::${name}`, type, name, inputs, ...(id ? { id } : {}) };
}

const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/abc';
const tlsPolicy = (bucket: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
  });

function bucket(name: string, logTo?: string): Planned[] {
  const out = [
    res(1, 'aws:s3/bucket:Bucket', name, { bucket: name }),
    res(1, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', `${name}-pab`, { bucket: name, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
    res(1, 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', `${name}-sse`, { bucket: name, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: KEY }, bucketKeyEnabled: true }] }),
    res(1, 'aws:s3/bucketVersioning:BucketVersioning', `${name}-versioning`, { bucket: name, versioningConfiguration: { status: 'Enabled' } }),
    res(1, 'aws:s3/bucketPolicy:BucketPolicy', `${name}-policy`, { bucket: name, policy: tlsPolicy(name) }),
  ];
  if (logTo) out.push(res(1, 'aws:s3/bucketLogging:BucketLogging', `${name}-logging`, { bucket: name, targetBucket: logTo, targetPrefix: `${name}/` }));
  return out;
}

const secureContainer = {
  name: 'app',
  image: 'ghcr.io/acme/shop:1.4.2',
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
};
const securePod = {
  securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [secureContainer],
  volumes: [{ name: 'tmp', emptyDir: {} }],
};

export function baseline(): Planned[] {
  return structuredClone([
    // phase 1: network, compute defaults, storage, audit, keys, IAM
    res(1, 'aws:ec2/vpc:Vpc', 'vpc', { cidrBlock: '10.10.0.0/16', enableDnsHostnames: true }, 'vpc-0001'),
    res(1, 'aws:ec2/flowLog:FlowLog', 'vpc-flow', { vpcId: 'vpc-0001', trafficType: 'ALL', logDestinationType: 'cloud-watch-logs', logDestination: 'arn:aws:logs:eu-west-1:1:log-group:flow' }),
    res(1, 'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup', 'default-sg', { vpcId: 'vpc-0001', ingress: [], egress: [] }),
    res(1, 'aws:ec2/securityGroup:SecurityGroup', 'public-lb', { vpcId: 'vpc-0001', tags: { 'platform:exposure': 'public-load-balancer' }, ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] }] }),
    res(1, 'aws:ec2/securityGroup:SecurityGroup', 'nodes', { vpcId: 'vpc-0001', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrBlocks: ['10.10.0.0/16'] }] }),
    res(1, 'aws:ec2/securityGroupRule:SecurityGroupRule', 'nodes-webhook', { type: 'ingress', protocol: 'tcp', fromPort: 15017, toPort: 15017, cidrBlocks: ['10.10.0.0/16'], securityGroupId: 'sg-1' }),
    res(1, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', 'lb-http', { securityGroupId: 'sg-lb', ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '0.0.0.0/0', tags: { 'platform:exposure': 'public-load-balancer' } }),
    res(1, 'aws:ec2/subnet:Subnet', 'private-a', { vpcId: 'vpc-0001', cidrBlock: '10.10.0.0/19', mapPublicIpOnLaunch: false }),
    res(1, 'aws:ebs/encryptionByDefault:EncryptionByDefault', 'ebs-default', { enabled: true }),
    res(1, 'aws:ebs/volume:Volume', 'data', { availabilityZone: 'eu-west-1a', size: 20, encrypted: true, kmsKeyId: KEY }),
    res(1, 'aws:ec2/launchTemplate:LaunchTemplate', 'nodes-lt', { metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 }, blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: 'true', kmsKeyId: KEY, volumeSize: 50 } }] }),
    res(1, 'aws:ec2/instance:Instance', 'bastionless', { ami: 'ami-1', instanceType: 't3.micro', vpcSecurityGroupIds: ['sg-runner'], tags: { 'platform:role': 'deploy-runner' }, metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 }, rootBlockDevice: { encrypted: true, kmsKeyId: KEY } }),
    ...bucket('logs-prod', 'access-logs-prod'),
    ...bucket('access-logs-prod'),
    res(1, 'aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock', 'account-pab', { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
    res(1, 'aws:cloudtrail/trail:Trail', 'trail', { s3BucketName: 'logs-prod', isMultiRegionTrail: true, includeGlobalServiceEvents: true, enableLogFileValidation: true, kmsKeyId: KEY, cloudWatchLogsGroupArn: 'arn:aws:logs:eu-west-1:1:log-group:trail:*', cloudWatchLogsRoleArn: 'arn:aws:iam::1:role/trail' }),
    res(1, 'aws:cloudwatch/logGroup:LogGroup', 'flow', { retentionInDays: 365, kmsKeyId: KEY }),
    res(1, 'aws:kms/key:Key', 'eks-secrets', { enableKeyRotation: true, policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' }] }) }),
    res(1, 'aws:ecr/repository:Repository', 'shop-images', { imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true }, encryptionConfigurations: [{ encryptionType: 'KMS', kmsKey: KEY }] }),
    res(1, 'aws:sqs/queue:Queue', 'interruptions', { messageRetentionSeconds: 300, sqsManagedSseEnabled: true }),
    res(1, 'aws:sns/topic:Topic', 'alerts', { kmsMasterKeyId: KEY }),
    res(1, 'aws:guardduty/detector:Detector', 'detector', { enable: true }),
    res(1, 'aws:backup/vault:Vault', 'vault', { kmsKeyArn: KEY }),
    // phase 8: the backup plan copies to phase 1's DR vault (eu-central-1, the env's DR region), kept as long.
    res(8, 'aws:backup/plan:Plan', 'backup-plan', { name: 'platform-prod', rules: [{ ruleName: 'daily', targetVaultName: 'platform-prod', lifecycle: { coldStorageAfter: 30, deleteAfter: 120 }, copyActions: [{ destinationVaultArn: 'arn:aws:backup:eu-central-1:111111111111:backup-vault:platform-prod-dr', lifecycle: { coldStorageAfter: 30, deleteAfter: 120 } }] }] }),
    res(1, 'aws:iam/policy:Policy', 'external-dns', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['route53:ChangeResourceRecordSets'], Resource: ['arn:aws:route53:::hostedzone/Z1'] }, { Effect: 'Allow', Action: ['route53:ListHostedZones'], Resource: '*' }] } }),
    res(1, 'aws:iam/role:Role', 'node-role', { assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }), inlinePolicies: [{ name: 'ssm', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:*:*:parameter/aws/service/*' }] }) }] }),
    res(1, 'aws:iam/rolePolicy:RolePolicy', 'karpenter-pass', { role: 'karpenter', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::1:role/KarpenterNodeRole' }] }) }),
    // phase 2: cluster
    res(2, 'aws:eks/cluster:Cluster', 'raw-cluster', { roleArn: 'arn:aws:iam::1:role/c', version: '1.34', vpcConfig: { subnetIds: ['s1'], endpointPrivateAccess: true, endpointPublicAccess: false }, encryptionConfig: { provider: { keyArn: KEY }, resources: ['secrets'] }, enabledClusterLogTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] }),
    res(2, 'eks:index:Cluster', 'cluster', { version: '1.34', endpointPrivateAccess: true, endpointPublicAccess: false, encryptionConfigKeyArn: KEY, enabledClusterLogTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], skipDefaultNodeGroup: true }),
    // The deploy runner reaches each private API on 443 (review B5).
    res(2, 'aws:ec2/securityGroupRule:SecurityGroupRule', 'runner-to-raw-api', { type: 'ingress', protocol: 'tcp', fromPort: 443, toPort: 443, sourceSecurityGroupId: 'sg-runner', securityGroupId: 'sg-raw-cluster' }),
    res(2, 'aws:ec2/securityGroupRule:SecurityGroupRule', 'runner-to-api', { type: 'ingress', protocol: 'tcp', fromPort: 443, toPort: 443, sourceSecurityGroupId: 'sg-runner', securityGroupId: 'sg-cluster' }),
    res(2, 'eks:index:ManagedNodeGroup', 'system', { enableIMDSv2: true, instanceTypes: ['m7i.large'] }),
    res(2, 'aws:eks/nodeGroup:NodeGroup', 'raw-nodes', { clusterName: 'c', nodeRoleArn: 'arn', subnetIds: ['s1'], scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 } }),
    res(2, 'kubernetes:helm.sh/v3:Release', 'istiod', { chart: 'istiod', version: '1.30.4', repositoryOpts: { repo: 'https://istio-release.storage.googleapis.com/charts' }, namespace: 'istio-system', values: { anything: true } }),
    res(2, 'aws:iam/role:Role', 'karpenter-pod-role', {
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Condition: {
              StringEquals: {
                'aws:SourceAccount': '111111111111',
                'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-west-1:111111111111:cluster/prod',
                'aws:RequestTag/kubernetes-namespace': 'kube-system',
                'aws:RequestTag/kubernetes-service-account': 'karpenter',
              },
            },
          },
        ],
      }),
    }),
    res(2, 'kubernetes:helm.sh/v3:Release', 'alloy', {
      chart: 'alloy',
      version: '1.8.1',
      repositoryOpts: { repo: 'https://grafana.github.io/helm-charts' },
      namespace: 'loki',
      values: {
        controller: { type: 'daemonset', volumes: { extra: [{ name: 'tmp', emptyDir: {} }] } },
        alloy: { storagePath: '/tmp/alloy', mounts: { extra: [{ name: 'tmp', mountPath: '/tmp' }] }, securityContext: { readOnlyRootFilesystem: true } },
      },
    }),
    // phase 5: workloads and mesh policy
    res(5, 'kubernetes:core/v1:Namespace', 'shop-ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } }),
    res(5, 'kubernetes:apps/v1:Deployment', 'shop', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shop', namespace: 'shop' }, spec: { replicas: 2, selector: { matchLabels: { app: 'shop' } }, template: { metadata: { labels: { app: 'shop' } }, spec: securePod } } }),
    res(5, 'kubernetes:networking.k8s.io/v1:NetworkPolicy', 'shop-default-deny', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }),
    res(5, 'kubernetes:security.istio.io/v1:PeerAuthentication', 'mesh-mtls', { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } }),
    res(5, 'kubernetes:yaml/v2:ConfigGroup', 'jobs', {
      objs: [{ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report', namespace: 'shop' }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { ...securePod, restartPolicy: 'OnFailure' } } } } } }],
    }),
    // phase 9: a responder with its log group, DLQ, role, rule target and schedule
    res(9, 'aws:cloudwatch/logGroup:LogGroup', 'fn-logs', { name: '/aws/lambda/platform-prod-alert-responder', retentionInDays: 365, kmsKeyId: KEY }),
    res(9, 'aws:sqs/queue:Queue', 'fn-dlq', { name: 'platform-prod-alert-responder-dlq', kmsMasterKeyId: KEY, messageRetentionSeconds: 1209600 }),
    res(9, 'aws:iam/role:Role', 'fn-role', {
      name: 'platform-prod-alert-responder',
      assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }] }),
    }),
    res(9, 'aws:iam/rolePolicy:RolePolicy', 'fn-policy', {
      role: 'platform-prod-alert-responder',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['ec2:DescribeInstances', 'xray:PutTraceSegments'], Resource: '*' },
          { Effect: 'Allow', Action: 'sns:Publish', Resource: 'arn:aws:sns:eu-west-1:111111111111:alerts' },
        ],
      }),
    }),
    res(9, 'aws:lambda/function:Function', 'fn', {
      name: 'platform-prod-alert-responder',
      deadLetterConfig: { targetArn: 'arn:aws:sqs:eu-west-1:111111111111:platform-prod-alert-responder-dlq' },
      reservedConcurrentExecutions: 5,
      tracingConfig: { mode: 'Active' },
      kmsKeyArn: KEY,
      loggingConfig: { logFormat: 'JSON', logGroup: '/aws/lambda/platform-prod-alert-responder' },
    }),
    res(9, 'aws:cloudwatch/eventTarget:EventTarget', 'fn-target', {
      rule: 'platform-prod-guardduty',
      arn: 'arn:aws:lambda:eu-west-1:111111111111:function:platform-prod-alert-responder',
      deadLetterConfig: { arn: 'arn:aws:sqs:eu-west-1:111111111111:platform-prod-alert-responder-dlq' },
      retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 3600 },
    }),
    res(9, 'aws:scheduler/schedule:Schedule', 'fn-schedule', {
      scheduleExpression: 'cron(30 4 * * ? *)',
      target: {
        arn: 'arn:aws:lambda:eu-west-1:111111111111:function:platform-prod-alert-responder',
        deadLetterConfig: { arn: 'arn:aws:sqs:eu-west-1:111111111111:platform-prod-alert-responder-dlq' },
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      },
    }),
  ]);
}

/** A copy of the baseline with one resource's inputs changed (fn mutates them in place). */
export function mutate(name: string, fn: (inputs: Record<string, any>) => void, from: Planned[] = baseline()): Planned[] {
  const r = from.find((x) => x.name === name);
  if (!r) throw new Error(`fixture has no resource ${name}`);
  fn(r.inputs as Record<string, any>);
  return from;
}

/** A copy of the baseline without the named resources. */
export function without(...names: string[]): Planned[] {
  const all = baseline();
  for (const n of names) if (!all.some((r) => r.name === n)) throw new Error(`fixture has no resource ${n}`);
  return all.filter((r) => !names.includes(r.name));
}

export function add(...extra: Planned[]): Planned[] {
  return [...baseline(), ...structuredClone(extra)];
}

/** The checks' env: prod-like, firewall on, blocking on violations (`overrides` patch `checks`). */
export function env(overrides: Partial<EnvConfig['checks']> = {}, name = 'prod'): EnvConfig {
  return envData((e) => {
    const { data: _data, ...rest } = e;
    return {
      ...rest,
      name,
      memberAccount: 'prod',
      domain: 'prod.example.com',
      network: { ...e.network, drVpcCidr: '10.20.0.0/16', natGateways: 'OnePerAz', networkFirewall: true, interfaceEndpoints: ['ecr.api'], flowLogRetentionDays: 365 },
      cluster: { ...e.cluster, name: 'prod', version: '1.34', endpointPublicAccess: false, publicAccessCidrs: [], spot: false, karpenterLimits: { cpu: 100, memoryGiB: 400 } },
      checks: { blockOnViolation: true, suppressions: [], ...overrides },
      backupRetentionDays: 35,
      tags: {},
    };
  }) as EnvConfig;
}

/** 2026-11-26T12:00Z: a fixed clock for the tests. */
export const NOW = Date.parse('2026-11-26T12:00:00Z');
