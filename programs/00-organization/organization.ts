/**
 * The Organization, its OU tree and the four member accounts. Accounts are protected (deleting the
 * stack never closes an account by accident) and carry the env file's `closeOnDeletion` for the day
 * someone removes the protection deliberately.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ORG_ACCESS_ROLE_NAME } from './scps.js';

/** Services integrated with the organization (trusted access). */
export const SERVICE_ACCESS_PRINCIPALS = [
  'sso.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'config.amazonaws.com',
  'guardduty.amazonaws.com',
  'securityhub.amazonaws.com',
  'backup.amazonaws.com',
  'member.org.stacksets.cloudformation.amazonaws.com',
] as const;

export type MemberAccountKey = 'dev' | 'stg' | 'prod' | 'sharedServices';
export type OuKey = 'workloads' | 'nonprod' | 'prod' | 'infrastructure';

/** Which OU each member account lives in, and the suffix of its e-mail / name. */
export const MEMBER_ACCOUNTS: Record<MemberAccountKey, { ou: OuKey; label: string }> = {
  dev: { ou: 'nonprod', label: 'dev' },
  stg: { ou: 'nonprod', label: 'stg' },
  prod: { ou: 'prod', label: 'prod' },
  sharedServices: { ou: 'infrastructure', label: 'shared-services' },
};

export interface OrganizationArgs {
  organizationName: string;
  emailPrefix: string;
  emailDomain: string;
  closeOnDeletion: boolean;
  tags: Record<string, string>;
}

/** `<prefix>+<account>@<domain>`: one mailbox, a unique address per account. */
export function accountEmail(prefix: string, label: string, domain: string): string {
  return `${prefix}+${label}@${domain}`;
}

/** The organization with OUs and member accounts. */
export class PlatformOrganization extends pulumi.ComponentResource {
  readonly organization: aws.organizations.Organization;
  readonly rootId: pulumi.Output<string>;
  readonly ous: Record<OuKey, aws.organizations.OrganizationalUnit>;
  readonly accounts: Record<MemberAccountKey, aws.organizations.Account>;

  constructor(name: string, args: OrganizationArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:organization:Organization', name, {}, opts);
    const child = { parent: this };
    this.organization = new aws.organizations.Organization(
      'organization',
      {
        featureSet: 'ALL',
        enabledPolicyTypes: ['SERVICE_CONTROL_POLICY'],
        awsServiceAccessPrincipals: [...SERVICE_ACCESS_PRINCIPALS],
      },
      { ...child, protect: true },
    );
    this.rootId = this.organization.roots.apply((roots) => {
      const root = roots[0];
      if (!root) throw new Error('the organization reported no root');
      return root.id;
    });
    const workloads = new aws.organizations.OrganizationalUnit(
      'ou-workloads',
      { name: 'Workloads', parentId: this.rootId, tags: args.tags },
      child,
    );
    this.ous = {
      workloads,
      nonprod: new aws.organizations.OrganizationalUnit(
        'ou-nonprod',
        { name: 'NonProd', parentId: workloads.id, tags: args.tags },
        child,
      ),
      prod: new aws.organizations.OrganizationalUnit('ou-prod', { name: 'Prod', parentId: workloads.id, tags: args.tags }, child),
      infrastructure: new aws.organizations.OrganizationalUnit(
        'ou-infrastructure',
        { name: 'Infrastructure', parentId: this.rootId, tags: args.tags },
        child,
      ),
    };
    const accounts = {} as Record<MemberAccountKey, aws.organizations.Account>;
    for (const [key, spec] of Object.entries(MEMBER_ACCOUNTS) as Array<[MemberAccountKey, (typeof MEMBER_ACCOUNTS)[MemberAccountKey]]>) {
      accounts[key] = new aws.organizations.Account(
        `account-${spec.label}`,
        {
          name: `${args.organizationName}-${spec.label}`,
          email: accountEmail(args.emailPrefix, spec.label, args.emailDomain),
          parentId: this.ous[spec.ou].id,
          roleName: ORG_ACCESS_ROLE_NAME,
          iamUserAccessToBilling: 'DENY',
          closeOnDeletion: args.closeOnDeletion,
          tags: { ...args.tags, 'platform:account': spec.label },
        },
        // roleName is write-only in the Organizations API; ignoring it avoids a replace after import.
        { ...child, protect: true, ignoreChanges: ['roleName'] },
      );
    }
    this.accounts = accounts;
    this.registerOutputs({ organizationId: this.organization.id, rootId: this.rootId });
  }
}
