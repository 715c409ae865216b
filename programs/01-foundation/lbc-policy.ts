/**
 * The AWS Load Balancer Controller's published IAM policy, generated statement for statement from
 * kubernetes-sigs/aws-load-balancer-controller `docs/install/iam_policy.json` at the tag phase 2's
 * chart pins (upstream-policies/lbc.generated.ts records the tag and blob id; regenerate with
 * upstream-policies/generate.ts when the chart moves). Writes on load balancers and security
 * groups are scoped by the controller to resources it tagged (`elbv2.k8s.aws/cluster`).
 */
import { doc, type PolicyDocument, type PolicyStatement } from '../shared/iam-docs.js';
import { LBC_POLICY_STATEMENTS } from './upstream-policies/lbc.generated.js';

/** The controller policy document. */
export function lbcPolicy(): PolicyDocument {
  return doc(...(structuredClone(LBC_POLICY_STATEMENTS) as PolicyStatement[]));
}
