/**
 * The Organization, its OU tree and the four member accounts. The organization is either adopted
 * (the management account already belongs to it: it is read with getOrganization and checked,
 * never created, changed or deleted, so its trusted access and policy types stay as they are) or,
 * when the organization file says `create: true`, created with SCPs enabled and the listed trusted
 * services. Accounts are protected (deleting the stack never closes an account by accident) and
 * carry the file's `closeOnDeletion` for the day someone removes the protection deliberately.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { PlatformError } from '../../src/core/errors.js';
import { ORG_ACCESS_ROLE_NAME } from './scps.js';
import { MEMBER_ACCOUNTS, type MemberAccountKey, type OuKey } from './layout.js';

/** What an adopted organization must already have for phase 0 to work on it. */
export const REQUIRED_POLICY_TYPE = 'SERVICE_CONTROL_POLICY';
export const REQUIRED_SERVICE_ACCESS = 'sso.amazonaws.com';

/** What getOrganization tells about an existing organization (the fields checked). */
export interface ExistingOrganization {
  id: string;
  featureSet: string;
  masterAccountId: string;
  awsServiceAccessPrincipals: string[];
  roots: Array<{ id: string; policyTypes: Array<{ type: string; status: string }> }>;
}

/**
 * Checks an existing organization before adopting it; returns its root id. Each failure is one
 * PlatformError naming the value and the one-time step that fixes it. `expectedId` is undefined
 * when the ids are synthetic (simulate engine).
 */
export function checkAdoptable(org: ExistingOrganization, want: { expectedId?: string; managementAccountId: string }): string {
  const fail = (what: string, value: string, hint: string) => {
    throw new PlatformError('phase-failed', `cannot adopt organization ${org.id}: ${what}`, { value, hint });
  };
  if (want.expectedId !== undefined && org.id !== want.expectedId) {
    fail(`the management account belongs to ${org.id}, not ${want.expectedId} (organization.existingId)`, org.id, `set organization.existingId: ${org.id} in stacks/organization.yaml if that is the one to adopt`);
  }
  if (org.masterAccountId !== want.managementAccountId) {
    fail(`its management account is ${org.masterAccountId}, not ${want.managementAccountId}`, org.masterAccountId, 'run phase 0 with credentials of the management account, or fix managementAccountId in stacks/organization.yaml');
  }
  if (org.featureSet !== 'ALL') {
    fail(`its feature set is ${org.featureSet}, and SCPs need ALL`, org.featureSet, 'enable all features once (Organizations console > Settings), then rerun phase 0');
  }
  const root = org.roots[0];
  if (!root) fail('it reports no root', 'roots = []', 'check the organization in the Organizations console');
  const scp = root!.policyTypes.find((p) => p.type === REQUIRED_POLICY_TYPE);
  if (scp?.status !== 'ENABLED') {
    fail(`service control policies are ${scp?.status ?? 'not enabled'} on root ${root!.id}`, REQUIRED_POLICY_TYPE, 'enable them once (Organizations console > Policies > Service control policies), then rerun phase 0');
  }
  if (!org.awsServiceAccessPrincipals.includes(REQUIRED_SERVICE_ACCESS)) {
    fail(`trusted access for IAM Identity Center (${REQUIRED_SERVICE_ACCESS}) is not enabled`, REQUIRED_SERVICE_ACCESS, 'enable IAM Identity Center once in the management account console, then rerun phase 0');
  }
  return root!.id;
}


export interface OrganizationArgs {
  organizationName: string;
  managementAccountId: string;
  /** Adopt (read and check) the existing organization, or create a new one. */
  organization: { mode: 'adopt'; existingId: string } | { mode: 'create'; serviceAccessPrincipals: string[] };
  /** False under the simulate engine: the adopted organization's id is then synthetic and not compared. */
  live: boolean;
  emailPrefix: string;
  emailDomain: string;
  closeOnDeletion: boolean;
  tags: Record<string, string>;
}

/** `<prefix>+<account>@<domain>`: one mailbox, a unique address per account. */
export function accountEmail(prefix: string, label: string, domain: string): string {
  return `${prefix}+${label}@${domain}`;
}

/** The organization (adopted or created) with OUs and member accounts. */
export class PlatformOrganization extends pulumi.ComponentResource {
  readonly organizationId: pulumi.Output<string>;
  readonly rootId: pulumi.Output<string>;
  /** The created organization, when phase 0 created it (resources attaching policies wait for it). */
  readonly created?: aws.organizations.Organization;
  readonly ous: Record<OuKey, aws.organizations.OrganizationalUnit>;
  readonly accounts: Record<MemberAccountKey, aws.organizations.Account>;

  constructor(name: string, args: OrganizationArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:organization:Organization', name, {}, opts);
    const child = { parent: this };
    if (args.organization.mode === 'create') {
      this.created = new aws.organizations.Organization(
        'organization',
        {
          featureSet: 'ALL',
          enabledPolicyTypes: [REQUIRED_POLICY_TYPE],
          awsServiceAccessPrincipals: [...args.organization.serviceAccessPrincipals],
        },
        { ...child, protect: true },
      );
      this.organizationId = this.created.id;
      this.rootId = this.created.roots.apply((roots) => {
        const root = roots[0];
        if (!root) throw new Error('the organization reported no root');
        return root.id;
      });
    } else {
      const expectedId = args.organization.existingId;
      const existing = aws.organizations.getOrganizationOutput({}, { parent: this });
      this.rootId = existing.apply((o) =>
        checkAdoptable(
          {
            id: o.id,
            featureSet: o.featureSet,
            masterAccountId: o.masterAccountId,
            awsServiceAccessPrincipals: o.awsServiceAccessPrincipals ?? [],
            roots: (o.roots ?? []).map((r) => ({ id: r.id, policyTypes: (r.policyTypes ?? []).map((p) => ({ type: p.type, status: p.status })) })),
          },
          { expectedId: args.live ? expectedId : undefined, managementAccountId: args.managementAccountId },
        ),
      );
      // The file's id, checked against what the account belongs to on every real run.
      this.organizationId = this.rootId.apply(() => expectedId);
    }
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
    this.registerOutputs({ organizationId: this.organizationId, rootId: this.rootId });
  }
}
