/**
 * Deploy and verifier roles in each env account, created through a provider that assumes the
 * account's OrganizationAccountAccessRole (after waiting until a new account's role can be assumed,
 * R6). The roles trust named principals only (R7), never a whole account:
 * - the CI roles of the organization file, by ARN;
 * - the operators (IAM users or roles of humans), by ARN, only with an MFA session;
 * - the PlatformAdmin permission set's role in the management account (Identity Center enforces
 *   its own MFA; the role's name carries a random suffix, so it is matched with `aws:PrincipalArn`
 *   on the management account's principal, which IAM requires for such patterns).
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { pinnedProvider } from '../shared/aws-provider.js';
import { doc, policyJson, type PolicyDocument, type PolicyStatement } from '../shared/iam-docs.js';
import { waitUntilAssumable } from './account-ready.js';
import { DEPLOYER_ROLE_NAME, VERIFIER_ROLE_NAME } from '../../src/core/platform-names.js';
import { ORG_ACCESS_ROLE_NAME } from './scps.js';

export type EnvAccountKey = 'dev' | 'stg' | 'prod';
export const ENV_ACCOUNT_KEYS: readonly EnvAccountKey[] = ['dev', 'stg', 'prod'];

/** The PlatformAdmin permission set's role in an account, as `aws:PrincipalArn` sees it. */
export function ssoRoleArnPattern(accountId: pulumi.Input<string>, permissionSetName: string): pulumi.Output<string> {
  return pulumi.interpolate`arn:aws:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${permissionSetName}_*`;
}

export interface Deployers {
  ciRoleArns: readonly string[];
  operatorArns: readonly string[];
}

/** Trust policy of the deploy and verifier roles (see the header). */
export function deployerTrust(managementAccountId: string, deployers: Deployers, adminPermissionSet: string): PolicyDocument {
  const statements: PolicyStatement[] = [];
  if (deployers.ciRoleArns.length > 0) {
    statements.push({ Sid: 'CiRoles', Effect: 'Allow', Principal: { AWS: [...deployers.ciRoleArns] }, Action: 'sts:AssumeRole' });
  }
  if (deployers.operatorArns.length > 0) {
    statements.push({
      Sid: 'OperatorsWithMfa',
      Effect: 'Allow',
      Principal: { AWS: [...deployers.operatorArns] },
      Action: 'sts:AssumeRole',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    });
  }
  statements.push({
    Sid: 'IdentityCenterPlatformAdmin',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${managementAccountId}:root` },
    Action: 'sts:AssumeRole',
    Condition: { ArnLike: { 'aws:PrincipalArn': ssoRoleArnPattern(managementAccountId, adminPermissionSet) } },
  });
  return doc(...statements);
}

export interface AccountAccessArgs {
  key: EnvAccountKey;
  accountId: pulumi.Input<string>;
  managementAccountId: string;
  deployers: Deployers;
  adminPermissionSet: string;
  region: string;
  /** Real runs: wait until the account's OrganizationAccountAccessRole can be assumed (R6). */
  live: boolean;
  tags: Record<string, string>;
}

/** AssumeRole once with the management account's own credentials (the program's default chain). */
async function assumeOnce(roleArn: string, region: string): Promise<void> {
  const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
  const endpoint = process.env.PLATFORM_AWS_ENDPOINT;
  const sts = new STSClient({ region, ...(endpoint ? { endpoint } : {}) });
  try {
    await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'platform-account-ready', DurationSeconds: 900 }));
  } finally {
    sts.destroy();
  }
}

/** The deployer and verifier roles of one env account. */
export class AccountAccess extends pulumi.ComponentResource {
  readonly deployRoleArn: pulumi.Output<string>;
  readonly verifierRoleArn: pulumi.Output<string>;

  constructor(name: string, args: AccountAccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:organization:AccountAccess', name, {}, opts);
    const accessRoleArn = pulumi.output(args.accountId).apply(async (id) => {
      const arn = `arn:aws:iam::${id}:role/${ORG_ACCESS_ROLE_NAME}`;
      if (args.live) {
        await waitUntilAssumable(arn, () => assumeOnce(arn, args.region), { sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
      }
      return arn;
    });
    const provider = pinnedProvider(
      `${args.key}-account`,
      { region: args.region, accountId: args.accountId, roleArn: accessRoleArn, sessionName: 'platform-organization' },
      { parent: this },
    );
    const child = { parent: this, provider };
    const trust = policyJson(deployerTrust(args.managementAccountId, args.deployers, args.adminPermissionSet));
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
