/**
 * Pure conversions of Automation API results into our port's shapes: outputs with secret flags,
 * change counts, and planned resources from engine events with secret values masked.
 */
import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import type { ChangeCounts } from '../../core/events.js';
import type { OutputMap, PlannedResource, StackRef } from '../../core/ports.js';

/** Automation API outputs → ours, with the phase's secret keys forced secret. */
export function toOutputMap(outputs: Record<string, { value: unknown; secret: boolean }>, secretKeys: readonly string[]): OutputMap {
  const secret = new Set(secretKeys);
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, { value: o.value, secret: o.secret || secret.has(k) }]));
}

export function countsFromPreview(map: Record<string, number | undefined> | undefined): ChangeCounts {
  const c = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
  for (const k of Object.keys(c) as (keyof typeof c)[]) c[k] = map?.[k] ?? 0;
  return c;
}

export function collectResource(e: EngineEvent, stack: StackRef, into: PlannedResource[]): void {
  const m = e.resourcePreEvent?.metadata;
  if (!m || m.type === 'pulumi:pulumi:Stack' || m.type.startsWith('pulumi:providers:')) return;
  const state = m.new ?? m.old;
  into.push({
    phase: stack.phase,
    urn: m.urn,
    type: m.type,
    name: m.urn.slice(m.urn.lastIndexOf('::') + 2),
    inputs: maskSecrets(state?.inputs ?? {}) as Record<string, unknown>,
    ...(state?.parent ? { parent: state.parent } : {}),
  });
}

const SECRET_SIG = '4dabf18193072939515e22adb298388d';

/** Replaces Pulumi's secret-signature objects (values shown as ciphertext) by "[secret]". */
function maskSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(maskSecrets);
  if (v && typeof v === 'object') {
    if (SECRET_SIG in v) return '[secret]';
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskSecrets(x)]));
  }
  return v;
}
