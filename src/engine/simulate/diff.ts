/**
 * The simulate engine's diff: new resources (from an evaluation) against the persisted ones, by URN.
 * Rules:
 * - a URN only in the new set is `create`; only in the old set is `delete`;
 * - in both: the top-level input properties whose values differ (deep, key-order insensitive) are the
 *   `diffs`; none -> `same`; any that forces replacement (REPLACE_RULES below) -> `replace`;
 *   otherwise `update`;
 * - secret inputs are compared by a SHA-256 of their canonical JSON, so no plaintext secret is kept;
 * - order: the new resources in registration order, then deletes in reverse registration order of
 *   the old state (dependents were registered after what they depend on, so they go first).
 *
 * The replace table is a small, documented approximation of the providers' schemas ("ForceNew"):
 * `name` forces replacement for every type (most AWS and Kubernetes resources cannot be renamed in
 * place, and the contract suite's dynamic provider replaces on it); a few types add the properties
 * that cannot change in place. Paths may be nested (`metadata.name`).
 */
import { createHash } from 'node:crypto';
import type { PropertyChange, ResourceOp } from '../../core/events.js';
import { MASK } from '../../core/secrets.js';

/** A resource as the simulate state keeps it (secret inputs hashed). */
export interface StoredResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  id: string;
  /** Inputs; each secret key holds `{ secretSha256 }` instead of its value. */
  inputs: Record<string, unknown>;
  secretInputs: string[];
}

export type DiffOp = Extract<ResourceOp, 'create' | 'update' | 'replace' | 'delete' | 'same'>;

export interface PlannedOp {
  urn: string;
  type: string;
  name: string;
  op: DiffOp;
  /** Changed top-level input names (update/replace). */
  diffs?: string[];
  /** The same properties with old -> new values; secret inputs (either side) shown as "[secret]". */
  changes?: PropertyChange[];
}

/** Old -> new values of the changed keys; a key secret on either side is masked on both. */
export function propertyChanges(prev: StoredResource, next: StoredResource, keys: readonly string[]): PropertyChange[] {
  const secret = new Set([...prev.secretInputs, ...next.secretInputs]);
  return keys.map((k) => {
    if (secret.has(k)) return { path: k, ...(k in prev.inputs ? { old: MASK } : {}), ...(k in next.inputs ? { new: MASK } : {}), secret: true };
    return { path: k, ...(k in prev.inputs ? { old: prev.inputs[k] } : {}), ...(k in next.inputs ? { new: next.inputs[k] } : {}) };
  });
}

/** Input paths that force replacement, for every type. */
export const GENERAL_REPLACE_PATHS: readonly string[] = ['name'];

/** Input paths that force replacement, per type token (in addition to GENERAL_REPLACE_PATHS). */
export const REPLACE_RULES: Readonly<Record<string, readonly string[]>> = {
  'aws:s3/bucket:Bucket': ['bucket', 'bucketPrefix'],
  'aws:s3/bucketV2:BucketV2': ['bucket', 'bucketPrefix'],
  'aws:ec2/vpc:Vpc': ['cidrBlock', 'instanceTenancy'],
  // A remote component: one resource under mocks; a new CIDR replaces the VPC it wraps.
  'awsx:ec2:Vpc': ['cidrBlock'],
  'aws:ec2/subnet:Subnet': ['cidrBlock', 'availabilityZone', 'availabilityZoneId', 'vpcId'],
  'aws:ec2/securityGroup:SecurityGroup': ['vpcId', 'description', 'namePrefix'],
  'aws:ec2/natGateway:NatGateway': ['subnetId', 'allocationId', 'connectivityType'],
  'aws:ec2/routeTable:RouteTable': ['vpcId'],
  'aws:ec2/vpcEndpoint:VpcEndpoint': ['vpcId', 'serviceName', 'vpcEndpointType'],
  'aws:iam/role:Role': ['path', 'namePrefix'],
  'aws:kms/alias:Alias': ['namePrefix'],
  'aws:route53/zone:Zone': ['delegationSetId'],
  'aws:route53/record:Record': ['zoneId', 'type', 'setIdentifier'],
  'aws:eks/cluster:Cluster': ['roleArn'],
  'aws:eks/nodeGroup:NodeGroup': ['clusterName', 'nodeGroupName', 'nodeRoleArn', 'subnetIds', 'capacityType', 'amiType'],
  'aws:rds/instance:Instance': ['identifier', 'engine', 'storageEncrypted', 'kmsKeyId', 'dbSubnetGroupName'],
  'aws:ecr/repository:Repository': [],
  'aws:lambda/function:Function': [],
  'kubernetes:core/v1:Namespace': ['metadata.name'],
  'kubernetes:core/v1:Secret': ['metadata.name', 'metadata.namespace', 'type'],
  'kubernetes:apps/v1:Deployment': ['metadata.name', 'metadata.namespace', 'spec.selector'],
  'kubernetes:helm.sh/v3:Release': ['namespace'],
};

/** Canonical JSON: object keys sorted, so equal data gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** What the state keeps for a secret input value. */
export function hashSecret(value: unknown): { secretSha256: string } {
  return { secretSha256: createHash('sha256').update(canonicalJson(value) ?? 'undefined').digest('hex') };
}

/** Replaces each secret input's value with its hash (for persisting and diffing). */
export function toStoredInputs(inputs: Record<string, unknown>, secretInputs: readonly string[]): Record<string, unknown> {
  const secret = new Set(secretInputs);
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, secret.has(k) ? hashSecret(v) : v]));
}

function at(value: unknown, path: string): unknown {
  let cur = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** True when the change from `olds` to `news` cannot be made in place for this type. */
export function forcesReplacement(type: string, olds: Record<string, unknown>, news: Record<string, unknown>): boolean {
  const paths = [...GENERAL_REPLACE_PATHS, ...(REPLACE_RULES[type] ?? [])];
  return paths.some((p) => canonicalJson(at(olds, p)) !== canonicalJson(at(news, p)));
}

/** Top-level input names whose values differ. */
export function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => canonicalJson(olds[k]) !== canonicalJson(news[k])).sort();
}

/** Plans the operations that take the `old` resources to the `next` ones (see the file header). */
export function diffResources(old: readonly StoredResource[], next: readonly StoredResource[]): PlannedOp[] {
  const oldByUrn = new Map(old.map((r) => [r.urn, r]));
  const nextUrns = new Set(next.map((r) => r.urn));
  const ops: PlannedOp[] = [];
  for (const r of next) {
    const prev = oldByUrn.get(r.urn);
    const base = { urn: r.urn, type: r.type, name: r.name };
    if (!prev) {
      ops.push({ ...base, op: 'create' });
      continue;
    }
    const diffs = changedKeys(prev.inputs, r.inputs);
    if (diffs.length === 0) ops.push({ ...base, op: 'same' });
    else ops.push({ ...base, op: forcesReplacement(r.type, prev.inputs, r.inputs) ? 'replace' : 'update', diffs, changes: propertyChanges(prev, r, diffs) });
  }
  for (const r of [...old].reverse()) {
    if (!nextUrns.has(r.urn)) ops.push({ urn: r.urn, type: r.type, name: r.name, op: 'delete' });
  }
  return ops;
}
