/**
 * The one env builder of the test suite. Every env a test uses is `base` with a patch applied:
 * `makeEnv(patch)` (validated) or `envData(patch)` (plain data, for tests that write YAML or break
 * the schema on purpose). The named presets below are such patches: a dev-like env (single NAT, no
 * firewall, few endpoints), a prod-like env (NAT per AZ, full endpoint list, private API), the
 * offline `local` env, the gate tests' `stg` (`testEnv`), the engine contract's (`contractEnv`) and
 * the env-loader tests' YAML source (`validEnv`); and the organization files they share
 * (`orgConfig`, `localOrgConfig` for `local`, `validOrganization` as plain data). A schema change
 * breaks here first. Backends and secrets providers follow the shipped files' names
 * (`s3://example-platform-state/<env>`, `awskms://alias/platform-<env>-state`), the names
 * `platform bootstrap` creates.
 */
import { EnvConfigSchema, type EnvConfig } from '../../src/core/env.js';
import { OrganizationConfigSchema, organizationTarget, type OrganizationConfig } from '../../src/core/organization.js';

const base: EnvConfig = {
  name: 'dev',
  accountId: '111111111111',
  memberAccount: 'dev',
  regions: { primary: 'eu-west-1', dr: 'eu-central-1' },
  domain: 'dev.example.com',
  network: {
    vpcCidr: '10.10.0.0/16',
    drVpcCidr: '10.110.0.0/16',
    availabilityZones: 3,
    natGateways: 'Single',
    publicSubnetMask: 24,
    privateSubnetMask: 19,
    isolatedSubnetMask: 24,
    networkFirewall: false,
    interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'sts', 'eks-auth'],
    flowLogRetentionDays: 30,
  },
  cluster: {
    name: 'platform-dev',
    version: '1.35',
    endpointPublicAccess: true,
    publicAccessCidrs: ['198.51.100.0/24'],
    systemNodes: { instanceTypes: ['m7i.large'], min: 2, desired: 2, max: 4, diskSizeGiB: 50 },
    spot: true,
    karpenterLimits: { cpu: 64, memoryGiB: 256 },
  },
  backend: { url: 'file://.platform/state' },
  secrets: { provider: 'passphrase' },
  engine: 'simulate',
  checks: { blockOnViolation: false, suppressions: [] },
  backupRetentionDays: 7,
  data: {
    postgres: { replicas: 1, storageGiB: 20, memoryGiB: 2, cpu: 0.5, backupSchedule: '30 2 * * *' },
    kafka: { controllers: 1, brokers: 1, storageGiB: 20, memoryGiB: 2 },
    connect: { replicas: 1, image: '111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/kafka-connect-debezium:1.2.0-kafka-4.3.1-debezium-3.6.1' },
    cdcTables: [],
  },
  resilience: {
    backup: { schedule: 'cron(0 3 * * ? *)' },
    drCluster: { enabled: true, nodes: { instanceTypes: ['t3.medium'], min: 1, desired: 1, max: 2, diskSizeGiB: 20 } },
  },
  hardening: {
    rtoMinutes: 240,
    rpoMinutes: 1500,
    chaos: { experiment: 'terminate-node', availabilityZone: 'eu-west-1a', podFault: { workload: 'Rollout', name: 'catalog', action: 'evict', recoverySeconds: 300 } },
    load: { durationSeconds: 30, connections: 10 },
    restoreDrill: { tables: [{ name: 'public.cdc_probe', timestampColumn: 'created_at' }] },
    mtlsExceptions: [],
  },
  observability: { tracing: { samplingPercent: 100, retentionHours: 72, storageGiB: 20 } },
  tags: { owner: 'platform-team', 'cost-center': 'cc-100' },
};

/** A deep copy of `base` with `patch` applied, validated. */
export function makeEnv(patch: (e: EnvConfig) => EnvConfig = (e) => e): EnvConfig {
  return EnvConfigSchema.parse(envData(patch));
}

