/**
 * Phase 0 under Pulumi mocks: the organization program is evaluated from the organization file
 * (adopting an existing organization, Identity Center in another region than the primary one) and
 * its registered resources and outputs are checked for what matters: the organization is read,
 * never created; SCPs on OUs and never the root; region-deny naming the primary and DR regions;
 * protected accounts in the right OUs; deploy roles trusting named principals only; Identity Center
 * through a provider in its home region; no state bucket or key (bootstrap owns them). A second
 * evaluation covers `create: true`.
 */
import { strict as assert } from 'node:assert';
import * as pulumi from '@pulumi/pulumi';
import { evaluateProgram, type Evaluation } from '../../src/engine/simulate/evaluate.js';
import { PlatformError } from '../../src/core/errors.js';
import { phase, phase0Outputs, type Phase0Inputs, type Phase0Outputs } from '../../programs/00-organization/phase.js';
import { scpDocuments, SCP_MAX_CHARS } from '../../programs/00-organization/scps.js';
import { checkAdoptable, type ExistingOrganization } from '../../programs/00-organization/organization.js';
import { waitUntilAssumable } from '../../programs/00-organization/account-ready.js';
import { devEnv, localEnv, localOrgConfig, orgConfig, prodEnv } from '../helpers/env-fixtures.js';

const byType = (ev: Evaluation, type: string) => ev.resources.filter((r) => r.type === type);
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as any;
const mgmt = orgConfig.managementAccountId;

async function evaluate(inputs: Phase0Inputs, stack: string, protectedNames = new Map<string, boolean | undefined>()): Promise<Evaluation> {
  const program = await phase.loadProgram!();
  return evaluateProgram({
    stack,
    synthetic: { accountId: inputs.managementAccountId, region: inputs.regions.primary, stack },
    program: async () => {
      pulumi.runtime.registerStackTransformation((args) => {
        protectedNames.set(`${args.type}::${args.name}`, args.opts.protect);
        return undefined;
      });
      return program(inputs);
    },
  });
}

