/**
 * IAM Identity Center: groups, permission sets and account assignments. The organization instance
 * cannot be created by API from the management account, so it is read with getInstances and a
 * missing instance fails with the manual step to take. Identity Center lives in one home region
 * (organization file `identityCenter.region`), which may differ from the primary region:
 * ListInstances is regional, so every ssoadmin/identitystore call goes through a provider pinned to
 * the management account in that region.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { PlatformError } from '../../src/core/errors.js';
import { pinnedProvider } from '../shared/aws-provider.js';
import { ASSIGNMENTS, type GroupKey, type MemberAccountKey, type PermissionSetKey } from './layout.js';
import { BREAK_GLASS_PERMISSION_SET } from './scps.js';


export const GROUPS: Record<GroupKey, { displayName: string; description: string }> = {
  platformAdmins: { displayName: 'platform-admins', description: 'Operate the platform in every account' },
  developers: { displayName: 'developers', description: 'Build and debug workloads in dev' },
  readOnly: { displayName: 'read-only', description: 'Read everything, change nothing' },
  breakGlass: { displayName: 'break-glass', description: 'Emergency access; every use is reviewed' },
};

export const PERMISSION_SETS: Record<
  PermissionSetKey,
  { name: string; sessionDuration: string; managedPolicies: string[]; description: string }
> = {
  admin: {
    name: 'PlatformAdmin',
    sessionDuration: 'PT4H',
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    description: 'Platform administration',
  },
  developer: {
    name: 'Developer',
    sessionDuration: 'PT8H',
    managedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'],
    description: 'Power user without IAM',
  },
  readonly: {
    name: 'ReadOnly',
    sessionDuration: 'PT8H',
    managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess'],
    description: 'Read-only access',
  },
  breakGlass: {
    name: BREAK_GLASS_PERMISSION_SET,
    sessionDuration: 'PT1H',
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    description: 'Emergency administration, one hour',
  },
};


/**
 * Assignments in the management account: platform admins get PlatformAdmin there, where operators
 * run phase 0 from; the role that assignment creates is one the deploy roles trust (access.ts).
 */
export const MANAGEMENT_ASSIGNMENTS: Array<{ group: GroupKey; permissionSet: PermissionSetKey }> = [{ group: 'platformAdmins', permissionSet: 'admin' }];

export interface IdentityCenterArgs {
  accountIds: Record<MemberAccountKey, pulumi.Input<string>>;
  /** Identity Center's home region. */
  region: string;
  managementAccountId: string;
  tags: Record<string, string>;
}

/** Identity Center groups, permission sets and assignments. */
export class IdentityCenter extends pulumi.ComponentResource {
  readonly instanceArn: pulumi.Output<string>;
  readonly identityStoreId: pulumi.Output<string>;
  readonly groupIds: Record<GroupKey, pulumi.Output<string>>;
  readonly permissionSetArns: Record<PermissionSetKey, pulumi.Output<string>>;

  constructor(name: string, args: IdentityCenterArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('platform:organization:IdentityCenter', name, {}, opts);
    const provider = pinnedProvider('identity-center', { region: args.region, accountId: args.managementAccountId }, { parent: this });
    const child = { parent: this, provider };
    const instances = aws.ssoadmin.getInstancesOutput({}, { parent: this, provider });
    const instance = instances.apply((i) => {
      if (i.arns.length === 0 || i.identityStoreIds.length === 0) {
        throw new PlatformError('phase-failed', `IAM Identity Center has no organization instance in ${args.region}`, {
          value: 'ssoadmin:ListInstances = []',
          hint: `enable IAM Identity Center once in the management account console, or set identityCenter.region in stacks/organization.yaml to its home region (looked in ${args.region}), then rerun phase 0`,
        });
      }
      return { arn: i.arns[0]!, identityStoreId: i.identityStoreIds[0]! };
    });
    this.instanceArn = instance.arn;
    this.identityStoreId = instance.identityStoreId;

    const groups = {} as Record<GroupKey, aws.identitystore.Group>;
    for (const [key, g] of Object.entries(GROUPS) as Array<[GroupKey, (typeof GROUPS)[GroupKey]]>) {
      groups[key] = new aws.identitystore.Group(
        `group-${g.displayName}`,
        { identityStoreId: this.identityStoreId, displayName: g.displayName, description: g.description },
        child,
      );
    }
    const sets = {} as Record<PermissionSetKey, aws.ssoadmin.PermissionSet>;
    const attachments: pulumi.Resource[] = [];
    for (const [key, p] of Object.entries(PERMISSION_SETS) as Array<[PermissionSetKey, (typeof PERMISSION_SETS)[PermissionSetKey]]>) {
      sets[key] = new aws.ssoadmin.PermissionSet(
        `permission-set-${p.name}`,
        {
          instanceArn: this.instanceArn,
          name: p.name,
          description: p.description,
          sessionDuration: p.sessionDuration,
          tags: args.tags,
        },
        child,
      );
      p.managedPolicies.forEach((policyArn, i) => {
        attachments.push(
          new aws.ssoadmin.ManagedPolicyAttachment(
            `permission-set-${p.name}-policy-${i}`,
            { instanceArn: this.instanceArn, permissionSetArn: sets[key].arn, managedPolicyArn: policyArn },
            child,
          ),
        );
      });
    }
    for (const a of ASSIGNMENTS) {
      for (const account of a.accounts) {
        new aws.ssoadmin.AccountAssignment(
          `assign-${GROUPS[a.group].displayName}-${PERMISSION_SETS[a.permissionSet].name}-${account}`,
          {
            instanceArn: this.instanceArn,
            permissionSetArn: sets[a.permissionSet].arn,
            principalId: groups[a.group].groupId,
            principalType: 'GROUP',
            targetId: args.accountIds[account],
            targetType: 'AWS_ACCOUNT',
          },
          // Assigning provisions the set; its policies must be attached first.
          { ...child, dependsOn: attachments },
        );
      }
    }
    for (const a of MANAGEMENT_ASSIGNMENTS) {
      new aws.ssoadmin.AccountAssignment(
        `assign-${GROUPS[a.group].displayName}-${PERMISSION_SETS[a.permissionSet].name}-management`,
        {
          instanceArn: this.instanceArn,
          permissionSetArn: sets[a.permissionSet].arn,
          principalId: groups[a.group].groupId,
          principalType: 'GROUP',
          targetId: args.managementAccountId,
          targetType: 'AWS_ACCOUNT',
        },
        { ...child, dependsOn: attachments },
      );
    }
    this.groupIds = Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, g.groupId])) as Record<GroupKey, pulumi.Output<string>>;
    this.permissionSetArns = Object.fromEntries(Object.entries(sets).map(([k, s]) => [k, s.arn])) as Record<
      PermissionSetKey,
      pulumi.Output<string>
    >;
    this.registerOutputs({ instanceArn: this.instanceArn, identityStoreId: this.identityStoreId });
  }
}
