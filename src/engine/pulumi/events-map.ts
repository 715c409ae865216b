/**
 * Maps Pulumi's engine events to our PlatformEvents. The UI never sees Pulumi's EngineEvent.
 *
 * Rules:
 * - resourcePreEvent → resource-op `started`; resOutputsEvent → `done` with the time since its start;
 *   resOpFailedEvent → `failed`. Planning events of a preview (`planning: true`) are reported as done
 *   without a duration, since nothing ran.
 * - Pulumi's op kinds collapse to ours: the replacement steps (create-replacement, delete-replaced,
 *   discard-replaced, read-replacement, import-replacement) are `replace`; import is `create`;
 *   discard is `delete`. The root `pulumi:pulumi:Stack` and provider resources are not reported.
 * - diagnosticEvent → diagnostic (debug dropped; `info#err` is info); every message passes through
 *   `redact` so known secret strings never leave, whatever Pulumi printed.
 * - summaryEvent → ChangeCounts.
 */
import type { EngineEvent, OpMap, OpType } from '@pulumi/pulumi/automation/index.js';
import type { PhaseId } from '../../core/phase.js';
import { emptyCounts, type ChangeCounts, type PlatformEvent, type PropertyChange, type ResourceOp } from '../../core/events.js';
import { MASK } from '../../core/secrets.js';

const OPS: Record<OpType, ResourceOp> = {
  same: 'same',
  create: 'create',
  update: 'update',
  delete: 'delete',
  replace: 'replace',
  'create-replacement': 'replace',
  'delete-replaced': 'replace',
  read: 'read',
  'read-replacement': 'replace',
  refresh: 'refresh',
  discard: 'delete',
  'discard-replaced': 'replace',
  'remove-pending-replace': 'replace',
  import: 'create',
  'import-replacement': 'replace',
};

/** The steps of a replacement other than the `replace` step itself. */
const REPLACE_STEPS = new Set(['create-replacement', 'delete-replaced', 'discard-replaced', 'read-replacement', 'import-replacement', 'remove-pending-replace']);

/** Our op for a Pulumi op (unknown future ops map to `update`, the conservative reading). */
export function mapOp(op: string): ResourceOp {
  return (OPS as Record<string, ResourceOp>)[op] ?? 'update';
}

/** ChangeCounts from Pulumi's per-op map. */
export function countsFrom(map: OpMap | undefined): ChangeCounts {
  const c = emptyCounts();
  for (const [op, n] of Object.entries(map ?? {})) {
    if (typeof n !== 'number') continue;
    const ours = mapOp(op);
    if (ours === 'create' || ours === 'update' || ours === 'replace' || ours === 'delete' || ours === 'same') {
      // create-replacement and delete-replaced both describe one replace; count `replace` itself only.
      if (ours === 'replace' && op !== 'replace') continue;
      c[ours] += n;
    }
  }
  return c;
}

function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf('::') + 2);
}

function reportable(type: string): boolean {
  return type !== 'pulumi:pulumi:Stack' && !type.startsWith('pulumi:providers:');
}

/** Stateful mapper for one operation. */
export class EventMapper {
  private readonly started = new Map<string, number>();
  private rawSummary?: ChangeCounts;
  private rootOp?: ResourceOp;
  /**
   * The summary's counts once the summary event arrived, without the root `pulumi:pulumi:Stack`
   * resource (Pulumi counts it; users never asked for it).
   */
  get summary(): ChangeCounts | undefined {
    if (!this.rawSummary) return undefined;
    const c = { ...this.rawSummary };
    const op = this.rootOp;
    if (op && (op === 'create' || op === 'update' || op === 'replace' || op === 'delete' || op === 'same') && c[op] > 0) c[op] -= 1;
    return c;
  }
  /** URNs whose step started and has not finished: "what was in flight". */
  readonly inFlight = new Set<string>();
  private readonly openOps = new Map<string, { type: string; op: ResourceOp; diffs?: string[] }>();
  /** URNs whose replace was already reported done (later replacement steps stay silent). */
  private readonly replaced = new Set<string>();
  /** Error diagnostics seen (redacted), for the error message of a failed operation. */
  readonly errors: string[] = [];

