/**
 * Deploy and verifier roles in each env account, created through a provider that assumes the
 * account's OrganizationAccountAccessRole. Both roles trust only the management account, and only
 * principals of this organization (`aws:PrincipalOrgID`), so a leaked role ARN is useless elsewhere.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { pinnedProvider } from '../shared/aws-provider.js';
import { doc, policyJson, type PolicyDocument } from '../shared/iam-docs.js';
import { DEPLOYER_ROLE_NAME, ORG_ACCESS_ROLE_NAME, VERIFIER_ROLE_NAME } from './scps.js';

export type EnvAccountKey = 'dev' | 'stg' | 'prod';
export const ENV_ACCOUNT_KEYS: readonly EnvAccountKey[] = ['dev', 'stg', 'prod'];

/** Trust policy: the management account's principals, inside this organization only. */
export function orgScopedTrust(
  managementAccountId: pulumi.Input<string>,
  organizationId: pulumi.Input<string>,
): PolicyDocument {
  return doc({
    Sid: 'ManagementAccountInThisOrganization',
    Effect: 'Allow',
    Principal: { AWS: pulumi.interpolate`arn:aws:iam::${managementAccountId}:root` },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
  });
}

export interface AccountAccessArgs {
  key: EnvAccountKey;
  accountId: pulumi.Input<string>;
  managementAccountId: string;
  organizationId: pulumi.Input<string>;
  region: string;
  tags: Record<string, string>;
}

/** The deployer and verifier roles of one env account. */
export class AccountAccess extends pulumi.ComponentResource {
  readonly deployRoleArn: pulumi.Output<string>;
  readonly verifierRoleArn: pulumi.Output<string>;

  constructor(name: string, args: AccountAccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:organization:AccountAccess', name, {}, opts);
    const provider = pinnedProvider(
      `${args.key}-account`,
      {
        region: args.region,
        accountId: args.accountId,
        roleArn: pulumi.interpolate`arn:aws:iam::${args.accountId}:role/${ORG_ACCESS_ROLE_NAME}`,
        sessionName: 'platform-organization',
      },
      { parent: this },
    );
    const child = { parent: this, provider };
    const trust = policyJson(orgScopedTrust(args.managementAccountId, args.organizationId));
    const deployer = new aws.iam.Role(
      `${args.key}-deployer`,
      {
        name: DEPLOYER_ROLE_NAME,
        description: 'Assumed by the platform CLI and CI to deploy phases 1-10',
        assumeRolePolicy: trust,
        maxSessionDuration: 4 * 3600,
        tags: args.tags,
      },
      child,
    );
    new aws.iam.RolePolicyAttachment(
      `${args.key}-deployer-admin`,
      { role: deployer.name, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      child,
    );
    const verifier = new aws.iam.Role(
      `${args.key}-verifier`,
      {
        name: VERIFIER_ROLE_NAME,
        description: 'Assumed by the platform gates: read-only',
        assumeRolePolicy: trust,
        maxSessionDuration: 3600,
        tags: args.tags,
      },
      child,
    );
    new aws.iam.RolePolicyAttachment(
      `${args.key}-verifier-readonly`,
      { role: verifier.name, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      child,
    );
    // The ARN is fixed by IAM's format (path "/") and names the member account the role lives in.
    this.deployRoleArn = pulumi.interpolate`arn:aws:iam::${args.accountId}:role/${deployer.name}`;
    this.verifierRoleArn = pulumi.interpolate`arn:aws:iam::${args.accountId}:role/${verifier.name}`;
    this.registerOutputs({ deployRoleArn: this.deployRoleArn, verifierRoleArn: this.verifierRoleArn });
  }
}
