/**
 * The DR-region pilot light: a KMS key (backup vault, DR flow logs, phase 8's DR cluster), the DR backup vault, a
 * DR VPC on the env's non-overlapping drVpcCidr, and the region's account defaults (EBS encryption
 * by default, an AWS Config recorder). The DR VPC is deliberately small: one NAT, the S3
 * gateway endpoint only; phase 8 adds what a failover needs.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { KmsKey } from '../shared/kms-key.js';
import { ebsViaEc2Statement, logsServiceStatement } from './kms.js';
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
  /** AWS Config's role and the audit bucket (primary region) the DR recorder delivers to. */
  configRoleArn: pulumi.Input<string>;
  auditBucketName: pulumi.Input<string>;
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
        description: `DR region ${a.region}: backup vault, flow logs, and phase 8's pilot-light cluster (Secrets, node volumes)`,
        alias: `platform/${a.envName}/dr`,
        accountId: a.accountId,
        // EC2 in the DR region may use it for the pilot-light cluster's node volumes (phase 8), the same
        // shape as the primary EBS key's policy.
        statements: [logsServiceStatement(a.accountId, a.region), ebsViaEc2Statement(a.accountId, a.region)],
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
    // Account defaults of the DR region (infra review R13): EBS encryption by default (the DR SCP
    // denies unencrypted volumes; the AWS-managed aws/ebs key of the region is used, as the DR key's
    // policy grants nothing to EC2), and an AWS Config recorder. Global resource types are recorded
    // in the primary region only. The channel delivers to the primary audit bucket, whose default
    // encryption (the logs key, in the bucket's region) applies.
    new aws.ebs.EncryptionByDefault('dr-ebs-encryption-by-default', { enabled: true, region: a.region }, child);
    const recorder = new aws.cfg.Recorder(
      'dr-config-recorder',
      { name: 'platform', roleArn: a.configRoleArn, recordingGroup: { allSupported: true, includeGlobalResourceTypes: false }, region: a.region },
      child,
    );
    const channel = new aws.cfg.DeliveryChannel(
      'dr-config-delivery',
      { name: 'platform', s3BucketName: a.auditBucketName, s3KeyPrefix: 'config', region: a.region },
      { ...child, dependsOn: [recorder] },
    );
    new aws.cfg.RecorderStatus('dr-config-recorder-status', { name: recorder.name, isEnabled: true, region: a.region }, { ...child, dependsOn: [channel] });
    this.registerOutputs({ backupVaultArn: this.backupVaultArn });
  }
}
