/**
 * Every rule, in a stable order. Rule names are unique (a test checks it) and are what env-file
 * suppressions name.
 */
import type { Rule } from '../types.js';
import { eksRules } from './eks.js';
import { computeNetworkRules } from './compute-network.js';
import { s3Rules } from './s3.js';
import { auditKeyRules } from './audit-keys.js';
import { iamRules } from './iam.js';
import { workloadRules, meshRules } from './kubernetes.js';
import { manifestRules } from './manifest-schema.js';
import { helmRules } from './helm-charts.js';
import { serviceLinkedRoleRules } from './service-linked-roles.js';
import { privateApiAccessRules } from './private-api-access.js';
import { podIdentityRules } from './pod-identity.js';
import { ownershipRules } from './ownership.js';
import { eksAccessRules } from './eks-access.js';
import { lambdaRules } from './lambda.js';

export const allRules: readonly Rule[] = [
  ...eksRules,
  ...computeNetworkRules,
  ...s3Rules,
  ...auditKeyRules,
  ...iamRules,
  ...serviceLinkedRoleRules,
  ...privateApiAccessRules,
  ...workloadRules,
  ...meshRules,
  ...manifestRules,
  ...helmRules,
  ...podIdentityRules,
  ...ownershipRules,
  ...eksAccessRules,
  ...lambdaRules,
];
