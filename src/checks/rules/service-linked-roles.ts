/**
 * Resource policies that name a service-linked role (infra review B4). A key, bucket, queue or topic
 * policy whose principal is `arn:aws:iam::<acct>:role/aws-service-role/<service>/<name>` is
 * rejected by AWS (`MalformedPolicyDocumentException: ... invalid principals`) when that role does
 * not exist yet, and service-linked roles only exist after the service is first used, so a fresh
 * account lacks them. The rule passes such a principal only when the planned graph also creates
 * the role (`aws.iam.ServiceLinkedRole` with that service; the policy's resource should then
 * `dependsOn` it). Otherwise: create it, or grant through a condition instead (for EBS keys,
 * `kms:ViaService: ec2.<region>.amazonaws.com` + `kms:CallerAccount` covers the Auto Scaling and
 * Spot roles, as the AWS-managed aws/ebs key does).
 */
import type { CheckResource, StackRule } from '../types.js';
import { isRecord, list, policyStatements } from '../util.js';

const SLR = /^arn:aws[a-z-]*:iam::\d{12}:role\/aws-service-role\/([^/]+)\/[^/]+$/;

/** Properties that hold resource policies or trust policies, by where they are written. */
function policyProps(r: CheckResource): { path: string; doc: unknown }[] {
  const out: { path: string; doc: unknown }[] = [];
  for (const key of ['policy', 'assumeRolePolicy', 'accessPolicy', 'accessPolicies']) {
    if (r.props[key] !== undefined) out.push({ path: key, doc: r.props[key] });
  }
  return out;
}

function principalValues(p: unknown): string[] {
  if (!isRecord(p)) return [];
  return list<unknown>(p.AWS).map(String);
}

export const serviceLinkedRoleRules: StackRule[] = [
  {
    kind: 'stack',
    name: 'policy-principal-slr-created',
    description: 'A resource policy names a service-linked role as principal only when the plan also creates that role',
    severity: 'high',
    mirrors: ['AWS KMS CreateKey MalformedPolicyDocumentException (invalid principal)', 'IAM Access Analyzer ValidatePolicy'],
    fix: 'create the role with aws.iam.ServiceLinkedRole (and dependsOn it), or grant through a condition (kms:ViaService + kms:CallerAccount) instead of naming the role',
    validateStack(resources, report) {
      const created = new Set(
        resources.filter((r) => r.type === 'aws:iam/serviceLinkedRole:ServiceLinkedRole').map((r) => String(r.props.awsServiceName ?? '')),
      );
      for (const r of resources) {
        for (const { path, doc } of policyProps(r)) {
          const parsed = policyStatements(doc);
          if (!parsed || parsed.invalid) continue;
          parsed.statements.forEach((s, i) => {
            for (const arn of principalValues(s.Principal)) {
              const service = SLR.exec(arn)?.[1];
              if (service && !created.has(service)) {
                report({
                  resource: r,
                  property: `${path}.Statement[${i}].Principal.AWS`,
                  message: `names the service-linked role ${arn.split('/').pop()} (${service}), which a fresh account does not have and this plan does not create`,
                });
              }
            }
          });
        }
      }
    },
  },
];