/** A deep copy of `base` with `patch` applied, NOT validated (its key order is the YAML's line order). */
export function envData(patch: (e: EnvConfig) => EnvConfig = (e) => e): Record<string, any> {
  return patch(structuredClone(base));
}

/** dev: single NAT, no firewall, a short endpoint list. */
export const devEnv: EnvConfig = makeEnv();

/** prod: NAT per AZ, the full private-cluster endpoint list, private API. */
export const prodEnv: EnvConfig = makeEnv((e) => ({
  ...e,
  name: 'prod',
  accountId: '333333333333',
  memberAccount: 'prod',
  domain: 'prod.example.com',
  network: {
    ...e.network,
    vpcCidr: '10.30.0.0/16',
    drVpcCidr: '10.130.0.0/16',
    natGateways: 'OnePerAz',
    interfaceEndpoints: ['ecr.api', 'ecr.dkr', 'ec2', 'sts', 'ssm', 'sqs', 'eks', 'eks-auth', 'logs', 'elasticloadbalancing', 'kms', 'secretsmanager'],
    flowLogRetentionDays: 365,
  },
  cluster: { ...e.cluster, name: 'platform-prod', endpointPublicAccess: false, publicAccessCidrs: [], spot: false },
  backend: { url: 's3://example-platform-state/prod' },
  secrets: { provider: 'awskms://alias/platform-prod-state?region=eu-west-1' },
  engine: 'pulumi',
  checks: { blockOnViolation: true, suppressions: [] },
  backupRetentionDays: 35,
  data: {
    postgres: { replicas: 2, storageGiB: 200, memoryGiB: 8, cpu: 2, backupSchedule: '30 1,13 * * *' },
    kafka: { controllers: 3, brokers: 3, storageGiB: 200, memoryGiB: 8 },
    connect: { replicas: 2, image: '333333333333.dkr.ecr.eu-west-1.amazonaws.com/platform/kafka-connect-debezium:1.2.0-kafka-4.3.1-debezium-3.6.1' },
    cdcTables: [],
  },
}));

/** local: the offline env (simulate engine), shaped like dev. */
export const localEnv: EnvConfig = makeEnv((e) => ({ ...e, name: 'local', domain: 'local.example.com' }));

/** The gate tests' env: `stg` with a private API, two AZs and the account the replays record. */
export function testEnv(over: Partial<EnvConfig> = {}): EnvConfig {
  return makeEnv((e) => {
    const { data: _data, ...rest } = e;
    return {
      ...rest,
      name: 'stg',
      accountId: '123456789012',
      memberAccount: 'stg',
      domain: 'stg.example.com',
      network: { ...e.network, vpcCidr: '10.20.0.0/16', drVpcCidr: '10.21.0.0/16', availabilityZones: 2, natGateways: 'OnePerAz', interfaceEndpoints: ['sts', 'ecr.api'] },
      cluster: { ...e.cluster, name: 'stg-platform', version: '1.34', endpointPublicAccess: false, publicAccessCidrs: [], spot: false, karpenterLimits: { cpu: 100, memoryGiB: 400 } },
      engine: 'pulumi',
      checks: { blockOnViolation: true, suppressions: [] },
      backupRetentionDays: 30,
      tags: {},
      ...over,
    };
  });
}

/** The engine contract suite's env, named `name` (nothing in it reaches a cloud). */
export function contractEnv(name = 'ct'): EnvConfig {
  return makeEnv((e) => {
    const { data: _data, ...rest } = e;
    return {
      ...rest,
      name,
      accountId: '222222222222',
      domain: 'contract.example.com',
      network: { ...e.network, vpcCidr: '10.50.0.0/16', drVpcCidr: '10.51.0.0/16', availabilityZones: 2, privateSubnetMask: 20, interfaceEndpoints: ['sts'], flowLogRetentionDays: 7 },
      cluster: { ...e.cluster, name: 'contract', version: '1.34', endpointPublicAccess: false, publicAccessCidrs: [], systemNodes: { instanceTypes: ['t3.medium'], min: 1, desired: 1, max: 2, diskSizeGiB: 20 }, spot: false, karpenterLimits: { cpu: 4, memoryGiB: 16 } },
      tags: { purpose: 'engine-contract' },
    };
  });
}

