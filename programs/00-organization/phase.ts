/**
 * Phase 0, organization: the AWS Organization (adopted, or created when the organization file says
 * so), OUs, member accounts, Identity Center groups/permission sets/assignments (in Identity
 * Center's home region), baseline SCPs, and deploy/verifier roles in each env account. It is
 * organization-scoped: one stack (`org-00-organization`) configured by stacks/organization.yaml,
 * shared and read by every env. It does not create the state bucket or the secrets key: `platform
 * bootstrap` creates exactly what the organization and env files name, before any stack exists.
 */
import { z } from 'zod';
import { PlatformError } from '../../src/core/errors.js';
import { DEFAULT_SERVICE_ACCESS_PRINCIPALS } from '../../src/core/organization.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';

const accountId = z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id');
const arn = z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:/, 'an AWS ARN');
const envAccounts = <T extends z.ZodType>(v: T) => z.object({ dev: v, stg: v, prod: v });

/** Inputs of the phase 0 program: plain JSON built from the organization file. */
export interface Phase0Inputs {
  /** The organization's name (`example-platform`): account names and tags. */
  organizationName: string;
  managementAccountId: string;
  regions: { primary: string; dr: string };
  /** Adopt the existing organization `existingId`, or create one (with these trusted services). */
  organization: { mode: 'adopt'; existingId: string } | { mode: 'create'; serviceAccessPrincipals: string[] };
  accounts: { emailPrefix: string; emailDomain: string; closeOnDeletion: boolean };
  identityCenterRegion: string;
  deployers: { ciRoleArns: string[]; operatorArns: string[] };
  /**
   * Real runs only (false under the simulate engine, whose ids are synthetic): check the adopted
   * organization's id, and wait until each new account's OrganizationAccountAccessRole can be
   * assumed before configuring a provider with it.
   */
  live: boolean;
  tags: Record<string, string>;
}

/** The outputs contract of phase 0 (reference/phases.md section D). */
export const phase0Outputs = z.object({
  organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'an organization id o-...'),
  rootId: z.string().regex(/^r-[0-9a-z]{4,32}$/, 'a root id r-...'),
  ouIds: z.object({
    workloads: z.string().regex(/^ou-/),
    nonprod: z.string().regex(/^ou-/),
    prod: z.string().regex(/^ou-/),
    infrastructure: z.string().regex(/^ou-/),
  }),
  accountIds: z.object({ dev: accountId, stg: accountId, prod: accountId, sharedServices: accountId }),
  deployRoleArns: envAccounts(arn),
  verifierRoleArns: envAccounts(arn),
  ssoInstanceArn: arn,
  identityStoreId: z.string().min(1),
  permissionSetArns: z.object({ admin: arn, developer: arn, readonly: arn, breakGlass: arn }),
  groupIds: z.object({
    platformAdmins: z.string().min(1),
    developers: z.string().min(1),
    readOnly: z.string().min(1),
    breakGlass: z.string().min(1),
  }),
  scpPolicyIds: z.object({
    guardrails: z.string().regex(/^p-/),
    regionDeny: z.string().regex(/^p-/),
    dataProtection: z.string().regex(/^p-/),
  }),
  /**
   * Identity Center permission-set names by key: IAM names the role each assignment creates in a
   * member account `AWSReservedSSO_<name>_<suffix>` (path `/aws-reserved/sso.amazonaws.com/`), so a
   * later phase can find the admin and break-glass roles there (e.g. EKS access entries).
   */
  permissionSetNames: z.object({ admin: z.string().min(1), developer: z.string().min(1), readonly: z.string().min(1), breakGlass: z.string().min(1) }),
  managementAccountId: accountId,
  identityCenterRegion: z.string().min(1),
  regions: z.object({ primary: z.string().min(1), dr: z.string().min(1) }),
});
export type Phase0Outputs = z.infer<typeof phase0Outputs>;

/** Builds the program inputs from the organization file (pure); the env does not enter them. */
export function phase0Inputs(ctx: PhaseContext): Phase0Inputs {
  const org = ctx.organization;
  if (!org) {
    throw new PlatformError('config-missing', 'phase 0 is organization-scoped and no organization file was given', {
      hint: 'create stacks/organization.yaml (stacks/organization.local.yaml for the local env)',
    });
  }
  const o = org.organization;
  return {
    organizationName: org.name,
    managementAccountId: org.managementAccountId,
    regions: { primary: org.regions.primary, dr: org.regions.dr },
    organization: o.existingId
      ? { mode: 'adopt', existingId: o.existingId }
      : { mode: 'create', serviceAccessPrincipals: [...(o.serviceAccessPrincipals ?? DEFAULT_SERVICE_ACCESS_PRINCIPALS)] },
    accounts: { ...org.accounts },
    identityCenterRegion: org.identityCenter.region,
    deployers: { ciRoleArns: [...org.deployers.ciRoleArns], operatorArns: [...org.deployers.operatorArns] },
    live: !ctx.simulated,
    tags: { ...org.tags },
  };
}

export const phase: PhaseDefinition<Phase0Inputs, Phase0Outputs> = {
  id: 0,
  slug: 'organization',
  title: 'Organization, accounts, Identity Center, SCPs, deploy roles',
  scope: 'organization',
  module: import.meta.url,
  dependsOn: [],
  inputs: phase0Inputs,
  outputs: phase0Outputs,
  secretOutputs: [],
  loadGates: () => import('./gates.js').then((m) => m.gates),
  loadProgram: () => import('./program.js').then((m) => m.program),
  planChanges: [
    {
      what: 'One organization-scoped stack (org-00-organization) configured by stacks/organization.yaml',
      why: 'every env sharing an organization would otherwise re-create the same organization, OUs, accounts, SCPs and roles',
    },
    {
      what: 'The existing Organization is adopted (read by id); creating one is an explicit create: true',
      why: "Identity Center's organization instance, a prerequisite, only exists inside an organization, so CreateOrganization would fail",
    },
    {
      what: 'The state bucket and secrets key are made by `platform bootstrap`, not phase 0',
      why: 'the backend must exist before any stack, phase 0 included, and must carry the names the files give',
    },
    {
      what: 'Baseline SCPs merged into three policies (guardrails, region-deny, data-protection)',
      why: 'AWS allows five SCPs per target and FullAWSAccess takes one; six separate policies would not attach',
    },
  ],
};
