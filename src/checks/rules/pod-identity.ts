/**
 * `iam-pod-identity-trust`: a role trusted by EKS Pod Identity (`pods.eks.amazonaws.com`) uses the
 * conditions AWS documents for it (EKS user guide, "Create IAM role with trust policy required by
 * EKS Pod Identity" and "Enable or disable session tags"): StringEquals on the session tags
 * `aws:RequestTag/eks-cluster-arn` (or `eks-cluster-name`), `kubernetes-namespace` and
 * `kubernetes-service-account`, plus `aws:SourceAccount`. A condition on `aws:SourceArn` is a
 * finding: AWS documents no value for it under Pod Identity, and the cluster ARN there denied every
 * assume in review B8.
 */
import type { ResourceRule } from '../types.js';
import { isRecord, list, policyStatements, principals } from '../util.js';

const POD_IDENTITY = 'pods.eks.amazonaws.com';
const REQUIRED_TAGS = [
  ['aws:RequestTag/eks-cluster-arn', 'aws:RequestTag/eks-cluster-name'],
  ['aws:RequestTag/kubernetes-namespace'],
  ['aws:RequestTag/kubernetes-service-account'],
  ['aws:SourceAccount'],
] as const;

/** Condition keys (lower-cased) of a statement, by operator (`StringEquals` -> keys). */
function conditionKeys(cond: unknown, operators: (op: string) => boolean): Set<string> {
  const out = new Set<string>();
  if (!isRecord(cond)) return out;
  for (const [op, block] of Object.entries(cond)) {
    if (!operators(op) || !isRecord(block)) continue;
    for (const [k, v] of Object.entries(block)) if (list(v).length > 0) out.add(k.toLowerCase());
  }
  return out;
}

export const podIdentityRules: ResourceRule[] = [
  {
    kind: 'resource',
    name: 'iam-pod-identity-trust',
    description: 'A Pod Identity role is trusted only through the documented session-tag conditions (cluster, namespace, service account) and aws:SourceAccount, never aws:SourceArn',
    severity: 'high',
    mirrors: ['EKS user guide pod-id-role', 'EKS Best Practices IAM (Pod Identity trust)'],
    fix: 'condition the pods.eks.amazonaws.com statement on StringEquals aws:RequestTag/eks-cluster-arn, aws:RequestTag/kubernetes-namespace, aws:RequestTag/kubernetes-service-account and aws:SourceAccount; drop aws:SourceArn',
    resourceTypes: ['aws:iam/role:Role'],
    validateResource(r, report) {
      const parsed = policyStatements(r.props.assumeRolePolicy);
      if (!parsed || parsed.invalid) return;
      parsed.statements.forEach((s, i) => {
        if ((s.Effect ?? 'Allow') !== 'Allow' || !principals(s.Principal).includes(POD_IDENTITY)) return;
        const at = `assumeRolePolicy.Statement[${i}].Condition`;
        const all = conditionKeys(s.Condition, () => true);
        if (all.has('aws:sourcearn')) {
          report({ property: at, message: 'conditions on aws:SourceArn, for which AWS documents no Pod Identity value (a cluster ARN there denies every assume)' });
        }
        const exact = conditionKeys(s.Condition, (op) => op === 'StringEquals');
        const missing = REQUIRED_TAGS.filter((alts) => !alts.some((k) => exact.has(k.toLowerCase()))).map((alts) => alts[0]);
        if (missing.length) report({ property: at, message: `Pod Identity trust without StringEquals on ${missing.join(', ')}: any association in the account could use this role` });
      });
    },
  },
];
