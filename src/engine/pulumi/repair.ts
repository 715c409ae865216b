/**
 * `platform repair`: bring a stack left by an interrupted update back to a state the engine can
 * work with, without ever guessing whether an interrupted create happened.
 *
 * Steps (reference/reliability.md §1.2, §1.5):
 * 1. Locks. A live holder stops the repair ('locked', exit 4): a run is in progress, nothing needs
 *    repair. A lock whose holder ran on this host and is gone (killed) is cleared, with a line.
 * 2. Each pending operation is listed with its type and name.
 * 3. Refresh: reads real state; Pulumi resolves pending updates, deletes and reads that way.
 *    Pending creates survive it: the engine does not know whether the resource exists.
 * 4. Each remaining pending create is looked up (src/core/lookup.ts) by the lookup registered for its
 *    type: found → imported with the id found (`refresh --import-pending-creates`); proved absent →
 *    dropped; unknown (or no lookup for the type) → dropped only when named in `dropUrns` (the
 *    `--drop-pending-create <urn>` flag) or confirmed for that one resource by `confirmDrop` (a
 *    terminal; `--yes` never answers it). Otherwise it stays, and is reported as unresolved.
 * 5. Imports and drops go through one `stack import` (the checkpoint is backed up first): the
 *    imported resources enter the state with the id found, then a refresh reads their real state.
 *    `stack import` drops every pending operation, so nothing is applied unless each one left has
 *    an answer. (Pulumi's `refresh --import-pending-creates` reads the resource with empty state,
 *    which a dynamic provider cannot do.)
 * A following `platform up` then converges: creates what never existed, keeps what was imported.
 */
import type { ChangeCounts, PlatformEvent } from '../../core/events.js';
import { PlatformError } from '../../core/errors.js';
import { urnName, type LookupResult, type PendingResource, type ResourceLookup } from '../../core/lookup.js';
import type { EngineRequest, PendingOperation } from '../../core/ports.js';
import type { PulumiEngine } from './engine.js';
import { backendDir } from './settings.js';
import { describeHolder, pendingOperations, readLocks, type Deployment } from './state.js';

/** What happened to one pending create. */
export interface PendingCreateOutcome {
  urn: string;
  type: string;
  name: string;
  lookup: LookupResult;
  action: 'imported' | 'dropped' | 'unresolved';
  /** Why it was dropped: the lookup proved absence, the user confirmed it, or `--drop-pending-create`. */
  because?: 'absent' | 'confirmed' | 'flag';
}

export interface RepairOutcome {
  /** Pending operations found at the start. */
  found: PendingOperation[];
  refreshed?: ChangeCounts;
  /** Pending operations resolved (by refresh, import or a justified drop). */
  cleared: PendingOperation[];
  /** Pending operations still there. */
  remaining: PendingOperation[];
  creates: PendingCreateOutcome[];
}

export interface RepairRequest extends Omit<EngineRequest, 'inputs'> {
  repoRoot: string;
  /** Lookups for the stack's resource types (the phase's `loadLookups`). */
  lookups: readonly ResourceLookup[];
  /** URNs of pending creates the user explicitly allows dropping (`--drop-pending-create`). */
  dropUrns: readonly string[];
  /** Asks whether one named pending create, whose existence is unknown, may be dropped. */
  confirmDrop(resource: PendingResource, lookup: LookupResult): Promise<boolean>;
}

function pendingResources(dep: Deployment): PendingResource[] {
  const ops = (dep.deployment.pending_operations ?? []) as Array<{ resource: { urn: string; type: string; inputs?: Record<string, unknown> }; type: string }>;
  const resources = (dep.deployment.resources ?? []) as Array<{ type: string; id?: string }>;
  return ops
    .filter((o) => o.type === 'creating')
    .map((o) => ({
      urn: o.resource.urn,
      type: o.resource.type,
      name: urnName(o.resource.urn),
      inputs: o.resource.inputs ?? {},
      knownIds: resources.filter((r) => r.type === o.resource.type && r.id).map((r) => r.id!),
    }));
}

/**
 * The deployment with each imported pending create turned into a resource with the id found (its
 * outputs start as its inputs; the refresh that follows reads the real ones) and no pending operations.
 */
function withImports(dep: Deployment, imports: ReadonlyArray<{ urn: string; id: string }>): Deployment {
  type Op = { resource: { urn: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> } & Record<string, unknown>; type: string };
  const ops = (dep.deployment.pending_operations ?? []) as Op[];
  const added = imports.map(({ urn, id }) => {
    const r = ops.find((o) => o.resource.urn === urn && o.type === 'creating')!.resource;
    return { ...r, id, outputs: { ...(r.inputs ?? {}), ...(r.outputs ?? {}) } };
  });
  const resources = [...((dep.deployment.resources ?? []) as unknown[]), ...added] as NonNullable<Deployment['deployment']['resources']>;
  return { ...dep, deployment: { ...dep.deployment, resources, pending_operations: [] } };
}

