/**
 * Promotion (docs/team-mode.md): an env whose file names `promoteFrom` (prod: stg) may update a phase
 * only with program sources that have already succeeded, with their gates, in that env.
 *
 * Rules:
 * - The evidence is the source env's phase record: status `succeeded`, `sources` equal to the hash of
 *   the phase's program sources now (DirSourceHasher: its folder and programs/shared; not the env
 *   values, which differ by design), and its gates accepted for the fingerprint they ran on
 *   (gatesAccepted: a simulated run accepts gates skipped as simulated, a real run only passes).
 * - Sources this env already runs (its own record succeeded with the same hash) need no evidence:
 *   nothing new is promoted (an env-value change, a re-run).
 * - Organization-scoped phases are one stack for every env: nothing to promote.
 * - Checked before the run starts (no lock, journal, preview or change). A refusal names the source
 *   env and the command that makes the evidence; `--skip-promotion-check "<reason>"` overrides it,
 *   and the reason goes to the journal (a warning diagnostic per phase; run.ts).
 */
import { PlatformError } from '../core/errors.js';
import { phaseScope, type AnyPhase } from '../core/phase.js';
import type { PhaseRecord, RecordStore, SourceHasher } from '../core/ports.js';
import { gatesAccepted } from './dependency-check.js';

/** Where the evidence is read: the source env's records (same engine kind as the run). */
export interface PromotionPort {
  from: string;
  records: RecordStore;
}

export interface PromotionContext {
  /** This env's own records. */
  own: RecordStore;
  sources: SourceHasher;
  /** The run is on the simulate engine (gates skipped as simulated count). */
  simulated: boolean;
}

export type Promotable = { ok: true; already?: boolean } | { ok: false; why: string };

/** Whether `phase`, with its sources as they are now, may be updated in `env` (see the rules above). */
export async function promotable(env: string, phase: AnyPhase, port: PromotionPort, c: PromotionContext): Promise<Promotable> {
  if (phaseScope(phase) !== 'env') return { ok: true };
  const hash = await c.sources.hash(phase);
  const mine = await c.own.read(env, phase.id);
  if (mine?.status === 'succeeded' && mine.sources === hash) return { ok: true, already: true };
  let rec: PhaseRecord | undefined;
  try {
    rec = await port.records.read(port.from, phase.id);
  } catch (e) {
    return { ok: false, why: `its record in ${port.from} cannot be read (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!rec || rec.status === 'destroyed') return { ok: false, why: `${port.from} has never deployed it` };
  if (rec.sources !== hash) {
    return {
      ok: false,
      why: rec.sources ? `${port.from} last deployed other sources (${rec.sources.slice(0, 12)}; these are ${hash.slice(0, 12)})` : `${port.from}'s last update of it recorded no source hash`,
    };
  }
  if (rec.status !== 'succeeded') return { ok: false, why: `its last update in ${port.from} ended ${rec.status}` };
  const gates = gatesAccepted(rec, c.simulated);
  if (!gates.ok) return { ok: false, why: `in ${port.from}, ${gates.why}` };
  return { ok: true };
}

/** Throws 'promotion-check' (exit 3) naming the first phase of `phases` that is not promotable. */
export async function checkPromotion(envName: string, phases: readonly AnyPhase[], port: PromotionPort, c: PromotionContext): Promise<void> {
  for (const phase of [...phases].sort((a, b) => a.id - b.id)) {
    const p = await promotable(envName, phase, port, c);
    if (!p.ok) {
      throw new PlatformError(
        'promotion-check',
        `phase ${phase.id} (${phase.slug}) cannot be updated in ${envName}: its program sources have not succeeded with their gates in ${port.from}: ${p.why}; nothing was changed`,
        {
          value: String(phase.id),
          hint: `deploy them to ${port.from} first (platform up --phase ${phase.id} --env ${port.from}), or pass --skip-promotion-check "<reason>" (the reason goes to the journal)`,
        },
      );
    }
  }
}
