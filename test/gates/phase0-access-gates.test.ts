import { strict as assert } from 'node:assert';
import { SSOAdminClient, ListInstancesCommand, CreatePermissionSetCommand, CreateAccountAssignmentCommand } from '@aws-sdk/client-sso-admin';
import { gates } from '../../programs/00-organization/gates.js';
import { classifyDenial, deniedRegionFor } from '../../programs/00-organization/gates-access.js';
import { ASSIGNMENTS } from '../../programs/00-organization/layout.js';
import { createProbes } from '../../src/gates/probes/index.js';
import { runGates, type GatedPhase } from '../../src/gates/run-gates.js';
import type { GateResult } from '../../src/core/gate.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testEnv } from '../helpers/env-fixtures.js';
import { startMoto, motoConfig, TEST_CREDENTIALS, type Moto } from './moto.js';
import { AwsReplay, loadAwsRoutes, type AwsRoute } from './aws-replay.js';

const phase0: GatedPhase = { id: 0, gates };
const ACCOUNTS = { dev: '111111111111', stg: '222222222222', prod: '333333333333', sharedServices: '444444444444' };
const REGIONS = { primary: 'eu-west-1', dr: 'eu-central-1' };
const GROUPS = { platformAdmins: 'g-platform-admins', developers: 'g-developers', readOnly: 'g-read-only', breakGlass: 'g-break-glass' };
const verifier = (a: string) => `arn:aws:iam::${a}:role/platform-verifier`;