describe('phase 0 (organization) program', () => {
  let ev: Evaluation;
  let out: Phase0Outputs;
  const protectedNames = new Map<string, boolean | undefined>();

  before(async () => {
    const inputs = phase.inputs({ env: devEnv, organization: orgConfig, upstream: {}, simulated: true });
    ev = await evaluate(inputs, 'org-00-organization', protectedNames);
    out = phase0Outputs.parse(ev.outputs);
  });

  it('is organization-scoped, and its inputs come from the organization file alone (the same from every env)', () => {
    assert.equal(phase.scope, 'organization');
    const fromDev = phase.inputs({ env: devEnv, organization: orgConfig, upstream: {}, simulated: true });
    const fromProd = phase.inputs({ env: prodEnv, organization: orgConfig, upstream: {}, simulated: true });
    assert.deepEqual(fromDev, fromProd);
    assert.deepEqual(JSON.parse(JSON.stringify(fromDev)), fromDev);
    assert.equal(fromDev.managementAccountId, mgmt);
    assert.deepEqual(fromDev.organization, { mode: 'adopt', existingId: orgConfig.organization.existingId });
    assert.throws(() => phase.inputs({ env: devEnv, upstream: {}, simulated: true }), (e: unknown) => e instanceof PlatformError && e.code === 'config-missing');
  });

  it('returns outputs that pass its own schema, with ids of the right shape', () => {
    assert.match(out.organizationId, /^o-/);
    assert.match(out.accountIds.dev, /^\d{12}$/);
    assert.deepEqual(out.regions, orgConfig.regions);
    assert.equal(out.managementAccountId, mgmt);
    assert.equal(new Set(Object.values(out.accountIds)).size, 4, 'four distinct accounts');
  });

  it('adopts the existing organization: read with getOrganization, never created or changed (B2)', () => {
    assert.equal(byType(ev, 'aws:organizations/organization:Organization').length, 0, 'no Organization resource');
    assert.equal(out.organizationId, orgConfig.organization.existingId);
    assert.match(out.rootId, /^r-/);
  });

  it('attaches every SCP to the top-level OUs and never to the root', () => {
    const attachments = byType(ev, 'aws:organizations/policyAttachment:PolicyAttachment');
    const targets = new Set(attachments.map((a) => a.inputs.targetId));
    assert.ok(!targets.has(out.rootId), 'no SCP on the root');
    assert.deepEqual([...targets].sort(), [out.ouIds.workloads, out.ouIds.infrastructure].sort());
    for (const id of Object.values(out.scpPolicyIds)) {
      const on = attachments.filter((a) => a.inputs.policyId === id).map((a) => a.inputs.targetId);
      assert.equal(on.length, 2, `policy ${id} attached to both top-level OUs`);
    }
  });

  it('denies requests outside the primary and DR regions, exempting platform roles', () => {
    const policies = byType(ev, 'aws:organizations/policy:Policy');
    const regionDeny = policies.find((p) => p.inputs.name === 'platform-region-deny');
    assert.ok(regionDeny);
    const stmt = json(regionDeny.inputs.content).Statement[0];
    assert.equal(stmt.Effect, 'Deny');
    assert.deepEqual(stmt.Condition.StringNotEquals['aws:RequestedRegion'], ['eu-west-1', 'eu-central-1']);
    assert.ok(stmt.Condition.ArnNotLike['aws:PrincipalArn'].includes('arn:aws:iam::*:role/platform-deployer'));
    assert.ok(stmt.NotAction.includes('iam:*') && stmt.NotAction.includes('sts:*'));
    assert.equal(regionDeny.inputs.type, 'SERVICE_CONTROL_POLICY');
  });

  it('has the baseline guardrails: leave-org, root, security services, IMDSv2, unencrypted EBS', () => {
    const all = byType(ev, 'aws:organizations/policy:Policy').flatMap((p) => json(p.inputs.content).Statement);
    const sids = all.map((s: any) => s.Sid);
    for (const sid of ['DenyLeaveOrganization', 'DenyRootUser', 'ProtectSecurityServices', 'RequireImdsV2', 'DenyUnencryptedEbs', 'DenyAccountPublicAccessChanges']) {
      assert.ok(sids.includes(sid), `missing ${sid}`);
    }
    const imds = all.find((s: any) => s.Sid === 'RequireImdsV2');
    assert.equal(imds.Condition.StringNotEquals['ec2:MetadataHttpTokens'], 'required');
    const ebs = all.find((s: any) => s.Sid === 'DenyUnencryptedEbs');
    assert.equal(ebs.Condition.Bool['ec2:Encrypted'], 'false');
  });

  it('keeps every SCP under the size limit', () => {
    for (const scp of scpDocuments({ primary: 'eu-west-1', dr: 'eu-central-1' })) {
      assert.ok(scp.content.length <= SCP_MAX_CHARS, `${scp.name} is ${scp.content.length} chars`);
    }
  });

  it('creates four protected accounts in the right OUs with e-mails from the env file', () => {
    const accounts = byType(ev, 'aws:organizations/account:Account');
    assert.equal(accounts.length, 4);
    const expected: Record<string, [string, string]> = {
      [out.accountIds.dev]: ['aws+dev@example.com', out.ouIds.nonprod],
      [out.accountIds.stg]: ['aws+stg@example.com', out.ouIds.nonprod],
      [out.accountIds.prod]: ['aws+prod@example.com', out.ouIds.prod],
      [out.accountIds.sharedServices]: ['aws+shared-services@example.com', out.ouIds.infrastructure],
    };
    for (const a of accounts) {
      const [email, ou] = expected[a.id]!;
      assert.equal(a.inputs.email, email);
      assert.equal(a.inputs.parentId, ou);
      assert.equal(a.inputs.closeOnDeletion, orgConfig.accounts.closeOnDeletion);
      assert.equal(a.inputs.roleName, 'OrganizationAccountAccessRole');
      assert.equal(protectedNames.get(`${a.type}::${a.name}`), true, `${a.name} protected`);
    }
  });

  it('pins the management provider to the management account and primary region', () => {
    const mgmt = ev.resources.find((r) => r.type === 'pulumi:providers:aws' && r.name === 'management');
    assert.ok(mgmt);
    assert.deepEqual(json(mgmt.inputs.allowedAccountIds), [orgConfig.managementAccountId]);
    assert.equal(mgmt.inputs.region, orgConfig.regions.primary);
  });

  it('creates deploy and verifier roles in each env account, trusting named principals only (R7)', () => {
    const roles = byType(ev, 'aws:iam/role:Role');
    for (const env of ['dev', 'stg', 'prod'] as const) {
      for (const role of [roles.find((r) => r.name === `${env}-deployer`)!, roles.find((r) => r.name === `${env}-verifier`)!]) {
        const statements = json(role.inputs.assumeRolePolicy).Statement as any[];
        const bySid = Object.fromEntries(statements.map((st) => [st.Sid, st]));
        assert.deepEqual(bySid.CiRoles.Principal.AWS, orgConfig.deployers.ciRoleArns);
        assert.equal(bySid.CiRoles.Condition, undefined);
        assert.deepEqual(bySid.OperatorsWithMfa.Principal.AWS, orgConfig.deployers.operatorArns);
        assert.equal(bySid.OperatorsWithMfa.Condition.Bool['aws:MultiFactorAuthPresent'], 'true');
        assert.equal(
          bySid.IdentityCenterPlatformAdmin.Condition.ArnLike['aws:PrincipalArn'],
          `arn:aws:iam::${mgmt}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_PlatformAdmin_*`,
        );
        // A whole account is never trusted: an account principal always carries a PrincipalArn pin.
        for (const st of statements) {
          const principals = [st.Principal.AWS].flat() as string[];
          if (principals.some((p) => p.endsWith(':root'))) assert.ok(st.Condition?.ArnLike?.['aws:PrincipalArn'], `${role.name} ${st.Sid} pins the principal`);
        }
      }
      assert.equal(out.deployRoleArns[env], `arn:aws:iam::${out.accountIds[env]}:role/platform-deployer`);
      assert.equal(out.verifierRoleArns[env], `arn:aws:iam::${out.accountIds[env]}:role/platform-verifier`);
      const provider = ev.resources.find((r) => r.type === 'pulumi:providers:aws' && r.name === `${env}-account`)!;
      assert.deepEqual(json(provider.inputs.allowedAccountIds), [out.accountIds[env]]);
      assert.equal(json(provider.inputs.assumeRoles)[0].roleArn, `arn:aws:iam::${out.accountIds[env]}:role/OrganizationAccountAccessRole`);
      const deployer = roles.find((r) => r.name === `${env}-deployer`)!;
      assert.ok(deployer.provider?.includes(`${env}-account`), 'role created in the member account');
    }
    const verifierPolicies = byType(ev, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter((a) => a.name.endsWith('-verifier-readonly'));
    assert.equal(verifierPolicies.length, 3);
    assert.ok(verifierPolicies.every((a) => a.inputs.policyArn === 'arn:aws:iam::aws:policy/ReadOnlyAccess'));
  });

  it('gives developers PowerUser only in dev, and read-only and admin everywhere', () => {
    const assignments = byType(ev, 'aws:ssoadmin/accountAssignment:AccountAssignment');
    const targets = (group: string, set: string) =>
      assignments
        .filter((a) => a.inputs.principalId === (out.groupIds as any)[group] && a.inputs.permissionSetArn === (out.permissionSetArns as any)[set])
        .map((a) => a.inputs.targetId)
        .sort();
    assert.deepEqual(targets('developers', 'developer'), [out.accountIds.dev]);
    assert.deepEqual(targets('readOnly', 'readonly'), Object.values(out.accountIds).sort());
    assert.deepEqual(targets('platformAdmins', 'admin'), [...Object.values(out.accountIds), mgmt].sort(), 'admins also in the management account');
    const sets = byType(ev, 'aws:ssoadmin/permissionSet:PermissionSet');
    assert.ok(sets.every((s) => /^PT\d+H$/.test(String(s.inputs.sessionDuration))));
    const attach = byType(ev, 'aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment');
    const developerSet = sets.find((s) => s.inputs.name === 'Developer')!;
    assert.deepEqual(
      attach.filter((a) => a.inputs.permissionSetArn === developerSet.state.arn).map((a) => a.inputs.managedPolicyArn),
      ['arn:aws:iam::aws:policy/PowerUserAccess'],
    );
  });

  it("manages Identity Center through a provider in its home region, not the primary region (R5)", () => {
    assert.notEqual(orgConfig.identityCenter.region, orgConfig.regions.primary, 'the fixture makes them differ');
    const provider = ev.resources.find((r) => r.type === 'pulumi:providers:aws' && r.name === 'identity-center')!;
    assert.equal(provider.inputs.region, orgConfig.identityCenter.region);
    assert.deepEqual(json(provider.inputs.allowedAccountIds), [mgmt]);
    const sso = ev.resources.filter((r) => r.type.startsWith('aws:ssoadmin/') || r.type.startsWith('aws:identitystore/'));
    assert.ok(sso.length > 10);
    for (const r of sso) assert.ok(r.provider?.includes('identity-center'), `${r.type} ${r.name} goes through the Identity Center provider`);
    assert.equal(out.identityCenterRegion, orgConfig.identityCenter.region);
  });

  it('exports the permission-set names a later phase needs to find the SSO roles (C5)', () => {
    assert.deepEqual(out.permissionSetNames, { admin: 'PlatformAdmin', developer: 'Developer', readonly: 'ReadOnly', breakGlass: 'PlatformBreakGlass' });
    const sets = byType(ev, 'aws:ssoadmin/permissionSet:PermissionSet').map((p) => p.inputs.name).sort();
    assert.deepEqual(sets, Object.values(out.permissionSetNames).sort());
  });

  it('creates no state bucket and no KMS key: platform bootstrap owns the backend (B3)', () => {
    assert.equal(byType(ev, 'aws:s3/bucket:Bucket').length, 0);
    assert.equal(byType(ev, 'aws:kms/key:Key').length, 0);
    assert.equal('stateBucket' in out, false);
    assert.equal('secretsKmsKeyArn' in out, false);
  });
});

describe('phase 0 with create: true (the local organization)', () => {
  it('creates an ALL-features organization with SCPs enabled and the trusted services', async () => {
    const inputs = phase.inputs({ env: localEnv, organization: localOrgConfig, upstream: {}, simulated: true });
    const ev = await evaluate(inputs, 'org-local-00-organization');
    const [org] = byType(ev, 'aws:organizations/organization:Organization');
    assert.equal(org!.inputs.featureSet, 'ALL');
    assert.deepEqual(org!.inputs.enabledPolicyTypes, ['SERVICE_CONTROL_POLICY']);
    assert.ok((org!.inputs.awsServiceAccessPrincipals as string[]).includes('sso.amazonaws.com'));
    const out = phase0Outputs.parse(ev.outputs);
    assert.equal(out.organizationId, org!.id);
  });
});

describe('adopting an organization: what must already hold (checkAdoptable)', () => {
  const good: ExistingOrganization = {
    id: 'o-abcdefghij',
    featureSet: 'ALL',
    masterAccountId: mgmt,
    awsServiceAccessPrincipals: ['sso.amazonaws.com', 'cloudtrail.amazonaws.com'],
    roots: [{ id: 'r-ab12', policyTypes: [{ type: 'SERVICE_CONTROL_POLICY', status: 'ENABLED' }] }],
  };
  const want = { expectedId: 'o-abcdefghij', managementAccountId: mgmt };
  const refused = (org: ExistingOrganization, pattern: RegExp) =>
    assert.throws(() => checkAdoptable(org, want), (e: unknown) => e instanceof PlatformError && pattern.test(e.message) && Boolean(e.hint));

  it('returns the root id of a well-formed organization', () => assert.equal(checkAdoptable(good, want), 'r-ab12'));
  it('another organization than the file names', () => refused({ ...good, id: 'o-zzzzzzzzzz' }, /belongs to o-zzzzzzzzzz, not o-abcdefghij/));
  it('run from another account than the management account', () => refused({ ...good, masterAccountId: '123456789012' }, /management account is 123456789012/));
  it('consolidated billing only', () => refused({ ...good, featureSet: 'CONSOLIDATED_BILLING' }, /feature set is CONSOLIDATED_BILLING/));
  it('SCPs not enabled on the root', () => refused({ ...good, roots: [{ id: 'r-ab12', policyTypes: [] }] }, /service control policies are not enabled/));
  it('Identity Center trusted access missing', () => refused({ ...good, awsServiceAccessPrincipals: [] }, /sso\.amazonaws\.com/));
});

describe('waiting for a new account\'s OrganizationAccountAccessRole (R6)', () => {
  const arn = 'arn:aws:iam::222222222222:role/OrganizationAccountAccessRole';
  const denied = Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' });

  it('retries AccessDenied with a growing delay until the role can be assumed', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const n = await waitUntilAssumable(arn, async () => {
      if (++calls < 3) throw denied;
    }, { delayMs: 1000, sleep: async (ms) => void sleeps.push(ms) });
    assert.equal(n, 3);
    assert.deepEqual(sleeps, [1000, 2000]);
  });

  it('fails at once on another error, and after the last attempt with the role named', async () => {
    await assert.rejects(
      waitUntilAssumable(arn, async () => { throw Object.assign(new Error('no credentials'), { name: 'CredentialsProviderError' }); }, { sleep: async () => {} }),
      (e: unknown) => e instanceof PlatformError && e.message.startsWith(`cannot assume ${arn}`),
    );
    let calls = 0;
    await assert.rejects(
      waitUntilAssumable(arn, async () => { calls++; throw denied; }, { attempts: 4, sleep: async () => {} }),
      (e: unknown) => e instanceof PlatformError && /could still not be assumed after 4 attempts/.test(e.message),
    );
    assert.equal(calls, 4);
  });
});
