/**
 * Phase 0 under Pulumi mocks: the organization program is evaluated once (dev env fixture) and its
 * registered resources and outputs are checked for what matters: SCPs on OUs and never the root,
 * region-deny naming the primary and DR regions, protected accounts in the right OUs, org-scoped
 * deploy-role trust, an encrypted/versioned/private/TLS-only state bucket, rotating KMS keys.
 */
import { strict as assert } from 'node:assert';
import * as pulumi from '@pulumi/pulumi';
import { evaluateProgram, type CapturedResource, type Evaluation } from '../../src/engine/simulate/evaluate.js';
import { phase, phase0Outputs, type Phase0Outputs } from '../../programs/00-organization/phase.js';
import { scpDocuments, SCP_MAX_CHARS } from '../../programs/00-organization/scps.js';
import { devEnv } from '../helpers/env-fixtures.js';
import { assertAccessLogging } from './access-logs.js';

const byType = (ev: Evaluation, type: string) => ev.resources.filter((r) => r.type === type);
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as any;

describe('phase 0 (organization) program', () => {
  let ev: Evaluation;
  let out: Phase0Outputs;
  const protectedNames = new Map<string, boolean | undefined>();
  const retained = new Map<string, boolean | undefined>();

  before(async () => {
    const ctx = { env: devEnv, upstream: {}, simulated: true };
    const inputs = phase.inputs(ctx);
    const program = await phase.loadProgram!();
    const stack = 'dev-00-organization';
    ev = await evaluateProgram({
      stack,
      synthetic: { accountId: devEnv.managementAccountId, region: devEnv.regions.primary, stack },
      program: async () => {
        pulumi.runtime.registerStackTransformation((args) => {
          protectedNames.set(`${args.type}::${args.name}`, args.opts.protect);
          retained.set(`${args.type}::${args.name}`, args.opts.retainOnDelete);
          return undefined;
        });
        return program(inputs);
      },
    });
    out = phase0Outputs.parse(ev.outputs);
  });

  it('builds plain JSON inputs from the env file', () => {
    const inputs = phase.inputs({ env: devEnv, upstream: {}, simulated: true });
    assert.deepEqual(JSON.parse(JSON.stringify(inputs)), inputs);
    assert.equal(inputs.managementAccountId, devEnv.managementAccountId);
  });

  it('returns outputs that pass its own schema, with ids of the right shape', () => {
    assert.match(out.organizationId, /^o-/);
    assert.match(out.accountIds.dev, /^\d{12}$/);
    assert.deepEqual(out.regions, devEnv.regions);
    assert.equal(new Set(Object.values(out.accountIds)).size, 4, 'four distinct accounts');
  });

  it('creates an ALL-features organization with SCPs enabled', () => {
    const [org] = byType(ev, 'aws:organizations/organization:Organization');
    assert.equal(org!.inputs.featureSet, 'ALL');
    assert.deepEqual(org!.inputs.enabledPolicyTypes, ['SERVICE_CONTROL_POLICY']);
    assert.ok((org!.inputs.awsServiceAccessPrincipals as string[]).includes('sso.amazonaws.com'));
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
      assert.equal(a.inputs.closeOnDeletion, devEnv.organization.closeOnDeletion);
      assert.equal(a.inputs.roleName, 'OrganizationAccountAccessRole');
      assert.equal(protectedNames.get(`${a.type}::${a.name}`), true, `${a.name} protected`);
    }
  });

  it('pins the management provider to the management account and primary region', () => {
    const mgmt = ev.resources.find((r) => r.type === 'pulumi:providers:aws' && r.name === 'management');
    assert.ok(mgmt);
    assert.deepEqual(json(mgmt.inputs.allowedAccountIds), [devEnv.managementAccountId]);
    assert.equal(mgmt.inputs.region, devEnv.regions.primary);
  });

  it('creates deploy and verifier roles in each env account, trusted only within the organization', () => {
    const roles = byType(ev, 'aws:iam/role:Role');
    for (const env of ['dev', 'stg', 'prod'] as const) {
      const deployer = roles.find((r) => r.name === `${env}-deployer`)!;
      const trust = json(deployer.inputs.assumeRolePolicy).Statement[0];
      assert.equal(trust.Condition.StringEquals['aws:PrincipalOrgID'], out.organizationId);
      assert.equal(trust.Principal.AWS, `arn:aws:iam::${devEnv.managementAccountId}:root`);
      assert.equal(out.deployRoleArns[env], `arn:aws:iam::${out.accountIds[env]}:role/platform-deployer`);
      assert.equal(out.verifierRoleArns[env], `arn:aws:iam::${out.accountIds[env]}:role/platform-verifier`);
      const provider = ev.resources.find((r) => r.type === 'pulumi:providers:aws' && r.name === `${env}-account`)!;
      assert.deepEqual(json(provider.inputs.allowedAccountIds), [out.accountIds[env]]);
      assert.equal(json(provider.inputs.assumeRoles)[0].roleArn, `arn:aws:iam::${out.accountIds[env]}:role/OrganizationAccountAccessRole`);
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
    assert.deepEqual(targets('platformAdmins', 'admin'), Object.values(out.accountIds).sort());
    const sets = byType(ev, 'aws:ssoadmin/permissionSet:PermissionSet');
    assert.ok(sets.every((s) => /^PT\d+H$/.test(String(s.inputs.sessionDuration))));
    const attach = byType(ev, 'aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment');
    const developerSet = sets.find((s) => s.inputs.name === 'Developer')!;
    assert.deepEqual(
      attach.filter((a) => a.inputs.permissionSetArn === developerSet.state.arn).map((a) => a.inputs.managedPolicyArn),
      ['arn:aws:iam::aws:policy/PowerUserAccess'],
    );
  });

  it('builds an encrypted, versioned, private, TLS-only state bucket', () => {
    const bucket = byType(ev, 'aws:s3/bucket:Bucket').find((b) => b.id === out.stateBucket) as CapturedResource;
    assert.ok(bucket, 'state bucket exists');
    assert.equal(out.stateBucket, `acme-platform-pulumi-state-${devEnv.managementAccountId}`);
    const of = (type: string) => byType(ev, type).find((r) => r.inputs.bucket === bucket.id)!;
    const sse = (of('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration').inputs.rules as any[])[0];
    assert.equal(sse.applyServerSideEncryptionByDefault.sseAlgorithm, 'aws:kms');
    assert.match(sse.applyServerSideEncryptionByDefault.kmsMasterKeyId, /^arn:aws:kms:/);
    assert.equal(sse.bucketKeyEnabled, true);
    assert.equal((of('aws:s3/bucketVersioning:BucketVersioning').inputs.versioningConfiguration as any).status, 'Enabled');
    const pab = of('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').inputs;
    for (const k of ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets']) assert.equal(pab[k], true, k);
    assert.equal((of('aws:s3/bucketOwnershipControls:BucketOwnershipControls').inputs.rule as any).objectOwnership, 'BucketOwnerEnforced');
    const deny = json(of('aws:s3/bucketPolicy:BucketPolicy').inputs.policy).Statement.find((s: any) => s.Sid === 'DenyInsecureTransport');
    assert.equal(deny.Effect, 'Deny');
    assert.equal(deny.Condition.Bool['aws:SecureTransport'], 'false');
  });

  it('logs state-bucket access to a dedicated SSE-S3 bucket in the management account, kept on destroy', () => {
    const { logBucket, sources } = assertAccessLogging(ev, devEnv.managementAccountId);
    assert.deepEqual(sources.map((b) => b.id), [out.stateBucket]);
    assert.equal(logBucket.id, `acme-platform-state-access-logs-${devEnv.managementAccountId}`);
    assert.equal(logBucket.provider, sources[0]!.provider, 'same account and region as the state bucket');
    assert.equal(retained.get('aws:s3/bucket:Bucket::state-access-logs'), true);
  });

  it('rotates every KMS key, including the secrets-provider key', () => {
    const keys = byType(ev, 'aws:kms/key:Key');
    assert.ok(keys.length >= 2);
    for (const k of keys) assert.equal(k.inputs.enableKeyRotation, true, k.name);
    assert.ok(keys.some((k) => k.state.arn === out.secretsKmsKeyArn));
  });
});