describe('phase 0 access gates (moto behind a recorded-response endpoint)', function () {
  this.timeout(120_000);
  let moto: Moto;
  let replay: AwsReplay | undefined;
  before(async () => (moto = await startMoto()));
  after(() => moto?.stop());
  beforeEach(() => moto.reset());
  afterEach(async () => {
    await replay?.stop();
    replay = undefined;
  });

  async function run(outputs: Record<string, unknown>, routes: AwsRoute[], only: string[]) {
    replay = new AwsReplay(routes, moto.endpoint);
    const endpoint = await replay.start();
    const env = testEnv();
    const clock = new FakeClock();
    const probes = createProbes(env, outputs, { awsEndpoint: endpoint, awsCredentials: TEST_CREDENTIALS });
    const results = await runGates(phase0, { env, outputs, probes, clock, signal: new AbortController().signal, simulated: false, emit: () => {}, only });
    return { r: Object.fromEntries(results.map((x) => [x.gate, x])) as Record<string, GateResult>, clock };
  }

  describe('scp-region-deny-effective: STS and the allowed-region call on moto, the denied call recorded', () => {
    const outputs = {
      regions: REGIONS,
      accountIds: ACCOUNTS,
      verifierRoleArns: { dev: verifier(ACCOUNTS.dev), stg: verifier(ACCOUNTS.stg), prod: verifier(ACCOUNTS.prod) },
    };
    const vars = { deniedRegion: 'us-west-2', account: ACCOUNTS.dev, managementAccount: '210987654321', organizationId: 'o-abcdef1234', policyId: 'p-regiondeny1' };

    it('picks a default-enabled region outside the allowed ones', () => {
      assert.equal(deniedRegionFor(REGIONS), 'us-west-2');
      assert.equal(deniedRegionFor({ primary: 'us-west-2', dr: 'us-east-2' }), 'eu-north-1');
    });

    it('classifies refusals by code and the policy type the message names', () => {
      const err = (name: string, message: string) => Object.assign(new Error(message), { name });
      assert.equal(classifyDenial(err('AccessDeniedException', 'User: x is not authorized to perform: sqs:ListQueues with an explicit deny in a service control policy')).kind, 'scp');
      assert.equal(classifyDenial(err('UnauthorizedOperation', 'You are not authorized to perform this operation.')).kind, 'unnamed');
      assert.equal(classifyDenial(err('AccessDenied', 'User: x is not authorized to perform: ec2:DescribeVpcs because no permissions boundary allows the ec2:DescribeVpcs action')).kind, 'other-policy');
      assert.equal(classifyDenial(err('ThrottlingException', 'Rate exceeded')).kind, 'not-a-denial');
      assert.equal(classifyDenial(err('AuthFailure', 'AWS was not able to validate the provided access credentials')).kind, 'not-a-denial');
    });

    it('passes when every verifier role reads in eu-west-1 and is refused in us-west-2 by the SCP', async () => {
      const { r } = await run(outputs, loadAwsRoutes('ec2-describe-vpcs-denied-by-scp', vars), ['scp-region-deny-effective']);
      const g = r['scp-region-deny-effective']!;
      assert.equal(g.status, 'pass', g.evidence.join(' | '));
      assert.equal(g.evidence.length, 3);
      assert.match(g.evidence[0]!, /^dev: ec2:DescribeVpcs allowed in eu-west-1, denied in us-west-2 by a service control policy \(UnauthorizedOperation: .*explicit deny in a service control policy/);
      const calls = replay!.callsOf('DescribeVpcs');
      assert.deepEqual(calls.map((c) => [c.region, c.replayed]), [['eu-west-1', false], ['us-west-2', true], ['eu-west-1', false], ['us-west-2', true], ['eu-west-1', false], ['us-west-2', true]]);
      assert.equal(replay!.callsOf('AssumeRole').length, 3, 'one verifier role per env');
      assert.equal(JSON.stringify(g).includes(TEST_CREDENTIALS.secretAccessKey), false);
    });

    it("passes on EC2's bare UnauthorizedOperation, noting that only the region differs", async () => {
      const { r } = await run(outputs, loadAwsRoutes('ec2-describe-vpcs-denied-unnamed', vars), ['scp-region-deny-effective']);
      const g = r['scp-region-deny-effective']!;
      assert.equal(g.status, 'pass', g.evidence.join(' | '));
      assert.match(g.evidence[1]!, /^stg: .*denied in us-west-2 \(UnauthorizedOperation: You are not authorized to perform this operation\.\); the message names no policy type/);
    });

    it('fails at once when the denial comes from an identity-based policy, not the SCP', async () => {
      const { r, clock } = await run(outputs, loadAwsRoutes('ec2-describe-vpcs-denied-by-identity-policy', vars), ['scp-region-deny-effective']);
      const g = r['scp-region-deny-effective']!;
      assert.equal(g.status, 'fail');
      assert.deepEqual(clock.sleeps, [], 'terminal: waiting cannot turn another policy into the SCP');
      assert.match(g.evidence[0]!, /^dev: ec2:DescribeVpcs in us-west-2 was denied by another policy, not the SCP: .*identity-based policy/);
      assert.match(g.hint!, /platform-region-deny is attached .* allows exactly eu-west-1 and eu-central-1/);
    });

    it('fails, polling, when the call in the disallowed region succeeds (SCP not in effect)', async () => {
      const { r, clock } = await run(outputs, [], ['scp-region-deny-effective']);
      const g = r['scp-region-deny-effective']!;
      assert.equal(g.status, 'fail');
      assert.match(g.evidence[0]!, /^dev: ec2:DescribeVpcs in us-west-2 succeeded as arn:aws:sts::111111111111:assumed-role\/platform-verifier\/platform-gate-scp-dev: the region-deny SCP is not in effect for account 111111111111/);
      assert.match(g.evidence.at(-1)!, /timed out after 300000 ms \(16 attempts\)/);
      assert.equal(clock.sleeps.length, 15);
    });

    it('fails at once when the verifier role cannot read even in the allowed region', async () => {
      const routes = loadAwsRoutes('ec2-describe-vpcs-denied-by-identity-policy', vars).map((x) => ({ ...x, region: undefined }));
      const { r, clock } = await run(outputs, routes, ['scp-region-deny-effective']);
      const g = r['scp-region-deny-effective']!;
      assert.equal(g.status, 'fail');
      assert.equal(clock.sleeps.length, 0);
      assert.match(g.evidence[0]!, /^dev: ec2:DescribeVpcs in the allowed region eu-west-1 failed .*: the verifier role cannot read, so a denial elsewhere would prove nothing$/);
    });
  });

  describe('identity-center-assignments: ListAccountAssignments on moto, ListPermissionSetsProvisionedToAccount recorded', () => {
    /** Creates the permission sets and (all but `skip`) group assignments in moto's Identity Center. */
    async function buildIdentityCenter(skip?: { group: string; account: string }) {
      const sso = new SSOAdminClient(motoConfig(moto, 'eu-west-1'));
      const instance = (await sso.send(new ListInstancesCommand({}))).Instances![0]!;
      const InstanceArn = instance.InstanceArn!;
      const sets: Record<string, string> = {};
      for (const key of ['admin', 'developer', 'readonly', 'breakGlass']) {
        sets[key] = (await sso.send(new CreatePermissionSetCommand({ InstanceArn, Name: key }))).PermissionSet!.PermissionSetArn!;
      }
      for (const a of ASSIGNMENTS) {
        for (const account of a.accounts) {
          if (skip && skip.group === a.group && skip.account === account) continue;
          await sso.send(new CreateAccountAssignmentCommand({
            InstanceArn, PermissionSetArn: sets[a.permissionSet], PrincipalType: 'GROUP', PrincipalId: GROUPS[a.group], TargetId: ACCOUNTS[account], TargetType: 'AWS_ACCOUNT',
          }));
        }
      }
      const outputs = { ssoInstanceArn: InstanceArn, identityStoreId: instance.IdentityStoreId, accountIds: ACCOUNTS, permissionSetArns: sets, groupIds: GROUPS };
      const vars = (devHasDeveloper: boolean) => ({
        devAccount: ACCOUNTS.dev, stgAccount: ACCOUNTS.stg, prodAccount: ACCOUNTS.prod, sharedServicesAccount: ACCOUNTS.sharedServices,
        adminSet: sets.admin!, readonlySet: sets.readonly!, breakGlassSet: sets.breakGlass!, // Filled inside a JSON string in the fixture, so its quotes are escaped.
        devDeveloper: devHasDeveloper ? `,\\"${sets.developer}\\"` : '',
      });
      return { outputs, vars };
    }

    it('passes when every set is at its latest version and every group holds its assignments', async () => {
      const { outputs, vars } = await buildIdentityCenter();
      const { r } = await run(outputs, loadAwsRoutes('sso-admin-provisioned-sets', vars(true)), ['identity-center-assignments']);
      const g = r['identity-center-assignments']!;
      assert.equal(g.status, 'pass', g.evidence.join(' | '));
      assert.ok(g.evidence.includes(`stg (${ACCOUNTS.stg}): latest version provisioned of admin, breakGlass, readonly`), 'both pages of stg were read');
      assert.ok(g.evidence.includes('dev: group developers holds developer'));
      assert.ok(g.evidence.includes('prod: group developers holds readonly'));
      const forwarded = replay!.callsOf('ListAccountAssignments');
      assert.ok(forwarded.length >= 11 && forwarded.every((c) => !c.replayed), 'assignments come from moto');
      assert.ok(replay!.callsOf('ListPermissionSetsProvisionedToAccount').every((c) => c.replayed && c.body.includes('LATEST_PERMISSION_SET_PROVISIONED')));
    });

    it('fails naming a set not re-provisioned to dev and a group without its prod assignment', async () => {
      const { outputs, vars } = await buildIdentityCenter({ group: 'readOnly', account: 'prod' });
      const { r } = await run(outputs, loadAwsRoutes('sso-admin-provisioned-sets', vars(false)), ['identity-center-assignments']);
      const g = r['identity-center-assignments']!;
      assert.equal(g.status, 'fail');
      assert.equal(g.evidence[0], `permission set developer (${outputs.permissionSetArns.developer}) is not provisioned at its latest version in dev (${ACCOUNTS.dev})`);
      assert.match(g.evidence[1]!, new RegExp(`^prod \\(${ACCOUNTS.prod}\\): group readOnly \\(g-read-only\\) has no readonly assignment; assigned: GROUP:g-developers$`));
      assert.match(g.evidence.at(-1)!, /timed out after 600000 ms/);
      assert.match(g.hint!, /re-provision the permission set/);
    });
  });
});