/**
 * The env loader tests' `dev` as plain data (they write it as YAML and count its lines, so list
 * lengths and key order matter), with `gitops` last.
 */
export function validEnv(name = 'dev'): Record<string, any> {
  return envData((e) => ({
    ...e,
    name,
    accountId: '222222222222',
    network: { ...e.network, drVpcCidr: '10.11.0.0/16', interfaceEndpoints: ['ecr.api', 'sts'] },
    cluster: { ...e.cluster, version: '1.34', publicAccessCidrs: ['203.0.113.0/28'], systemNodes: { ...e.cluster.systemNodes, instanceTypes: ['m6i.large'] } },
    backend: { url: 's3://example-platform-state/dev' },
    secrets: { provider: 'awskms://alias/platform-dev-state' },
    engine: 'pulumi',
    data: { ...e.data!, connect: { replicas: 1, image: '222222222222.dkr.ecr.eu-west-1.amazonaws.com/platform/kafka-connect-debezium:1.2.0-kafka-4.3.1-debezium-3.6.1' } },
    tags: { env: name },
    gitops: {
      repoUrl: 'https://github.com/example/platform-gitops.git',
      targetRevision: 'main',
      githubOwner: 'example',
      ciBranch: 'main',
      promotion: 'commit',
      highAvailability: false,
      repoCredentialsSecret: `${name}/gitops/repository`,
    },
  }));
}

const baseOrg: OrganizationConfig = {
  name: 'acme-platform',
  managementAccountId: '999999999999',
  regions: { primary: 'eu-west-1', dr: 'eu-central-1' },
  organization: { existingId: 'o-acmeorg0001' },
  accounts: { emailPrefix: 'aws', emailDomain: 'example.com', closeOnDeletion: false },
  identityCenter: { region: 'us-east-1' },
  deployers: { ciRoleArns: ['arn:aws:iam::999999999999:role/platform-ci'], operatorArns: ['arn:aws:iam::999999999999:user/alice'] },
  backend: { url: 's3://example-platform-state/org' },
  secrets: { provider: 'awskms://alias/platform-org-state?region=eu-west-1' },
  engine: 'pulumi',
  tags: { owner: 'platform-team', 'cost-center': 'cc-100' },
};

/** A deep copy of the shared organization file with `patch` applied, validated. */
export function makeOrg(patch: (o: OrganizationConfig) => OrganizationConfig = (o) => o): OrganizationConfig {
  return OrganizationConfigSchema.parse(patch(structuredClone(baseOrg)));
}

/** The organization loader tests' file as plain data (written as YAML; line order matters). */
export function validOrganization(): Record<string, any> {
  const o = structuredClone(baseOrg);
  return {
    ...o,
    name: 'example',
    organization: { existingId: 'o-abcdefghij' },
    deployers: { ...o.deployers, operatorArns: [] },
    secrets: { provider: 'awskms://alias/platform-org-state' },
    tags: { owner: 'team' },
  };
}

/** The shared organization (adopted, Identity Center in another region than the envs' primary). */
export const orgConfig: OrganizationConfig = makeOrg();

/** The local env's simulated organization (created, offline). */
export const localOrgConfig: OrganizationConfig = makeOrg((o) => ({
  ...o,
  name: 'acme-local',
  managementAccountId: '111111111100',
  organization: { create: true },
  identityCenter: { region: 'eu-west-1' },
  deployers: { ciRoleArns: [], operatorArns: [] },
  backend: { url: 'file://.platform/state' },
  secrets: { provider: 'passphrase' },
  engine: 'simulate',
  accountGuard: false,
}));

/** The organization file and its deployment target for `env` (the local one for `local`). */
export function organizationFor(env: EnvConfig): { config: OrganizationConfig; target: EnvConfig } {
  const config = env.name === 'local' ? localOrgConfig : orgConfig;
  return { config, target: organizationTarget(config, env) };
}
