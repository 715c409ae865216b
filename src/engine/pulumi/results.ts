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

/** Pulumi's placeholder for a value known only after the update (plugin.UnknownStringValue). */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

function holds(v: unknown, pred: (x: unknown) => boolean): boolean {
  if (pred(v)) return true;
  if (Array.isArray(v)) return v.some((x) => holds(x, pred));
  if (v && typeof v === 'object') return Object.values(v).some((x) => holds(x, pred));
  return false;
}

/**
 * The root stack's planned outputs, seen in a preview's events (`new.outputs` of the
 * `pulumi:pulumi:Stack` step or outputs event), or undefined when the preview showed none.
 */
export function stackOutputsFrom(e: EngineEvent): Record<string, unknown> | undefined {
  const m = e.resOutputsEvent?.metadata ?? e.resourcePreEvent?.metadata;
  if (!m || m.type !== 'pulumi:pulumi:Stack') return undefined;
  return (m.new?.outputs as Record<string, unknown> | undefined) ?? undefined;
}

/**
 * A preview's planned outputs as ours: a value holding Pulumi's unknown placeholder is marked
 * unknown; so is a secret (the event stream does not reveal it: "[secret]" or a secret signature).
 */
export function plannedOutputMap(raw: Record<string, unknown>, secretKeys: readonly string[]): OutputMap {
  const secret = new Set(secretKeys);
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => {
      const isSecret = secret.has(k) || holds(v, (x) => x === '[secret]' || Boolean(x && typeof x === 'object' && SECRET_SIG in x));
      const unknown = isSecret || holds(v, (x) => x === UNKNOWN);
      return [k, unknown ? { value: null, secret: isSecret, unknown: true as const } : { value: v, secret: false }];
    }),
  );
}
