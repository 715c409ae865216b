/**
 * `status --all-envs`: the phases of every env side by side (phases as rows, envs as columns). Pure:
 * the CLI reads each env's rows with phaseStatuses (status.ts), or the error that stopped it.
 *
 * Rules:
 * - A cell is a deployed phase's version (the first 8 hex of its program-source hash: the same
 *   sources give the same version in every env), fresh or stale, its gates, what the last drift
 *   check found (when it ran) and, in an env with promoteFrom, whether its sources now are promotable.
 * - An env whose status could not be read keeps its column, with the reason, and decides the exit
 *   code (its error's); the other envs are still shown.
 */
import type { PlatformError } from '../core/errors.js';
import type { PhaseId } from '../core/phase.js';
import type { PhaseStatusRow } from './status.js';

export interface EnvColumn {
  env: string;
  engine: string;
  rows?: PhaseStatusRow[];
  error?: PlatformError;
}

export interface MatrixCell {
  deployed: boolean;
  /** First 8 hex of the program-source hash it was deployed with ('?' when its record has none). */
  version?: string;
  state: PhaseStatusRow['state'];
  freshness: PhaseStatusRow['freshness'];
  gates: PhaseStatusRow['gates'];
  drift?: number;
  promotable?: 'yes' | 'no' | 'already';
  /** For people: why not promotable, why stale. */
  why?: string;
}

export interface StatusMatrix {
  envs: { env: string; engine: string; error?: { code: string; message: string; hint?: string } }[];
  phases: { phase: PhaseId; slug: string; cells: Record<string, MatrixCell | undefined> }[];
  exitCode: number;
}

export function buildMatrix(columns: readonly EnvColumn[], phases: readonly { id: PhaseId; slug: string }[]): StatusMatrix {
  const out: StatusMatrix = {
    envs: columns.map((c) => ({ env: c.env, engine: c.engine, ...(c.error ? { error: { code: c.error.code, message: c.error.message, hint: c.error.hint } } : {}) })),
    phases: [],
    exitCode: columns.find((c) => c.error)?.error?.exitCode ?? 0,
  };
  for (const p of phases) {
    const cells: Record<string, MatrixCell | undefined> = {};
    for (const c of columns) {
      const r = c.rows?.find((x) => x.phase === p.id);
      if (!r) {
        cells[c.env] = undefined;
        continue;
      }
      const src = r.deployed ? r.sources : undefined;
      cells[c.env] = {
        deployed: r.deployed,
        ...(r.deployed ? { version: src ? src.slice(0, 8) : '?' } : {}),
        state: r.state,
        freshness: r.freshness,
        gates: r.gates,
        ...(r.drift ? { drift: r.drift.resources } : {}),
        ...(r.promotion ? { promotable: r.promotion.already ? ('already' as const) : r.promotion.promotable ? ('yes' as const) : ('no' as const) } : {}),
        ...(r.promotion && !r.promotion.promotable ? { why: r.promotion.why } : r.staleBecause ? { why: r.staleBecause } : {}),
      };
    }
    out.phases.push({ phase: p.id, slug: p.slug, cells });
  }
  return out;
}
