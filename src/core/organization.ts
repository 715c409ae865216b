/**
 * The organization file schema (`stacks/organization.yaml`; `stacks/organization.local.yaml` for the
 * offline `local` env). Pure: loading and error rendering live in src/config/. Everything an
 * organization-scoped phase (phase 0) needs is configured here once, never copied into env files:
 * the management account, the SCP region allow-list, member-account e-mails, whether the AWS
 * Organization is adopted or created, Identity Center's home region, who may assume the deploy
 * roles, and where the organization stack's own state and secrets live.
 */
import { z } from 'zod';
import type { EnvConfig } from './env.js';

const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'an AWS region such as eu-west-1');
const accountId = z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id (quote it in YAML)');
const domain = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lower-case DNS name such as example.com');
/** An IAM user or role ARN (path allowed). */
const principalArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/, 'an IAM user or role ARN such as arn:aws:iam::123456789012:user/alice');
/** An IAM role ARN (path allowed), e.g. arn:aws:iam::123456789012:role/ci/platform-ci. */
const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN such as arn:aws:iam::123456789012:role/platform-ci');

/** Services the organization trusts (trusted access) when phase 0 creates it. */
export const DEFAULT_SERVICE_ACCESS_PRINCIPALS = [
  'sso.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'config.amazonaws.com',
  'guardduty.amazonaws.com',
  'securityhub.amazonaws.com',
  'backup.amazonaws.com',
  'member.org.stacksets.cloudformation.amazonaws.com',
] as const;

export const OrganizationConfigSchema = z.strictObject({
  /** Organization name: member accounts are named `<name>-<dev|stg|prod|shared-services>`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'lower-case letters, digits and dashes, such as example-platform'),
  /** The management (payer) account: phase 0 runs here, and the account guard checks it. */
  managementAccountId: accountId,
  /**
   * Regions every env may use: the region-deny SCP allows exactly these two, and phase 0's own
   * provider runs in `primary`. Each env file's regions must be these.
   */
  regions: z.strictObject({ primary: awsRegion, dr: awsRegion }),
  /**
   * The AWS Organization. Exactly one of:
   * - `existingId: o-...`: adopt the organization the management account already belongs to (it is
   *   read, checked and never created, changed or deleted);
   * - `create: true`: phase 0 creates a new organization (the management account must not yet
   *   belong to one).
   */
  organization: z.strictObject({
    existingId: z.string().regex(/^o-[a-z0-9]{10,32}$/, 'an organization id such as o-a1b2c3d4e5').optional(),
    create: z.boolean().optional(),
    /** Trusted-access services when `create: true` (default: the platform's seven). */
    serviceAccessPrincipals: z.array(z.string().regex(/^[a-z0-9.-]+\.amazonaws\.com$/, 'a service principal such as sso.amazonaws.com')).min(1).optional(),
  }),
  /** Member accounts: e-mails are `<emailPrefix>+<account>@<emailDomain>`. */
  accounts: z.strictObject({
    emailPrefix: z.string().regex(/^[a-z0-9._-]+$/, 'lower-case letters, digits, dots, dashes and underscores'),
    emailDomain: domain,
    /** Close member accounts when the stack deletes them (protect stays on regardless). */
    closeOnDeletion: z.boolean(),
  }),
  /** IAM Identity Center: its organization instance lives in one home region, which may differ from regions.primary. */
  identityCenter: z.strictObject({ region: awsRegion }),
  /**
   * Who may assume `platform-deployer` and `platform-verifier` in each env account, besides the
   * PlatformAdmin permission set of Identity Center signed in to the management account:
   * - `ciRoleArns`: machine roles (CI runners), trusted by ARN;
   * - `operatorArns`: IAM users or roles humans use; trusted by ARN, only with an MFA session.
   * Each must exist before phase 0 runs (IAM refuses a trust policy naming a missing principal).
   */
  deployers: z.strictObject({
    ciRoleArns: z.array(roleArn),
    operatorArns: z.array(principalArn),
  }),
  /** Where the organization stack's Pulumi state and phase records live (`platform bootstrap` creates it). */
  backend: z.strictObject({
    url: z.string().regex(/^(file:\/\/|s3:\/\/)\S+$/, 'file://<path> or s3://<bucket>[/prefix]'),
    /**
     * s3:// only: the lease of the CLI's stack locks in the bucket (default 120). A live holder renews
     * it every third of it; a holder that stopped renewing for longer is taken over (docs/team-mode.md).
     */
    lockLeaseSeconds: z.number().int().min(5).max(3600).optional(),
  }),
  /** Secrets provider of the organization stack (`platform bootstrap` creates an awskms:// key). */
  secrets: z.strictObject({
    provider: z.string().regex(/^(passphrase|awskms:\/\/\S+)$/, 'passphrase or awskms://<key>'),
    passphraseFile: z.string().min(1).optional(),
  }),
  engine: z.enum(['simulate', 'pulumi']),
  /** Check the caller's account against managementAccountId before mutating (default true). */
  accountGuard: z.boolean().optional(),
  tags: z.record(z.string(), z.string()),
});

export type OrganizationConfig = z.infer<typeof OrganizationConfigSchema>;

/** How a phase's stacks are laid out: one per env, or one for the whole organization. */
export type PhaseScope = 'env' | 'organization';

/** File names of the organization files, relative to `stacks/`. */
export const ORGANIZATION_FILE = 'organization.yaml';
export const LOCAL_ORGANIZATION_FILE = 'organization.local.yaml';

/**
 * The name an organization stands under where env names are expected (stack names, records, the
 * simulate engine's folders): `org`, or `org-local` for the local env's simulated organization.
 * Both are reserved: no env may be called that.
 */
export function organizationTargetName(local: boolean): string {
  return local ? 'org-local' : 'org';
}

/** The local env keeps its own simulated organization; every other env shares stacks/organization.yaml. */
export function usesLocalOrganization(envName: string): boolean {
  return envName === 'local';
}

/** Env names no env file may use: they would collide with the organization's stacks and records. */
export const RESERVED_ENV_NAMES: readonly string[] = ['org', 'org-local', 'organization'];

/**
 * The organization as engines, record stores and locks see a deployment target: an env-shaped
 * config named `org` (or `org-local`) whose account is the management account and whose regions,
 * backend, secrets provider, engine, account guard and tags come from the organization file. The
 * remaining env fields are the running env's and are not read for an organization-scoped stack.
 * Static checks block on the shared organization and warn on the local one, whichever env runs it.
 */
export function organizationTarget(org: OrganizationConfig, env: EnvConfig): EnvConfig {
  const local = usesLocalOrganization(env.name);
  return {
    ...env,
    name: organizationTargetName(local),
    accountId: org.managementAccountId,
    regions: { ...org.regions },
    backend: { ...org.backend },
    secrets: { ...org.secrets },
    engine: org.engine,
    accountGuard: org.accountGuard,
    checks: { blockOnViolation: !local, suppressions: [] },
    tags: { ...org.tags },
  };
}

/** True when `name` is the name an organization stands under (`org`, `org-local`). */
export function isOrganizationTargetName(name: string): boolean {
  return name === organizationTargetName(false) || name === organizationTargetName(true);
}
