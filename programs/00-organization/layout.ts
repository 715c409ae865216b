/**
 * The organization's layout as pure data, shared by the phase 0 program (which builds it) and its
 * gates (which verify it): which OU each member account lives in, which OUs carry the SCPs, and who
 * gets which Identity Center permission set where. No Pulumi here, so gates and tests import it
 * without loading the cloud SDKs.
 */

export type MemberAccountKey = 'dev' | 'stg' | 'prod' | 'sharedServices';
export type OuKey = 'workloads' | 'nonprod' | 'prod' | 'infrastructure';
export type GroupKey = 'platformAdmins' | 'developers' | 'readOnly' | 'breakGlass';
export type PermissionSetKey = 'admin' | 'developer' | 'readonly' | 'breakGlass';

/** Which OU each member account lives in, and the suffix of its e-mail / name. */
export const MEMBER_ACCOUNTS: Record<MemberAccountKey, { ou: OuKey; label: string }> = {
  dev: { ou: 'nonprod', label: 'dev' },
  stg: { ou: 'nonprod', label: 'stg' },
  prod: { ou: 'prod', label: 'prod' },
  sharedServices: { ou: 'infrastructure', label: 'shared-services' },
};

/** The OUs the baseline SCPs are attached to. */
export const SCP_TARGET_OUS = ['workloads', 'infrastructure'] as const;

/** Who gets which permission set where in the member accounts. Developers get PowerUser only in dev. */
export const ASSIGNMENTS: ReadonlyArray<{ group: GroupKey; permissionSet: PermissionSetKey; accounts: readonly MemberAccountKey[] }> = [
  { group: 'platformAdmins', permissionSet: 'admin', accounts: ['dev', 'stg', 'prod', 'sharedServices'] },
  { group: 'developers', permissionSet: 'developer', accounts: ['dev'] },
  { group: 'developers', permissionSet: 'readonly', accounts: ['stg', 'prod'] },
  { group: 'readOnly', permissionSet: 'readonly', accounts: ['dev', 'stg', 'prod', 'sharedServices'] },
  { group: 'breakGlass', permissionSet: 'breakGlass', accounts: ['dev', 'stg', 'prod', 'sharedServices'] },
];
