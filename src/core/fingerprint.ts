/**
 * Fingerprints: a stable hash of what a phase's deployment depends on — its program sources, the
 * inputs built from the env file and the upstream outputs it consumed, and the engine. Canonical JSON
 * (sorted keys) makes the hash independent of key order. Secret values go into the hash (a change
 * must re-run the phase) but the hash reveals nothing about them.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .filter((k) => o[k] !== undefined)
        .map((k) => [k, sortDeep(o[k])]),
    );
  }
  return v;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function hashValue(value: unknown): string {
  return sha256(canonicalJson(value));
}

export interface FingerprintParts {
  sources: string;
  inputs: unknown;
  engine: string;
  /**
   * Set when the inputs were built with upstream secrets replaced by placeholders (so that deciding
   * a skip decrypts nothing): hashes of everything the inputs could have derived from those secrets
   * (the env file, the organization file and the upstream outputs they came from).
   */
  sealed?: unknown;
}

export function fingerprint(parts: FingerprintParts): string {
  return hashValue({ v: 1, sources: parts.sources, inputs: parts.inputs, engine: parts.engine, sealed: parts.sealed }).slice(0, 16);
}
