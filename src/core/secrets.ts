/**
 * Masking: the one place where stack outputs become printable. Secret keys (from the phase's
 * secretOutputs and the engine's secret flags) are replaced by "[secret]" before any event, journal
 * line or --json record is made.
 */
import type { OutputMap } from './ports.js';

export const MASK = '[secret]';

export function maskOutputs(outputs: OutputMap, secretKeys: readonly string[] = []): Record<string, unknown> {
  const secret = new Set(secretKeys);
  return Object.fromEntries(
    Object.entries(outputs).map(([k, o]) => [k, o.secret || secret.has(k) ? MASK : o.value]),
  );
}

export function plainOutputs(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value]));
}

/** Replaces every occurrence of each secret string in `text`. For error messages from engines. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(MASK);
  return out;
}

/** Collects the string leaves of secret outputs, for redaction. */
export function secretStrings(outputs: OutputMap, secretKeys: readonly string[] = []): string[] {
  const secret = new Set(secretKeys);
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const [k, o] of Object.entries(outputs)) if (o.secret || secret.has(k)) walk(o.value);
  return out;
}
