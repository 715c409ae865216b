/**
 * Test fixtures for env loading: a valid env object (independent of the shipped stacks/ files, so
 * exact line numbers in expected errors stay stable) and throwaway repos in the OS temp folder.
 */
import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** A valid `dev` env as plain data; tests mutate a fresh copy. */
export function validEnv(name = 'dev'): Record<string, any> {
  return {
    name,
    accountId: '222222222222',
    memberAccount: 'dev',
    regions: { primary: 'eu-west-1', dr: 'eu-central-1' },
    domain: 'dev.example.com',
    network: {
      vpcCidr: '10.10.0.0/16',
      drVpcCidr: '10.11.0.0/16',
      availabilityZones: 3,
      natGateways: 'Single',
      publicSubnetMask: 24,
      privateSubnetMask: 19,
      isolatedSubnetMask: 24,
      networkFirewall: false,
      interfaceEndpoints: ['ecr.api', 'sts'],
      flowLogRetentionDays: 30,
    },
    cluster: {
      name: 'platform-dev',
      version: '1.34',
      endpointPublicAccess: true,
      publicAccessCidrs: ['203.0.113.0/28'],
      systemNodes: { instanceTypes: ['m6i.large'], min: 2, desired: 2, max: 4, diskSizeGiB: 50 },
      spot: true,
      karpenterLimits: { cpu: 64, memoryGiB: 256 },
    },
    backend: { url: 's3://example-platform-state/dev' },
    secrets: { provider: 'awskms://alias/platform-dev-state' },
    engine: 'pulumi',
    checks: { blockOnViolation: false, suppressions: [] },
    backupRetentionDays: 7,
    data: {
      postgres: { replicas: 1, storageGiB: 20, memoryGiB: 2, cpu: 0.5, backupSchedule: '30 2 * * *' },
      kafka: { controllers: 1, brokers: 1, storageGiB: 20, memoryGiB: 2 },
      connect: { replicas: 1, image: '222222222222.dkr.ecr.eu-west-1.amazonaws.com/platform/kafka-connect-debezium:1.2.0-kafka-4.3.1-debezium-3.6.1' },
      cdcTables: [],
    },
    tags: { env: name },
    // After tags: the YAML error tests count lines up to `engine`.
    gitops: {
      repoUrl: 'https://github.com/example/platform-gitops.git',
      targetRevision: 'main',
      githubOwner: 'example',
      ciBranch: 'main',
      promotion: 'commit',
      highAvailability: false,
      repoCredentialsSecret: `${name}/gitops/repository`,
    },
  };
}

/** A valid organization file as plain data; tests mutate a fresh copy. */
export function validOrganization(): Record<string, any> {
  return {
    name: 'example',
    managementAccountId: '999999999999',
    regions: { primary: 'eu-west-1', dr: 'eu-central-1' },
    organization: { existingId: 'o-abcdefghij' },
    accounts: { emailPrefix: 'aws', emailDomain: 'example.com', closeOnDeletion: false },
    identityCenter: { region: 'us-east-1' },
    deployers: { ciRoleArns: ['arn:aws:iam::999999999999:role/platform-ci'], operatorArns: [] },
    backend: { url: 's3://example-platform-state/org' },
    secrets: { provider: 'awskms://alias/platform-org-state' },
    engine: 'pulumi',
    tags: { owner: 'team' },
  };
}

/** YAML text of an env object, laid out the same way every time. */
export function toYaml(env: unknown): string {
  return stringify(env, { lineWidth: 0 });
}

/** A temp repo whose stacks/ holds the given files (name -> text). Returns its root. */
export async function tempRepo(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'platform-config-'));
  await writeFile(join(root, 'Pulumi.yaml'), 'name: platform\nruntime: nodejs\n');
  if (Object.keys(files).length > 0) await mkdir(join(root, 'stacks'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, 'stacks', name), text);
  return root;
}

export async function removeRepo(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

/** Every path under `dir` with its size and mtime, to prove that nothing was written. */
export async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const p = join(d, entry.name);
      const s = await stat(p);
      out.push(`${p} ${s.size} ${s.mtimeMs}`);
      if (entry.isDirectory()) await walk(p);
    }
  }
  await walk(dir);
  return out.sort();
}
