/**
 * The deploy runner: the path into a VPC whose EKS API is private (cluster.endpointPublicAccess:
 * false, stg and prod). An EC2 instance in a private subnet, managed by SSM (Session Manager, no SSH
 * key, no inbound rule), IMDSv2 only with a hop limit of 1, its root volume encrypted with the env's
 * EBS key, with its own security group. Operators open a session on it
 * (`aws ssm start-session --target <runnerInstanceId>`) and run `platform up` there with their own
 * credentials; the CLI assumes the deploy role as it does from a laptop. Phase 2 admits this
 * group (`runnerSecurityGroupId`) on 443 to the cluster security group.
 * The AMI is Amazon Linux 2023 from its public SSM parameter, resolved by EC2 at launch through the
 * launch template (`resolve:ssm:`), so a new AMI release does not replace the instance.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { policyJson, serviceTrust } from '../shared/iam-docs.js';
import { iamName } from '../shared/naming.js';
import { runnerRoleName } from './iam-names.js';

/** AL2023's public parameter (x86_64). */
export const RUNNER_AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
/** Node 22, Pulumi and Helm work side by side in 4 GiB. */
export const RUNNER_INSTANCE_TYPE = 't3.medium';
export const RUNNER_ROOT_VOLUME_GIB = 30;

export interface RunnerArgs {
  envName: string;
  vpcId: pulumi.Input<string>;
  /** The private subnet the runner lives in. */
  subnetId: pulumi.Input<string>;
  ebsKeyArn: pulumi.Input<string>;
  tags: Record<string, string>;
}

/** The SSM-managed runner inside the env VPC. */
export class DeployRunner extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  readonly instanceId: pulumi.Output<string>;

  constructor(name: string, a: RunnerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:access:DeployRunner', name, {}, opts);
    const child = { parent: this };
    const label = `platform-runner-${a.envName}`;
    const sg = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: a.vpcId,
        description: 'Deploy runner: no inbound; HTTPS out (AWS APIs, the private EKS API, git and package registries)',
        ingress: [],
        egress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], description: 'HTTPS out' }],
        tags: { ...a.tags, Name: label },
      },
      child,
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      { name: iamName(runnerRoleName(a.envName)), assumeRolePolicy: policyJson(serviceTrust('ec2.amazonaws.com')), tags: a.tags },
      child,
    );
    // Session Manager only: the runner's own role can do nothing in the account.
    new aws.iam.RolePolicyAttachment(`${name}-ssm`, { role: role.name, policyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }, child);
    const profile = new aws.iam.InstanceProfile(`${name}-profile`, { name: role.name, role: role.name, tags: a.tags }, child);
    const metadataOptions = { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1 };
    const template = new aws.ec2.LaunchTemplate(
      `${name}-lt`,
      {
        description: 'Deploy runner: AMI resolved from SSM at launch',
        imageId: `resolve:ssm:${RUNNER_AMI_PARAMETER}`,
        metadataOptions,
        tags: a.tags,
      },
      child,
    );
    const instance = new aws.ec2.Instance(
      name,
      {
        launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
        instanceType: RUNNER_INSTANCE_TYPE,
        subnetId: a.subnetId,
        vpcSecurityGroupIds: [sg.id],
        iamInstanceProfile: profile.name,
        associatePublicIpAddress: false,
        metadataOptions,
        rootBlockDevice: { encrypted: true, kmsKeyId: a.ebsKeyArn, volumeType: 'gp3', volumeSize: RUNNER_ROOT_VOLUME_GIB, deleteOnTermination: true },
        tags: { ...a.tags, Name: label, 'platform:role': 'deploy-runner' },
      },
      child,
    );
    this.securityGroupId = sg.id;
    this.instanceId = instance.id;
    this.registerOutputs({ securityGroupId: this.securityGroupId, instanceId: this.instanceId });
  }
}
