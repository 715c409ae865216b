/** A valid, fake env for the engine contract suite (nothing in it reaches a cloud). */
import { EnvConfigSchema, type EnvConfig } from '../../src/core/env.js';

/** Builds the env named `name` (default `ct`), validated against the real schema. */
export function contractEnv(name = 'ct'): EnvConfig {
  return EnvConfigSchema.parse({
    name,
    accountId: '222222222222',
    memberAccount: 'dev',
    regions: { primary: 'eu-west-1', dr: 'eu-central-1' },
    domain: 'contract.example.com',
    network: {
      vpcCidr: '10.50.0.0/16',
      drVpcCidr: '10.51.0.0/16',
      availabilityZones: 2,
      natGateways: 'Single',
      publicSubnetMask: 24,
      privateSubnetMask: 20,
      isolatedSubnetMask: 24,
      networkFirewall: false,
      interfaceEndpoints: ['sts'],
      flowLogRetentionDays: 7,
    },
    cluster: {
      name: 'contract',
      version: '1.34',
      endpointPublicAccess: false,
      publicAccessCidrs: [],
      systemNodes: { instanceTypes: ['t3.medium'], min: 1, desired: 1, max: 2, diskSizeGiB: 20 },
      spot: false,
      karpenterLimits: { cpu: 4, memoryGiB: 16 },
    },
    backend: { url: 'file://.platform/state' },
    secrets: { provider: 'passphrase' },
    engine: 'simulate',
    checks: { blockOnViolation: false, suppressions: [] },
    backupRetentionDays: 7,
    tags: { purpose: 'engine-contract' },
  });
}
