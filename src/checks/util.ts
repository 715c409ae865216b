/**
 * Small pure helpers the rules share: reading nested inputs, IAM policy documents (a JSON string or
 * an object, Statement as one object or a list), CIDRs open to the world, port ranges, and linking a
 * primary resource (bucket, VPC) to its companions (public access block, flow log).
 */
import type { CheckResource } from './types.js';

/** The value at a dotted path (`a.b.c`), or undefined. */
export function at(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** A value that may be one item or a list, as a list (absent -> []). */
export function list<T = unknown>(v: unknown): T[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as T[];
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export const WORLD_CIDRS = new Set(['0.0.0.0/0', '::/0']);

export function openToWorld(cidrs: unknown): boolean {
  return list<string>(cidrs).some((c) => typeof c === 'string' && WORLD_CIDRS.has(c.trim()));
}

/** True when the port range [from, to] (protocol -1/all counts as every port) includes `port`. */
export function rangeIncludes(protocol: unknown, from: unknown, to: unknown, port: number): boolean {
  if (protocol === '-1' || protocol === -1 || protocol === 'all') return true;
  const f = Number(from ?? 0);
  const t = Number(to ?? f);
  if (f === 0 && t === 0) return protocol === '-1';
  return f <= port && port <= t;
}

export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/**
 * Parses an IAM policy document given as JSON text or as an object. Returns undefined when the
 * value is absent or a secret placeholder; throws nothing: unparsable text gives `{ invalid: true }`.
 */
export function policyStatements(doc: unknown): { statements: PolicyStatement[]; invalid: boolean } | undefined {
  if (doc === undefined || doc === null || doc === '[secret]') return undefined;
  let obj: unknown = doc;
  if (typeof doc === 'string') {
    try {
      obj = JSON.parse(doc);
    } catch {
      return { statements: [], invalid: true };
    }
  }
  if (!isRecord(obj)) return { statements: [], invalid: true };
  return { statements: list<PolicyStatement>(obj.Statement).filter(isRecord), invalid: false };
}

/** Actions (lower-cased) of an Allow statement; Deny statements give []. */
export function allowedActions(s: PolicyStatement): string[] {
  if ((s.Effect ?? 'Allow') !== 'Allow') return [];
  return list<string>(s.Action).map((a) => String(a).toLowerCase());
}

export function resourcesOf(s: PolicyStatement): string[] {
  return list<string>(s.Resource).map(String);
}

/** Principals of a statement as strings (`*`, ARNs, service names). */
export function principals(p: unknown): string[] {
  if (p === '*') return ['*'];
  if (!isRecord(p)) return [];
  return Object.values(p).flatMap((v) => list<string>(v).map(String));
}

/** Values a resource can be referred to by: its physical id, explicit name inputs, its logical name. */
export function handles(r: CheckResource, nameKeys: readonly string[]): Set<string> {
  const out = new Set<string>();
  if (r.id) out.add(r.id);
  for (const k of nameKeys) {
    const v = r.props[k];
    if (typeof v === 'string' && v.length > 0) out.add(v);
  }
  return out;
}

/**
 * Links each primary to the companions that refer to it through `refKey` (a bucket's public access
 * block through `bucket`, a VPC's flow log through `vpcId`). A companion whose reference matches no
 * primary's handle cannot be resolved offline (an unknown id, a component output): such companions
 * are handed, in order and within the same phase, to primaries that have none yet. So a VPC is
 * reported as unlogged only when its phase holds fewer flow logs than VPCs.
 */
export function linkCompanions(
  primaries: readonly CheckResource[],
  companions: readonly CheckResource[],
  refKey: string,
  nameKeys: readonly string[],
): Map<CheckResource, CheckResource[]> {
  const links = new Map<CheckResource, CheckResource[]>(primaries.map((p) => [p, []]));
  const byHandle = new Map<string, CheckResource>();
  for (const p of primaries) for (const h of handles(p, nameKeys)) byHandle.set(`${p.phase}\u0000${h}`, p);
  const unresolved: CheckResource[] = [];
  for (const c of companions) {
    const ref = c.props[refKey];
    const p = typeof ref === 'string' ? byHandle.get(`${c.phase}\u0000${ref}`) : undefined;
    if (p) links.get(p)!.push(c);
    else unresolved.push(c);
  }
  for (const c of unresolved) {
    const p = primaries.find((x) => x.phase === c.phase && links.get(x)!.length === 0);
    if (p) links.get(p)!.push(c);
  }
  return links;
}

export function ofType(resources: readonly CheckResource[], types: readonly string[]): CheckResource[] {
  const set = new Set(types);
  return resources.filter((r) => set.has(r.type));
}
