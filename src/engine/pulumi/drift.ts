/**
 * Drift from a refresh run in preview mode (`previewRefresh`: the engine reads every resource from
 * its provider and compares it with the state, writing nothing). A resource drifted when the
 * provider's read differs from what the state holds: its outputs changed (the names of the changed
 * properties are kept, never their values: they may be secrets), or it no longer exists.
 *
 * Rules:
 * - Only resource steps count: the stack resource and provider resources are skipped.
 * - A step reports drift from its old and new state (`metadata.old` / `metadata.new`): a missing
 *   `new`, or op `delete`, is `deleted`; outputs that differ (canonical JSON, per key) are `changed`.
 * - A step whose op is not `same`/`refresh` but carries no old/new outputs is `changed` with no
 *   property names (the engine said so; we do not know which).
 */
import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { canonicalJson } from '../../core/fingerprint.js';
import type { DriftedResource } from '../../core/ports.js';

interface StepMeta {
  op: string;
  urn: string;
  type: string;
  old?: { outputs?: Record<string, unknown> };
  new?: { outputs?: Record<string, unknown> };
  diffs?: string[];
}

function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf('::') + 2);
}

/** Collects drifted resources by URN from one engine event (later events of a URN win). */
export function collectDrift(e: EngineEvent, into: Map<string, DriftedResource>): void {
  const m = (e.resOutputsEvent?.metadata ?? e.resourcePreEvent?.metadata) as StepMeta | undefined;
  if (!m || m.type === 'pulumi:pulumi:Stack' || m.type.startsWith('pulumi:providers:')) return;
  if (m.op === 'delete' || (m.old && !m.new)) {
    into.set(m.urn, { urn: m.urn, type: m.type, name: nameOf(m.urn), change: 'deleted', properties: [] });
    return;
  }
  const before = m.old?.outputs;
  const after = m.new?.outputs;
  if (before && after) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const changed = keys.filter((k) => canonicalJson(before[k]) !== canonicalJson(after[k]));
    if (changed.length) into.set(m.urn, { urn: m.urn, type: m.type, name: nameOf(m.urn), change: 'changed', properties: changed });
    else if (into.get(m.urn)?.change !== 'changed') into.delete(m.urn);
    return;
  }
  if (m.op !== 'same' && m.op !== 'refresh' && m.op !== 'read') {
    into.set(m.urn, { urn: m.urn, type: m.type, name: nameOf(m.urn), change: 'changed', properties: m.diffs ?? [] });
  }
}
