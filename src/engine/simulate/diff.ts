/**
 * The simulate engine's diff: new resources (from an evaluation) against the persisted ones, by URN.
 * Rules:
 * - a URN only in the new set is `create`; only in the old set is `delete`;
 * - in both: the top-level input properties whose values differ (deep, key-order insensitive) are the
 *   `diffs`; none -> `same`; any that forces replacement (replace-rules.ts) -> `replace`;
 *   otherwise `update`;
 * - secret inputs are compared by a SHA-256 of their canonical JSON, so no plaintext secret is kept;
 * - order: the new resources in registration order, then deletes in reverse registration order of
 *   the old state (dependents were registered after what they depend on, so they go first).
 *
 * Whether a change replaces comes from the providers' rules (replace-rules.ts: the generated
 * table, plus the resource's own `replaceOnChanges`).
 */
import { createHash } from 'node:crypto';
import type { PropertyChange, ResourceOp } from '../../core/events.js';
import { MASK } from '../../core/secrets.js';
import type { WorkerResource } from './protocol.js';
import { replaces } from './replace-rules.js';

/**
 * A resource as the simulate state keeps it: the worker's shape, with each secret input holding
 * `{ secretSha256 }` instead of its value.
 */
export type StoredResource = WorkerResource;

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

/** True when the change from `prev` to `next` cannot be made in place (see replace-rules.ts). */
export function forcesReplacement(type: string, olds: Record<string, unknown>, news: Record<string, unknown>, replaceOnChanges: readonly string[] = [], secretInputs: readonly string[] = []): boolean {
  return replaces(type, olds, news, (a, b) => canonicalJson(a) === canonicalJson(b), replaceOnChanges, secretInputs);
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
    else ops.push({ ...base, op: forcesReplacement(r.type, prev.inputs, r.inputs, r.replaceOnChanges, [...prev.secretInputs, ...r.secretInputs]) ? 'replace' : 'update', diffs, changes: propertyChanges(prev, r, diffs) });
  }
  for (const r of [...old].reverse()) {
    if (!nextUrns.has(r.urn)) ops.push({ urn: r.urn, type: r.type, name: r.name, op: 'delete' });
  }
  return ops;
}
