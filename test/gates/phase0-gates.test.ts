import { strict as assert } from 'node:assert';
import {
  OrganizationsClient,
  CreateOrganizationCommand,
  ListRootsCommand,
  EnablePolicyTypeCommand,
  CreateOrganizationalUnitCommand,
  CreateAccountCommand,
  DescribeCreateAccountStatusCommand,
  MoveAccountCommand,
  CreatePolicyCommand,
  AttachPolicyCommand,
} from '@aws-sdk/client-organizations';
import { gates } from '../../programs/00-organization/gates.js';
import { MEMBER_ACCOUNTS, SCP_TARGET_OUS } from '../../programs/00-organization/layout.js';
import { createProbes } from '../../src/gates/probes/index.js';
import { runGates, type GatedPhase } from '../../src/gates/run-gates.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testEnv } from '../helpers/env-fixtures.js';
import { startMoto, motoConfig, TEST_CREDENTIALS, type Moto } from './moto.js';

function phase0(): GatedPhase {
  return { id: 0, gates };
}

describe('phase 0 gates (against the moto AWS emulator)', function () {
  this.timeout(120_000);
  let moto: Moto;
  let org: OrganizationsClient;
  before(async () => {
    moto = await startMoto();
    org = new OrganizationsClient(motoConfig(moto, 'us-east-1'));
  });
  after(() => moto?.stop());
  beforeEach(() => moto.reset());

  /** Builds an organization the way phase 0 does and returns its outputs. */
  async function buildOrg(opts: { attachScps: boolean }) {
    const o = await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const rootId = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    await org.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    const ou = async (name: string, parent: string) => (await org.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: name }))).OrganizationalUnit!.Id!;
    const workloads = await ou('Workloads', rootId);
    const ouIds = { workloads, nonprod: await ou('NonProd', workloads), prod: await ou('Prod', workloads), infrastructure: await ou('Infrastructure', rootId) };
    const accountIds: Record<string, string> = {};
    for (const key of Object.keys(MEMBER_ACCOUNTS) as (keyof typeof MEMBER_ACCOUNTS)[]) {
      const c = await org.send(new CreateAccountCommand({ AccountName: key, Email: `aws+${key}@example.com` }));
      const st = await org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: c.CreateAccountStatus!.Id! }));
      accountIds[key] = st.CreateAccountStatus!.AccountId!;
      await org.send(new MoveAccountCommand({ AccountId: accountIds[key], SourceParentId: rootId, DestinationParentId: ouIds[MEMBER_ACCOUNTS[key].ou] }));
    }
    const scpPolicyIds: Record<string, string> = {};
    for (const name of ['guardrails', 'regionDeny', 'dataProtection']) {
      const p = await org.send(new CreatePolicyCommand({ Name: name, Description: name, Type: 'SERVICE_CONTROL_POLICY', Content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }] }) }));
      scpPolicyIds[name] = p.Policy!.PolicySummary!.Id!;
      if (opts.attachScps) for (const t of SCP_TARGET_OUS) await org.send(new AttachPolicyCommand({ PolicyId: scpPolicyIds[name], TargetId: ouIds[t] }));
    }
    const role = (acct: string) => `arn:aws:iam::${acct}:role/platform-deployer`;
    return {
      organizationId: o.Organization!.Id!,
      rootId,
      ouIds,
      accountIds,
      deployRoleArns: { dev: role(accountIds.dev!), stg: role(accountIds.stg!), prod: role(accountIds.prod!) },
      scpPolicyIds,
    };
  }

  async function run(outputs: Record<string, unknown>) {
    const env = testEnv();
    const probes = createProbes(env, outputs, { awsEndpoint: moto.endpoint, awsCredentials: TEST_CREDENTIALS });
    // The access gates (SCP negative test, Identity Center) have their own suite: phase0-access-gates.test.ts.
    return runGates(phase0(), { env, outputs, probes, clock: new FakeClock(), signal: new AbortController().signal, simulated: false, emit: () => {}, only: ['accounts-in-ous', 'scps-attached', 'deploy-roles-assumable'] });
  }

  it('passes on a complete organization: accounts ACTIVE in their OUs, SCPs attached, deploy roles assumable', async () => {
    const outputs = await buildOrg({ attachScps: true });
    const results = await run(outputs);
    for (const r of results) assert.equal(r.status, 'pass', `${r.gate}: ${r.evidence.join(' | ')}`);
    const accounts = results.find((r) => r.gate === 'accounts-in-ous')!;
    assert.ok(accounts.evidence.some((e) => e.startsWith(`account stg ${outputs.accountIds.stg}: ACTIVE in nonprod`)));
    const roles = results.find((r) => r.gate === 'deploy-roles-assumable')!;
    assert.ok(roles.evidence.some((e) => e.includes(`assumed ${outputs.deployRoleArns.prod}`)));
    assert.equal(JSON.stringify(results).includes(TEST_CREDENTIALS.secretAccessKey), false);
  });

  it('fails when an SCP is not attached, naming the policy and OU', async () => {
    const outputs = await buildOrg({ attachScps: false });
    const results = await run(outputs);
    const scps = results.find((r) => r.gate === 'scps-attached')!;
    assert.equal(scps.status, 'fail');
    assert.match(scps.evidence[0]!, /SCP guardrails \(p-[a-z0-9]+\) is not attached to OU workloads \(ou-/);
    assert.match(scps.evidence.at(-1)!, /timed out after/);
  });

  it('fails when an account sits in the wrong OU, and skips the gates that need it', async () => {
    const outputs = await buildOrg({ attachScps: true });
    const wrong = { ...outputs, ouIds: { ...outputs.ouIds, prod: outputs.ouIds.nonprod, nonprod: outputs.ouIds.prod } };
    const results = await run(wrong);
    const accounts = results.find((r) => r.gate === 'accounts-in-ous')!;
    assert.equal(accounts.status, 'fail');
    assert.match(accounts.evidence[0]!, /account dev \(\d{12}\) is not in OU nonprod/);
    assert.equal(results.find((r) => r.gate === 'scps-attached')!.status, 'skipped');
  });

  it('fails when a deploy role lands in another account', async () => {
    const outputs = await buildOrg({ attachScps: true });
    const swapped = { ...outputs, deployRoleArns: { ...outputs.deployRoleArns, prod: outputs.deployRoleArns.dev } };
    const results = await run(swapped);
    const roles = results.find((r) => r.gate === 'deploy-roles-assumable')!;
    assert.equal(roles.status, 'fail');
    assert.match(roles.evidence[0]!, new RegExp(`gave account ${outputs.accountIds.dev}, expected prod account ${outputs.accountIds.prod}`));
  });
});