/** Runs the repair of one stack. */
export async function repairStack(engine: PulumiEngine, req: RepairRequest): Promise<RepairOutcome> {
  const { stack, env } = req;
  const say = (severity: 'info' | 'warning', message: string) =>
    req.emit({ type: 'diagnostic', phase: stack.phase, severity, message, at: new Date().toISOString() } satisfies PlatformEvent);

  const live = readLocks(backendDir(env, req.repoRoot), stack.name).filter((l) => !l.stale);
  if (live.length) {
    throw new PlatformError('locked', `stack ${stack.name} is being updated by ${live.map(describeHolder).join('; ')}`, {
      value: stack.name,
      hint: 'a run is in progress (or its holder ran on another host): nothing to repair; wait for it to finish',
    });
  }

  const before = await engine.exportState(stack, env);
  const found = pendingOperations(before);
  if (!found.length) say('info', `stack ${stack.name} has no pending operations`);
  for (const p of found) say('warning', `pending: ${p.op} ${p.type} '${urnName(p.urn)}' (${p.urn})`);

  // Clears a stale engine lock (with a line) and resolves pending updates, deletes and reads.
  const refreshed = (await engine.refresh({ ...req }, {})).changes;
  let dep = await engine.exportState(stack, env);
  const creates: PendingCreateOutcome[] = [];
  const imports: Array<{ urn: string; id: string }> = [];
  const drops: string[] = [];
  for (const r of pendingResources(dep)) {
    const lookup = req.lookups.find((l) => l.type === r.type);
    let result: LookupResult;
    if (!lookup) result = { kind: 'unknown', detail: `no lookup exists for type ${r.type}` };
    else {
      try {
        result = await lookup.find(r, req.signal);
      } catch (e) {
        result = { kind: 'unknown', detail: `the lookup failed: ${(e as Error).message}` };
      }
    }
    const base = { urn: r.urn, type: r.type, name: r.name, lookup: result };
    if (result.kind === 'found') {
      say('warning', `pending create of ${r.type} '${r.name}': found, id ${result.id} (${result.detail}); importing it`);
      imports.push({ urn: r.urn, id: result.id });
      creates.push({ ...base, action: 'imported' });
    } else if (result.kind === 'absent') {
      say('warning', `pending create of ${r.type} '${r.name}': never created (${result.detail}); dropping it`);
      drops.push(r.urn);
      creates.push({ ...base, action: 'dropped', because: 'absent' });
    } else if (req.dropUrns.includes(r.urn)) {
      say('warning', `pending create of ${r.type} '${r.name}': existence unknown (${result.detail}); dropping it as --drop-pending-create asks`);
      drops.push(r.urn);
      creates.push({ ...base, action: 'dropped', because: 'flag' });
    } else if (await req.confirmDrop(r, result)) {
      say('warning', `pending create of ${r.type} '${r.name}': existence unknown (${result.detail}); dropping it as confirmed`);
      drops.push(r.urn);
      creates.push({ ...base, action: 'dropped', because: 'confirmed' });
    } else {
      say('warning', `pending create of ${r.type} '${r.name}': existence unknown (${result.detail}); left pending`);
      creates.push({ ...base, action: 'unresolved' });
    }
  }

  // `stack import` drops every pending operation: apply only when each one left has an answer.
  const left = pendingOperations(dep);
  const answered = (p: PendingOperation) => p.op === 'creating' && (drops.includes(p.urn) || imports.some((i) => i.urn === p.urn));
  if ((imports.length || drops.length) && left.every(answered)) {
    const live = new Set((dep.deployment.resources ?? []).map((r) => r.urn));
    const clash = imports.find((i) => live.has(i.urn));
    if (clash) {
      for (const c of creates) if (c.action !== 'unresolved') c.action = 'unresolved';
      say('warning', `pending create of ${clash.urn} replaces a resource still in the state; resolve it with \`pulumi refresh --import-pending-creates\` by hand`);
    } else {
      await engine.importState(stack, env, withImports(dep, imports));
      if (imports.length) await engine.refresh({ ...req }, {}); // reads each imported resource's real state
      dep = await engine.exportState(stack, env);
    }
  } else if (imports.length || drops.length) {
    for (const c of creates) if (c.action !== 'unresolved') c.action = 'unresolved';
    say('warning', 'some pending operations stay unresolved; nothing was imported or dropped (stack import would drop them all)');
  }
  const remaining = pendingOperations(dep);
  const cleared = found.filter((f) => !remaining.some((r) => r.urn === f.urn && r.op === f.op));
  return { found, refreshed, cleared, remaining, creates };
}
