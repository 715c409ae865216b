/**
 * Phase 0 gates (reference/phases.md, phase 0 "Gate"): the organization has all features and SCPs
 * enabled, every member account is ACTIVE in its OU, the baseline SCPs are attached to the OUs they
 * target, and each env's deploy role can be assumed into the right account. They run with the
 * management account's credentials (where phase 0 runs).
 */
import {
  OrganizationsClient,
  DescribeOrganizationCommand,
  ListRootsCommand,
  ListAccountsForParentCommand,
  ListPoliciesForTargetCommand,
  type Account,
} from '@aws-sdk/client-organizations';
import type { Gate } from '../../src/core/gate.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { awsErrorText } from '../../src/gates/probes/aws.js';
import { Evidence } from '../../src/gates/evidence.js';
import type { Phase0Outputs } from './phase.js';
import { accessGates } from './gates-access.js';
import { MEMBER_ACCOUNTS, SCP_TARGET_OUS, type MemberAccountKey } from './layout.js';


type Out = Phase0Outputs;

async function listAll<T>(page: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const p = await page(token);
    out.push(...p.items);
    token = p.next;
  } while (token);
  return out;
}

const accountsInOus: Gate<Out, Probes> = {
  name: 'accounts-in-ous',
  description: 'Organization has all features and SCPs enabled; every member account is ACTIVE in its OU',
  live: true,
  timeoutMs: 10 * 60_000,
  intervalMs: 30_000,
  async check({ outputs, probes }) {
    const org = probes.aws.client(OrganizationsClient);
    const ev = new Evidence();
    const d = await org.send(new DescribeOrganizationCommand({}));
    ev.saw(`organization ${d.Organization?.Id}: FeatureSet=${d.Organization?.FeatureSet}`);
    if (d.Organization?.Id !== outputs.organizationId) ev.problem(`organization is ${d.Organization?.Id}, phase 0 recorded ${outputs.organizationId}`, true);
    if (d.Organization?.FeatureSet !== 'ALL') ev.problem(`FeatureSet is ${d.Organization?.FeatureSet}, not ALL`, true);
    const roots = await org.send(new ListRootsCommand({}));
    const root = roots.Roots?.find((r) => r.Id === outputs.rootId);
    const scp = root?.PolicyTypes?.find((p) => p.Type === 'SERVICE_CONTROL_POLICY');
    ev.saw(`root ${outputs.rootId}: SERVICE_CONTROL_POLICY ${scp?.Status ?? 'absent'}`);
    if (scp?.Status !== 'ENABLED') ev.problem(`SCP policy type is ${scp?.Status ?? 'not enabled'} on root ${outputs.rootId}`);
    const byOu = new Map<string, Account[]>();
    for (const [key, { ou }] of Object.entries(MEMBER_ACCOUNTS) as [MemberAccountKey, (typeof MEMBER_ACCOUNTS)[MemberAccountKey]][]) {
      const ouId = outputs.ouIds[ou];
      if (!byOu.has(ouId)) {
        byOu.set(ouId, await listAll(async (NextToken) => {
          const r = await org.send(new ListAccountsForParentCommand({ ParentId: ouId, NextToken }));
          return { items: r.Accounts ?? [], next: r.NextToken };
        }));
      }
      const id = outputs.accountIds[key];
      const acct = byOu.get(ouId)!.find((a) => a.Id === id);
      if (!acct) ev.problem(`account ${key} (${id}) is not in OU ${ou} (${ouId})`);
      else if (acct.Status !== 'ACTIVE') ev.problem(`account ${key} (${id}) is ${acct.Status}`);
      else ev.saw(`account ${key} ${id}: ACTIVE in ${ou} (${ouId})`);
    }
    return ev.outcome('account creation is asynchronous: wait, or check Organizations > AWS accounts for a failed creation');
  },
};

const scpsAttached: Gate<Out, Probes> = {
  name: 'scps-attached',
  description: 'Every baseline SCP is attached to the OUs it targets',
  live: true,
  timeoutMs: 5 * 60_000,
  intervalMs: 15_000,
  after: ['accounts-in-ous'],
  async check({ outputs, probes }) {
    const org = probes.aws.client(OrganizationsClient);
    const ev = new Evidence();
    for (const ou of SCP_TARGET_OUS) {
      const target = outputs.ouIds[ou];
      const attached = await listAll(async (NextToken) => {
        const r = await org.send(new ListPoliciesForTargetCommand({ TargetId: target, Filter: 'SERVICE_CONTROL_POLICY', NextToken }));
        return { items: r.Policies ?? [], next: r.NextToken };
      });
      const ids = new Set(attached.map((p) => p.Id));
      ev.saw(`OU ${ou} (${target}): ${attached.map((p) => `${p.Name ?? p.Id}`).join(', ') || 'no SCPs'}`);
      for (const [name, id] of Object.entries(outputs.scpPolicyIds)) {
        if (!ids.has(id)) ev.problem(`SCP ${name} (${id}) is not attached to OU ${ou} (${target})`);
      }
    }
    return ev.outcome(`re-run phase 0 to attach them: platform up --phase 0`);
  },
};

const deployRolesAssumable: Gate<Out, Probes> = {
  name: 'deploy-roles-assumable',
  description: "Each env's deploy role can be assumed and lands in that env's account",
  live: true,
  timeoutMs: 5 * 60_000,
  intervalMs: 15_000,
  after: ['accounts-in-ous'],
  async check({ outputs, probes }) {
    const ev = new Evidence();
    for (const env of ['dev', 'stg', 'prod'] as const) {
      const roleArn = outputs.deployRoleArns[env];
      try {
        const who = await probes.aws.assume(roleArn, `platform-gate-${env}`);
        if (who.account !== outputs.accountIds[env]) {
          ev.problem(`assuming ${roleArn} gave account ${who.account}, expected ${env} account ${outputs.accountIds[env]}`, true);
        } else {
          ev.saw(`${env}: assumed ${roleArn} as ${who.arn}`);
        }
      } catch (e) {
        ev.problem(`${env}: cannot assume ${roleArn}: ${awsErrorText(e)}`);
      }
    }
    return ev.outcome("check the role's trust policy names the management/CI principal (IAM changes take seconds to propagate)");
  },
};

/** The gates of phase 0, in the order they are reported. */
export const gates: Gate<Out, Probes>[] = [accountsInOus, scpsAttached, deployRolesAssumable, ...accessGates];
