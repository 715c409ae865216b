/**
 * The DR-region pilot light: a KMS key (backup vault and DR flow logs), the DR backup vault, and a
 * DR VPC on the env's non-overlapping drVpcCidr. The DR VPC is deliberately small: one NAT, the S3
 * gateway endpoint only; phase 8 adds what a failover needs.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { KmsKey } from '../shared/kms-key.js';
import { logsServiceStatement } from './kms.js';
import { Network } from './network.js';
import { planSubnets } from './subnet-plan.js';

export interface DrArgs {
  envName: string;
  accountId: string;
  region: string;
  vpcCidr: string;
  primaryVpcCidr: string;
  availabilityZones: number;
  masks: { public: number; private: number; isolated: number };
  clusterName: string;
  flowLogRetentionDays: number;
  tags: Record<string, string>;
}

/** DR key, vault and network. */
export class DrBaseline extends pulumi.ComponentResource {
  readonly backupVaultArn: pulumi.Output<string>;
  readonly keyArn: pulumi.Output<string>;
  readonly network: Network;

  constructor(name: string, a: DrArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:dr:DrBaseline', name, {}, opts);
    const child = { parent: this };
    const key = new KmsKey(
      'kms-dr',
      {
        description: `DR region ${a.region}: backup vault and flow logs`,
        alias: `platform/${a.envName}/dr`,
        accountId: a.accountId,
        statements: [logsServiceStatement(a.accountId, a.region)],
        tags: a.tags,
        region: a.region,
      },
      child,
    );
    this.keyArn = key.arn;
    const vault = new aws.backup.Vault('dr-backup-vault', { name: `platform-${a.envName}-dr`, kmsKeyArn: key.arn, region: a.region, tags: a.tags }, child);
    this.backupVaultArn = vault.arn;
    const plan = planSubnets({
      vpcCidr: a.vpcCidr,
      drVpcCidr: a.primaryVpcCidr,
      availabilityZones: a.availabilityZones,
      privateSubnetMask: a.masks.private,
      publicSubnetMask: a.masks.public,
      isolatedSubnetMask: a.masks.isolated,
    });
    this.network = new Network(
      'dr-network',
      {
        name: `platform-${a.envName}-dr`,
        region: a.region,
        accountId: a.accountId,
        cidrBlock: a.vpcCidr,
        availabilityZones: a.availabilityZones,
        plan,
        masks: a.masks,
        natStrategy: 'Single',
        interfaceEndpoints: [],
        clusterName: a.clusterName,
        logsKeyArn: key.arn,
        flowLogRetentionDays: a.flowLogRetentionDays,
        tags: a.tags,
      },
      child,
    );
    this.registerOutputs({ backupVaultArn: this.backupVaultArn });
  }
}