  /** After a failed or cancelled operation: every step still open is reported failed. */
  closeOpen(): void {
    const at = new Date(this.now()).toISOString();
    for (const [urn, o] of this.openOps) {
      const t0 = this.started.get(urn);
      this.emit({ type: 'resource-op', phase: this.phase, urn, resourceType: o.type, name: nameOf(urn), op: o.op, status: 'failed', at, ...(t0 === undefined ? {} : { durationMs: this.now() - t0 }) });
    }
    this.openOps.clear();
  }

  constructor(
    private readonly phase: PhaseId,
    private readonly emit: (e: PlatformEvent) => void,
    private readonly redact: (text: string) => string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Emits `started` for a step and remembers it as open. */
  private open(m: DiffSource & { urn: string; type: string }, op: ResourceOp, at: string) {
    const diffs = diffsOf({ ...m, op: op === 'replace' ? 'replace' : m.op });
    const entry = { type: m.type, op, ...(diffs ? { diffs } : {}) };
    this.openOps.set(m.urn, entry);
    this.emit({ type: 'resource-op', phase: this.phase, urn: m.urn, resourceType: m.type, name: nameOf(m.urn), op, status: 'started', ...(diffs ? { diffs } : {}), at });
    return entry;
  }

  handle(ev: EngineEvent): void {
    const at = new Date(this.now()).toISOString();
    if (ev.resourcePreEvent) {
      const m = ev.resourcePreEvent.metadata;
      if (m.type === 'pulumi:pulumi:Stack') this.rootOp = mapOp(m.op);
      if (!reportable(m.type)) return;
      const op = mapOp(m.op);
      const family = REPLACE_STEPS.has(m.op);
      if (ev.resourcePreEvent.planning) {
        if (family) return; // the `replace` step stands for its whole family
        // A preview step is planned, not run: started and done at once, taking no time.
        const diffs = diffsOf(m);
        const changes = diffs ? changesOf(m, diffs) : undefined;
        const base = { type: 'resource-op', phase: this.phase, urn: m.urn, resourceType: m.type, name: nameOf(m.urn), op, ...(diffs ? { diffs } : {}), ...(changes?.length ? { changes } : {}), at } as const;
        this.emit({ ...base, status: 'started' });
        this.emit({ ...base, status: 'done', durationMs: 0 });
        return;
      }
      if (!this.started.has(m.urn)) this.started.set(m.urn, this.now());
      if (op !== 'same') this.inFlight.add(m.urn);
      if (family && this.replaced.has(m.urn)) return; // e.g. delete-replaced after the replace was reported
      if (family || this.openOps.has(m.urn)) {
        // A replacement's create/delete steps: report the replace once, started at its first step.
        if (!this.openOps.has(m.urn)) this.open(m, 'replace', at);
        return;
      }
      this.open(m, op, at);
    } else if (ev.resOutputsEvent) {
      const m = ev.resOutputsEvent.metadata;
      if (!reportable(m.type) || ev.resOutputsEvent.planning) return;
      if (REPLACE_STEPS.has(m.op)) return; // done is reported with the `replace` step
      const t0 = this.started.get(m.urn);
      const open = this.openOps.get(m.urn);
      const diffs = diffsOf(m) ?? open?.diffs;
      this.inFlight.delete(m.urn);
      this.openOps.delete(m.urn);
      this.started.delete(m.urn);
      if (open?.op === 'replace') this.replaced.add(m.urn);
      this.emit({
        type: 'resource-op', phase: this.phase, urn: m.urn, resourceType: m.type, name: nameOf(m.urn),
        op: open?.op ?? mapOp(m.op), status: 'done', ...(diffs ? { diffs } : {}), at,
        durationMs: t0 === undefined ? 0 : this.now() - t0,
      });
    } else if (ev.resOpFailedEvent) {
      const m = ev.resOpFailedEvent.metadata;
      this.inFlight.delete(m.urn);
      if (!reportable(m.type)) return;
      const open = this.openOps.get(m.urn) ?? this.open(m, REPLACE_STEPS.has(m.op) ? 'replace' : mapOp(m.op), at);
      const t0 = this.started.get(m.urn);
      this.openOps.delete(m.urn);
      this.started.delete(m.urn);
      this.emit({
        type: 'resource-op', phase: this.phase, urn: m.urn, resourceType: m.type, name: nameOf(m.urn),
        op: open.op, status: 'failed', at, durationMs: t0 === undefined ? 0 : this.now() - t0,
      });
    } else if (ev.diagnosticEvent) {
      const d = ev.diagnosticEvent;
      const severity = d.severity === 'warning' ? 'warning' : d.severity === 'error' ? 'error' : d.severity.startsWith('info') ? 'info' : undefined;
      if (!severity || d.ephemeral) return;
      const message = this.redact(stripAnsi(d.message).trim());
      if (!message) return;
      if (severity === 'error') this.errors.push(message);
      this.emit({ type: 'diagnostic', phase: this.phase, severity, message, ...(d.urn ? { urn: d.urn } : {}), at });
    } else if (ev.summaryEvent) {
      this.rawSummary = countsFrom(ev.summaryEvent.resourceChanges);
    }
  }
}

interface DiffSource {
  op: string;
  diffs?: string[];
  detailedDiff?: Record<string, unknown>;
  old?: { inputs?: Record<string, unknown> };
  new?: { inputs?: Record<string, unknown> };
}

/**
 * Changed property names of an update or replace: the provider's `diffs`, else the top-level keys of
 * `detailedDiff`, else the input keys whose values differ between the old and new state (providers
 * such as Node dynamic providers report no property list). Undefined for other ops.
 */
function diffsOf(m: DiffSource): string[] | undefined {
  const op = mapOp(m.op);
  if (op !== 'update' && op !== 'replace') return undefined;
  if (m.diffs?.length) return m.diffs;
  const detailed = Object.keys(m.detailedDiff ?? {}).map((k) => k.split(/[.[]/)[0]!);
  if (detailed.length) return [...new Set(detailed)];
  const olds = m.old?.inputs ?? {};
  const news = m.new?.inputs ?? {};
  const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
    (k) => !k.startsWith('__') && JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
  );
  return keys.length ? keys.sort() : undefined;
}

const SECRET_SIG = '4dabf18193072939515e22adb298388d';

/** True for a value Pulumi marks secret in an event (the signature object, or its "[secret]" rendering). */
function isSecretValue(v: unknown): boolean {
  if (v === MASK) return true;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (SECRET_SIG in o) return true;
  }
  return false;
}

/** True when a secret hides anywhere inside the value (a secret nested in a map or list). */
function holdsSecret(v: unknown): boolean {
  if (isSecretValue(v)) return true;
  if (Array.isArray(v)) return v.some(holdsSecret);
  if (v && typeof v === 'object') return Object.values(v as Record<string, unknown>).some(holdsSecret);
  return false;
}

/** Old -> new values of the changed top-level inputs; a value holding a secret is "[secret]" on both sides. */
export function changesOf(m: DiffSource, keys: readonly string[]): PropertyChange[] {
  const olds = m.old?.inputs ?? {};
  const news = m.new?.inputs ?? {};
  return keys.map((k) => {
    const secret = holdsSecret(olds[k]) || holdsSecret(news[k]);
    const side = (inputs: Record<string, unknown>) => (k in inputs ? (secret ? MASK : inputs[k]) : undefined);
    return { path: k, ...(k in olds ? { old: side(olds) } : {}), ...(k in news ? { new: side(news) } : {}), ...(secret ? { secret: true } : {}) };
  });
}

/** Removes ANSI colour codes (Pulumi colours diagnostics unless told not to). */
export function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;]*m|<\{%[^%]*%\}>/g, '');
}
