/**
 * Phase 0 gates on access (reference/phases.md, phase 0 "Gate" 2 and 3):
 *
 * - `scp-region-deny-effective`, the negative test. For each env account it assumes the verifier
 *   role (ReadOnlyAccess, no region condition of its own) and calls ec2:DescribeVpcs twice: in the
 *   primary region, where it must succeed, and in a region outside the allowed ones, where the
 *   region-deny SCP must refuse it. Decision:
 *     allowed call fails                      -> fail, terminal (the role cannot read at all: the
 *                                                negative test would prove nothing)
 *     denied call succeeds                    -> fail (the SCP is not in effect yet; polled)
 *     denied, message names an SCP            -> pass
 *     denied, message names another policy    -> fail, terminal (identity, boundary, session or
 *                                                resource policy: not the SCP)
 *     denied, message names no policy type    -> pass, noted: EC2 often answers Describe* denials
 *                                                with a bare UnauthorizedOperation; a denial that
 *                                                only happens outside the allowed regions for a
 *                                                role without region conditions is the SCP's
 *     any other error (throttling, network)   -> fail (polled)
 * - `identity-center-assignments`: for each member account, ListPermissionSetsProvisionedToAccount
 *   (LATEST_PERMISSION_SET_PROVISIONED) contains every permission set assigned there, and
 *   ListAccountAssignments shows each expected group on each set.
 */
