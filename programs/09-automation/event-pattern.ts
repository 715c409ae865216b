/**
 * An EventBridge event-pattern matcher following the documented semantics (EventBridge User Guide,
 * "Event patterns" and "Comparison operators"), used offline to prove phase 9's patterns against
 * sample events (moto does not implement TestEventPattern; the gate calls the real one). Rules:
 * - every field of the pattern must match (AND); `$or` takes a list of sub-patterns (any);
 * - a leaf is a list of alternatives; it matches when any alternative matches any value found at
 *   that path in the event. Arrays in the event are descended: the values at a path through an array
 *   of objects are the values of every element (EventBridge does not tie two fields to one element);
 * - exact values match by JSON equality (strings, numbers, booleans, null);
 * - `{prefix}`, `{suffix}` (strings), `{numeric: [op, n, ...]}` (JSON numbers only, all conditions),
 *   `{exists: bool}`, `{anything-but: value | [values] | {prefix}}`, `{equals-ignore-case}`;
 * - a missing field matches only `{exists: false}`.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const MISSING = Symbol('missing');

function valuesAt(node: unknown, path: string[]): unknown[] {
  if (Array.isArray(node)) return node.flatMap((n) => valuesAt(n, path));
  if (path.length === 0) return [node];
  if (node === null || typeof node !== 'object' || !(path[0]! in (node as object))) return [];
  return valuesAt((node as Record<string, unknown>)[path[0]!], path.slice(1));
}

const NUMERIC: Record<string, (a: number, b: number) => boolean> = { '<': (a, b) => a < b, '<=': (a, b) => a <= b, '=': (a, b) => a === b, '>=': (a, b) => a >= b, '>': (a, b) => a > b };

function matchAlternative(alt: Json, value: unknown): boolean {
  if (alt === null || typeof alt !== 'object') return value !== MISSING && value === alt;
  if (Array.isArray(alt)) throw new Error('a pattern alternative cannot be an array');
  const [op, arg] = Object.entries(alt)[0] ?? [];
  if (op === 'exists') return (value !== MISSING) === arg;
  if (value === MISSING) return false;
  switch (op) {
    case 'prefix':
      return typeof value === 'string' && typeof arg === 'string' && value.startsWith(arg);
    case 'suffix':
      return typeof value === 'string' && typeof arg === 'string' && value.endsWith(arg);
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof arg === 'string' && value.toLowerCase() === arg.toLowerCase();
    case 'numeric': {
      if (typeof value !== 'number' || !Array.isArray(arg)) return false;
      for (let i = 0; i < arg.length; i += 2) if (!NUMERIC[String(arg[i])]!(value, Number(arg[i + 1]))) return false;
      return true;
    }
    case 'anything-but':
      if (Array.isArray(arg)) return !arg.some((a) => a === value);
      if (arg !== null && typeof arg === 'object') return !matchAlternative(arg, value);
      return value !== arg;
    default:
      throw new Error(`unsupported pattern operator '${op}'`);
  }
}

function matchNode(pattern: Record<string, Json>, event: unknown, path: string[]): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(sub) || !sub.some((p) => matchNode(p as Record<string, Json>, event, path))) return false;
      continue;
    }
    const here = [...path, key];
    if (Array.isArray(sub)) {
      const values = valuesAt(event, here);
      const candidates: unknown[] = values.length === 0 ? [MISSING] : values;
      if (!sub.some((alt) => candidates.some((v) => matchAlternative(alt, v)))) return false;
    } else if (sub !== null && typeof sub === 'object') {
      if (!matchNode(sub, event, here)) return false;
    } else {
      throw new Error(`pattern field '${here.join('.')}' must be a list or an object`);
    }
  }
  return true;
}

/** True when `event` matches `pattern` under EventBridge's documented rules. */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return matchNode(pattern as Record<string, Json>, event, []);
}
