/**
 * Phase 0, organization: the AWS Organization, OUs, member accounts, Identity Center, baseline SCPs,
 * deploy/verifier roles in each env account and the team state backend. Runs in the management
 * account; bootstraps everything else, so it depends on nothing.
 */
import { z } from 'zod';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';

const accountId = z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id');
const arn = z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:/, 'an AWS ARN');
const envAccounts = <T extends z.ZodType>(v: T) => z.object({ dev: v, stg: v, prod: v });

/** Inputs of the phase 0 program: plain JSON built from the env file. */
export interface Phase0Inputs {
  envName: string;
  managementAccountId: string;
  regions: { primary: string; dr: string };
  organization: { name: string; emailPrefix: string; emailDomain: string; closeOnDeletion: boolean };
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
  regions: z.object({ primary: z.string().min(1), dr: z.string().min(1) }),
  stateBucket: z.string().min(3),
  secretsKmsKeyArn: arn,
});
export type Phase0Outputs = z.infer<typeof phase0Outputs>;

/** Builds the program inputs from the env file (pure). */
export function phase0Inputs(ctx: PhaseContext): Phase0Inputs {
  const { env } = ctx;
  return {
    envName: env.name,
    managementAccountId: env.managementAccountId,
    regions: { primary: env.regions.primary, dr: env.regions.dr },
    organization: {
      name: env.organization.name,
      emailPrefix: env.organization.emailPrefix,
      emailDomain: env.organization.emailDomain,
      closeOnDeletion: env.organization.closeOnDeletion,
    },
    tags: { ...env.tags },
  };
}

export const phase: PhaseDefinition<Phase0Inputs, Phase0Outputs> = {
  id: 0,
  slug: 'organization',
  title: 'Organization, accounts, Identity Center, SCPs, state backend',
  module: import.meta.url,
  dependsOn: [],
  inputs: phase0Inputs,
  outputs: phase0Outputs,
  secretOutputs: [],
  gates: [],
  loadGates: () => import('./gates.js').then((m) => m.gates),
  loadProgram: () => import('./program.js').then((m) => m.program),
  planChanges: [
    {
      what: 'Baseline SCPs merged into three policies (guardrails, region-deny, data-protection)',
      why: 'AWS allows five SCPs per target and FullAWSAccess takes one; six separate policies would not attach',
    },
  ],
};
