/**
 * IAM rules (reference/reliability.md §3 rows 28-30). They read identity policies wherever a program
 * can write one: managed policies, inline role/user/group policies, a role's `inlinePolicies`, and
 * Identity Center inline policies. SCPs (aws:organizations/policy) are guardrails, not grants, and
 * are not read. Only Allow statements count.
 */
import type { CheckResource, ResourceRule, ReportViolation } from '../types.js';
import { allowedActions, list, policyStatements, principals, resourcesOf, type PolicyStatement } from '../util.js';

/** Where each type keeps its policy document(s). */
function documents(r: CheckResource): { path: string; doc: unknown }[] {
  switch (r.type) {
    case 'aws:iam/role:Role':
      return list<{ policy?: unknown }>(r.props.inlinePolicies).map((p, i) => ({ path: `inlinePolicies[${i}].policy`, doc: p.policy }));
    case 'aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy':
      return [{ path: 'inlinePolicy', doc: r.props.inlinePolicy }];
    default:
      return [{ path: 'policy', doc: r.props.policy }];
  }
}

const POLICY_TYPES = [
  'aws:iam/policy:Policy',
  'aws:iam/rolePolicy:RolePolicy',
  'aws:iam/userPolicy:UserPolicy',
  'aws:iam/groupPolicy:GroupPolicy',
  'aws:iam/role:Role',
  'aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy',
];

function eachAllow(r: CheckResource, report: ReportViolation, fn: (s: PolicyStatement, path: string) => void): void {
  for (const { path, doc } of documents(r)) {
    const parsed = policyStatements(doc);
    if (!parsed) continue;
    if (parsed.invalid) {
      report({ property: path, message: 'the policy document is not valid JSON' });
      continue;
    }
    parsed.statements.forEach((s, i) => {
      if ((s.Effect ?? 'Allow') === 'Allow') fn(s, `${path}.Statement[${i}]`);
    });
  }
}

/** Actions that let a principal grant itself more (checkov CKV_AWS_286's list, trimmed to IAM). */
export const ESCALATION_ACTIONS = [
  'iam:passrole',
  'iam:createpolicyversion',
  'iam:setdefaultpolicyversion',
  'iam:attachrolepolicy',
  'iam:attachuserpolicy',
  'iam:attachgrouppolicy',
  'iam:putrolepolicy',
  'iam:putuserpolicy',
  'iam:putgrouppolicy',
  'iam:createaccesskey',
  'iam:updateassumerolepolicy',
  'iam:createloginprofile',
  'iam:updateloginprofile',
  'iam:*',
];

export const iamRules: ResourceRule[] = [
  {
    kind: 'resource',
    name: 'iam-no-admin-policy',
    description: 'No identity policy allows Action "*" (full administrator)',
    severity: 'high',
    mirrors: ['CKV_AWS_62', 'CKV_AWS_63', 'CKV_AWS_1', 'AVD-AWS-0057', 'CIS AWS 1.16', 'iam-policy-no-statements-with-admin-access'],
    fix: 'list the actions the principal needs; attach AdministratorAccess only to break-glass roles through Identity Center',
    resourceTypes: POLICY_TYPES,
    validateResource(r, report) {
      eachAllow(r, report, (s, path) => {
        if (allowedActions(s).some((a) => a === '*' || a === '*:*')) report({ property: `${path}.Action`, message: 'the statement allows every action' });
      });
    },
  },
  {
    kind: 'resource',
    name: 'iam-no-wildcard-on-all-resources',
    description: 'No identity policy allows a service-wide wildcard action ("s3:*") on Resource "*"',
    severity: 'high',
    mirrors: ['CKV_AWS_355', 'CKV_AWS_290', 'AVD-AWS-0057'],
    fix: 'scope Resource to ARNs, or list the specific actions',
    resourceTypes: POLICY_TYPES,
    validateResource(r, report) {
      eachAllow(r, report, (s, path) => {
        if (!resourcesOf(s).includes('*')) return;
        const wild = allowedActions(s).filter((a) => a !== '*' && a.endsWith(':*'));
        if (wild.length) report({ property: `${path}.Resource`, message: `${wild.join(', ')} allowed on every resource` });
      });
    },
  },
  {
    kind: 'resource',
    name: 'iam-no-privilege-escalation',
    description: 'No identity policy allows privilege-escalation IAM actions on Resource "*"',
    severity: 'high',
    mirrors: ['CKV_AWS_286', 'CKV_AWS_287', 'CKV_AWS_289'],
    fix: 'scope iam:PassRole and policy-writing actions to named role/policy ARNs',
    resourceTypes: POLICY_TYPES,
    validateResource(r, report) {
      eachAllow(r, report, (s, path) => {
        if (!resourcesOf(s).includes('*')) return;
        const bad = allowedActions(s).filter((a) => ESCALATION_ACTIONS.includes(a));
        if (bad.length) report({ property: `${path}.Action`, message: `${bad.join(', ')} allowed on every resource` });
      });
    },
  },
  {
    kind: 'resource',
    name: 'iam-trust-specific-principals',
    description: 'Role trust policies name specific principals (no "*" without a condition)',
    severity: 'high',
    mirrors: ['CKV_AWS_60', 'AVD-AWS-0057'],
    fix: 'name the account, role, service or OIDC provider in Principal, or add a condition such as aws:PrincipalOrgID',
    resourceTypes: ['aws:iam/role:Role'],
    validateResource(r, report) {
      const parsed = policyStatements(r.props.assumeRolePolicy);
      if (!parsed) return;
      if (parsed.invalid) report({ property: 'assumeRolePolicy', message: 'the trust policy is not valid JSON' });
      parsed.statements.forEach((s, i) => {
        if ((s.Effect ?? 'Allow') !== 'Allow') return;
        if (principals(s.Principal).includes('*') && !s.Condition) report({ property: `assumeRolePolicy.Statement[${i}].Principal`, message: 'any AWS principal may assume this role' });
      });
    },
  },
];
