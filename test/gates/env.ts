/** A valid env config for gate tests (parsed by the real schema, so drift fails loudly). */
import { EnvConfigSchema, type EnvConfig } from '../../src/core/env.js';

export function testEnv(over: Partial<EnvConfig> = {}): EnvConfig {
  return EnvConfigSchema.parse({
    name: 'stg',
    accountId: '123456789012',
    memberAccount: 'stg',
    regions: { primary: 'eu-west-1', dr: 'eu-central-1' },
    domain: 'stg.example.com',
    network: {
      vpcCidr: '10.20.0.0/16',
      drVpcCidr: '10.21.0.0/16',
      availabilityZones: 2,
      natGateways: 'OnePerAz',
      publicSubnetMask: 24,
      privateSubnetMask: 19,
      isolatedSubnetMask: 24,
      networkFirewall: false,
      interfaceEndpoints: ['sts', 'ecr.api'],
      flowLogRetentionDays: 30,
    },
    cluster: {
      name: 'stg-platform',
      version: '1.34',
      endpointPublicAccess: false,
      publicAccessCidrs: [],
      systemNodes: { instanceTypes: ['m7i.large'], min: 2, desired: 2, max: 4, diskSizeGiB: 50 },
      spot: false,
      karpenterLimits: { cpu: 100, memoryGiB: 400 },
    },
    backend: { url: 'file://.platform/state' },
    secrets: { provider: 'passphrase' },
    engine: 'pulumi',
    checks: { blockOnViolation: true, suppressions: [] },
    backupRetentionDays: 30,
    tags: {},
    ...over,
  });
}