import { EC2Client, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { SSOAdminClient, ListPermissionSetsProvisionedToAccountCommand, ListAccountAssignmentsCommand } from '@aws-sdk/client-sso-admin';
import type { Gate } from '../../src/core/gate.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { awsErrorText } from '../../src/gates/probes/aws.js';
import { Evidence } from '../../src/gates/evidence.js';
import type { Phase0Outputs } from './phase.js';
import { ASSIGNMENTS } from './layout.js';

type G = Gate<Phase0Outputs, Probes>;
type AccountKey = keyof Phase0Outputs['accountIds'];

/** Regions enabled in every account by default, tried in order as the "disallowed" region. */
export const DENIED_REGION_CANDIDATES = ['us-west-2', 'us-east-2', 'eu-north-1', 'ap-southeast-2', 'ca-central-1'] as const;

/** The first default-enabled region outside the allowed ones (opt-in regions would fail with AuthFailure, not the SCP). */
export function deniedRegionFor(regions: { primary: string; dr: string }): string {
  return DENIED_REGION_CANDIDATES.find((r) => r !== regions.primary && r !== regions.dr)!;
}

/** How an AWS error relates to an SCP denial. */
export type DenialKind = 'scp' | 'other-policy' | 'unnamed' | 'not-a-denial';

const DENIAL_CODES = ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess'];
const OTHER_POLICY = /(identity-based policy|permissions boundary|session policy|resource-based policy|VPC endpoint policy|resource control policy)/i;

/** Classifies a refused call by its error code and message (pure; see the header for the rules). */
export function classifyDenial(e: unknown): { kind: DenialKind; text: string } {
  const err = e as { name?: string; Code?: string };
  const code = err.Code ?? err.name ?? '';
  const text = awsErrorText(e);
  if (!DENIAL_CODES.includes(code)) return { kind: 'not-a-denial', text };
  if (/service control polic/i.test(text)) return { kind: 'scp', text };
  const other = OTHER_POLICY.exec(text);
  if (other) return { kind: 'other-policy', text };
  return { kind: 'unnamed', text };
}

const scpRegionDeny: G = {
  name: 'scp-region-deny-effective',
  description: 'Negative test: the env verifier role is refused ec2:DescribeVpcs outside the allowed regions by the region-deny SCP',
  live: true,
  timeoutMs: 5 * 60_000,
  intervalMs: 20_000,
  after: ['scps-attached'],
  async check({ outputs, probes }) {
    const ev = new Evidence();
    const denied = deniedRegionFor(outputs.regions);
    for (const env of ['dev', 'stg', 'prod'] as const) {
      const roleArn = outputs.verifierRoleArns[env];
      let who: Awaited<ReturnType<Probes['aws']['assume']>>;
      try {
        who = await probes.aws.assume(roleArn, `platform-gate-scp-${env}`);
      } catch (e) {
        ev.problem(`${env}: cannot assume verifier role ${roleArn}: ${awsErrorText(e)}`);
        continue;
      }
      try {
        await who.probe.client(EC2Client, { region: outputs.regions.primary }).send(new DescribeVpcsCommand({ MaxResults: 5 }));
      } catch (e) {
        ev.problem(`${env}: ec2:DescribeVpcs in the allowed region ${outputs.regions.primary} failed as ${who.arn} (${awsErrorText(e)}): the verifier role cannot read, so a denial elsewhere would prove nothing`, true);
        continue;
      }
      try {
        await who.probe.client(EC2Client, { region: denied }).send(new DescribeVpcsCommand({ MaxResults: 5 }));
        ev.problem(`${env}: ec2:DescribeVpcs in ${denied} succeeded as ${who.arn}: the region-deny SCP is not in effect for account ${who.account}`);
      } catch (e) {
        const d = classifyDenial(e);
        if (d.kind === 'scp') ev.saw(`${env}: ec2:DescribeVpcs allowed in ${outputs.regions.primary}, denied in ${denied} by a service control policy (${d.text})`);
        else if (d.kind === 'unnamed') ev.saw(`${env}: ec2:DescribeVpcs allowed in ${outputs.regions.primary}, denied in ${denied} (${d.text}); the message names no policy type, and only the region-deny SCP conditions on the region`);
        else if (d.kind === 'other-policy') ev.problem(`${env}: ec2:DescribeVpcs in ${denied} was denied by another policy, not the SCP: ${d.text}`, true);
        else ev.problem(`${env}: ec2:DescribeVpcs in ${denied} failed without a denial: ${d.text}`);
      }
    }
    return ev.outcome(`check that platform-region-deny is attached to the env's OU and allows exactly ${outputs.regions.primary} and ${outputs.regions.dr}; SCP changes can take a few minutes to apply`);
  },
};


const identityCenter: G = {
  name: 'identity-center-assignments',
  description: 'Every assigned permission set is provisioned at its latest version in its account, and each group holds its assignments',
  live: true,
  timeoutMs: 10 * 60_000,
  intervalMs: 30_000,
  after: ['accounts-in-ous'],
  async check({ outputs, probes }) {
    const sso = probes.aws.client(SSOAdminClient);
    const ev = new Evidence();
    const InstanceArn = outputs.ssoInstanceArn;
    const setName = new Map(Object.entries(outputs.permissionSetArns).map(([k, v]) => [v, k]));
    for (const account of Object.keys(outputs.accountIds) as AccountKey[]) {
      const AccountId = outputs.accountIds[account];
      const wanted = ASSIGNMENTS.filter((a) => a.accounts.includes(account));
      const provisioned = new Set<string>();
      let NextToken: string | undefined;
      do {
        const r = await sso.send(new ListPermissionSetsProvisionedToAccountCommand({ InstanceArn, AccountId, ProvisioningStatus: 'LATEST_PERMISSION_SET_PROVISIONED', NextToken }));
        for (const arn of r.PermissionSets ?? []) provisioned.add(arn);
        NextToken = r.NextToken;
      } while (NextToken);
      ev.saw(`${account} (${AccountId}): latest version provisioned of ${[...provisioned].map((a) => setName.get(a) ?? a).sort().join(', ') || 'no permission set'}`);
      for (const set of [...new Set(wanted.map((w) => w.permissionSet))]) {
        const PermissionSetArn = outputs.permissionSetArns[set];
        if (!provisioned.has(PermissionSetArn)) ev.problem(`permission set ${set} (${PermissionSetArn}) is not provisioned at its latest version in ${account} (${AccountId})`);
        const principals: { PrincipalType?: string; PrincipalId?: string }[] = [];
        let token: string | undefined;
        do {
          const r = await sso.send(new ListAccountAssignmentsCommand({ InstanceArn, AccountId, PermissionSetArn, NextToken: token }));
          principals.push(...(r.AccountAssignments ?? []));
          token = r.NextToken;
        } while (token);
        for (const w of wanted.filter((x) => x.permissionSet === set)) {
          const groupId = outputs.groupIds[w.group];
          if (principals.some((p) => p.PrincipalType === 'GROUP' && p.PrincipalId === groupId)) ev.saw(`${account}: group ${w.group} holds ${set}`);
          else ev.problem(`${account} (${AccountId}): group ${w.group} (${groupId}) has no ${set} assignment; assigned: ${principals.map((p) => `${p.PrincipalType}:${p.PrincipalId}`).join(', ') || 'nobody'}`);
        }
      }
    }
    return ev.outcome('provisioning is asynchronous: wait, or re-provision the permission set in IAM Identity Center; missing assignments need `platform up --phase 0`');
  },
};

/** The access gates of phase 0, appended to `gates` in gates.ts. */
export const accessGates: G[] = [scpRegionDeny, identityCenter];
