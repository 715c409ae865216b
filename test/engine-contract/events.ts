/**
 * Checks for what engines emit: only `resource-op` and `diagnostic` PlatformEvents, well-formed,
 * carrying the request's phase, each `done`/`failed` preceded by its `started`.
 */
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { EventOf, PlatformEvent } from '../../src/core/events.js';
import type { PhaseId } from '../../src/core/phase.js';

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s, 'an ISO-8601 UTC time');

const ResourceOpEvent = z.strictObject({
  type: z.literal('resource-op'),
  phase: z.number().int(),
  urn: z.string().regex(/^urn:pulumi:[^:]+::[^:]+::.+::.+$/),
  resourceType: z.string().min(1),
  name: z.string().min(1),
  op: z.enum(['create', 'update', 'replace', 'delete', 'same', 'read', 'refresh']),
  status: z.enum(['started', 'done', 'failed']),
  diffs: z.array(z.string()).optional(),
  changes: z.array(z.strictObject({ path: z.string(), old: z.unknown().optional(), new: z.unknown().optional(), secret: z.boolean().optional() })).optional(),
  durationMs: z.number().nonnegative().optional(),
  at: isoTime,
});

const DiagnosticEvent = z.strictObject({
  type: z.literal('diagnostic'),
  phase: z.number().int().optional(),
  severity: z.enum(['info', 'warning', 'error']),
  message: z.string(),
  urn: z.string().optional(),
  at: isoTime,
});

const EngineEvent = z.discriminatedUnion('type', [ResourceOpEvent, DiagnosticEvent]);

/** Asserts every event is a valid engine event of `phase` and that operations start before they end. */
export function assertValidEvents(events: readonly PlatformEvent[], phase: PhaseId): void {
  const open = new Map<string, number>();
  events.forEach((e, i) => {
    const parsed = EngineEvent.safeParse(e);
    assert.ok(parsed.success, `event #${i} is not a valid engine event: ${JSON.stringify(e)}: ${parsed.error?.message}`);
    if (e.type === 'diagnostic' && e.phase !== undefined) assert.equal(e.phase, phase, `diagnostic #${i} names phase ${e.phase}`);
    if (e.type !== 'resource-op') return;
    assert.equal(e.phase, phase, `resource-op #${i} names phase ${e.phase}, expected ${phase}`);
    const key = `${e.urn} ${e.op}`;
    if (e.status === 'started') open.set(key, (open.get(key) ?? 0) + 1);
    else {
      assert.ok((open.get(key) ?? 0) > 0, `resource-op #${i} ${e.status} for ${key} without a started event`);
      open.set(key, open.get(key)! - 1);
      if (e.status === 'done') assert.equal(typeof e.durationMs, 'number', `done event #${i} has no durationMs`);
    }
  });
  const unfinished = [...open].filter(([, n]) => n > 0).map(([k]) => k);
  assert.deepEqual(unfinished, [], 'operations started but never finished');
}

/** The finished (`done`) resource operations, optionally of one resource type. */
export function doneOps(events: readonly PlatformEvent[], resourceType?: string): EventOf<'resource-op'>[] {
  return events.filter(
    (e): e is EventOf<'resource-op'> =>
      e.type === 'resource-op' && e.status === 'done' && (resourceType === undefined || e.resourceType === resourceType),
  );
}

/** name -> op of the finished operations of one resource type. */
export function opsByName(events: readonly PlatformEvent[], resourceType: string): Record<string, string> {
  return Object.fromEntries(doneOps(events, resourceType).map((e) => [e.name, e.op]));
}
