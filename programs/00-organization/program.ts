/**
 * Phase 0 program: runs in the management account through a provider pinned to it. Adopts (or
 * creates) the organization, builds its OUs and member accounts, the SCPs (attached to the
 * top-level OUs, never the root), per-env deploy and verifier roles trusting named principals,
 * and Identity Center groups, permission sets and assignments through a provider in Identity
 * Center's home region; returns the outputs contract. No state bucket or secrets key: `platform
 * bootstrap` creates the backend every stack (this one included) needs before it exists.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { pinnedProvider } from '../shared/aws-provider.js';
import { platformTags } from '../shared/tags.js';
import { AccountAccess, ENV_ACCOUNT_KEYS, type EnvAccountKey } from './access.js';
import { IdentityCenter, PERMISSION_SETS } from './identity-center.js';
import { SCP_TARGET_OUS, type PermissionSetKey } from './layout.js';
import { PlatformOrganization } from './organization.js';
import type { Phase0Inputs } from './phase.js';
import { scpDocuments, type ScpKey } from './scps.js';

/** OUs the SCPs attach to: the top-level ones, so NonProd and Prod inherit through Workloads. */

/** The name the organization stands under in tags (`platform:env`). */
export const ORGANIZATION_TAG_NAME = 'org';

export async function program(inputs: Phase0Inputs): Promise<Record<string, unknown>> {
  const tags = platformTags({ name: ORGANIZATION_TAG_NAME, tags: inputs.tags }, 'organization');
  const scps = scpDocuments(inputs.regions);
  const management = pinnedProvider('management', {
    region: inputs.regions.primary,
    accountId: inputs.managementAccountId,
  });
  const providers = [management];

  const org = new PlatformOrganization(
    'org',
    {
      organizationName: inputs.organizationName,
      managementAccountId: inputs.managementAccountId,
      organization: inputs.organization,
      live: inputs.live,
      emailPrefix: inputs.accounts.emailPrefix,
      emailDomain: inputs.accounts.emailDomain,
      closeOnDeletion: inputs.accounts.closeOnDeletion,
      tags,
    },
    { providers },
  );

  const scpPolicyIds = {} as Record<ScpKey, pulumi.Output<string>>;
  for (const scp of scps) {
    const policy = new aws.organizations.Policy(
      `scp-${scp.name}`,
      { name: scp.name, description: scp.description, type: 'SERVICE_CONTROL_POLICY', content: scp.content, tags },
      { provider: management, dependsOn: org.created ? [org.created] : [] },
    );
    scpPolicyIds[scp.key] = policy.id;
    for (const ou of SCP_TARGET_OUS) {
      new aws.organizations.PolicyAttachment(
        `scp-${scp.name}-${ou}`,
        { policyId: policy.id, targetId: org.ous[ou].id },
        { provider: management },
      );
    }
  }

  const access = {} as Record<EnvAccountKey, AccountAccess>;
  for (const key of ENV_ACCOUNT_KEYS) {
    access[key] = new AccountAccess(`access-${key}`, {
      key,
      accountId: org.accounts[key].id,
      managementAccountId: inputs.managementAccountId,
      deployers: inputs.deployers,
      adminPermissionSet: PERMISSION_SETS.admin.name,
      region: inputs.regions.primary,
      live: inputs.live,
      tags,
    });
  }

  const sso = new IdentityCenter('identity-center', {
    accountIds: { dev: org.accounts.dev.id, stg: org.accounts.stg.id, prod: org.accounts.prod.id, sharedServices: org.accounts.sharedServices.id },
    region: inputs.identityCenterRegion,
    managementAccountId: inputs.managementAccountId,
    tags,
  });

  const byEnv = (f: (a: AccountAccess) => pulumi.Output<string>) =>
    ({ dev: f(access.dev), stg: f(access.stg), prod: f(access.prod) }) as const;

  return {
    organizationId: org.organizationId,
    rootId: org.rootId,
    ouIds: {
      workloads: org.ous.workloads.id,
      nonprod: org.ous.nonprod.id,
      prod: org.ous.prod.id,
      infrastructure: org.ous.infrastructure.id,
    },
    accountIds: {
      dev: org.accounts.dev.id,
      stg: org.accounts.stg.id,
      prod: org.accounts.prod.id,
      sharedServices: org.accounts.sharedServices.id,
    },
    deployRoleArns: byEnv((a) => a.deployRoleArn),
    verifierRoleArns: byEnv((a) => a.verifierRoleArn),
    ssoInstanceArn: sso.instanceArn,
    identityStoreId: sso.identityStoreId,
    permissionSetArns: sso.permissionSetArns,
    permissionSetNames: Object.fromEntries(Object.entries(PERMISSION_SETS).map(([k, p]) => [k, p.name])) as Record<PermissionSetKey, string>,
    groupIds: sso.groupIds,
    scpPolicyIds,
    managementAccountId: inputs.managementAccountId,
    identityCenterRegion: inputs.identityCenterRegion,
    regions: { primary: inputs.regions.primary, dr: inputs.regions.dr },
  };
}
