/**
 * The building blocks of synthetic state, shared by the per-type builders (synthetic.ts) and the
 * component builders (synthetic-components.ts): the context, the values a builder sees, and
 * deterministic hash-derived ids (every value derives from SHA-256 of its parts, never from time
 * or randomness).
 */
import { createHash } from 'node:crypto';

export interface SyntheticContext {
  accountId: string;
  region: string;
  stack: string;
}

export interface SyntheticResult {
  id: string;
  state: Record<string, unknown>;
}

export function shortHash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 17);
}

/** `n` hex characters derived from the parts (n up to 64). */
export function hexOf(n: number, ...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, n);
}

/** `n` decimal digits derived from the parts, the first never 0. */
export function digitsOf(n: number, ...parts: string[]): string {
  const bytes = createHash('sha256').update(parts.join('\u0000')).digest();
  let s = '';
  for (let i = 0; s.length < n; i++) s += String(bytes[i % bytes.length]! % 10);
  return (s[0] === '0' ? '1' : s[0]) + s.slice(1, n);
}

/** `n` lower-case alphanumerics derived from the parts. */
export function alnumOf(n: number, ...parts: string[]): string {
  const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = createHash('sha256').update(parts.join('\u0000')).digest();
  let s = '';
  for (let i = 0; s.length < n; i++) s += abc[bytes[i % bytes.length]! % abc.length];
  return s;
}

/** A UUID-shaped id derived from the parts. */
export function uuidOf(...parts: string[]): string {
  const h = hexOf(32, ...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Values shared by the per-type builders. */
export interface Synth {
  ctx: SyntheticContext;
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  region: string;
  account: string;
  /** Seed parts for derived values. */
  seed: string[];
}

