/**
 * Phase selection: `--phase N`, `--phase A..B`, `--phase 2,4` (items may mix: `0..2,5`), `--from N`
 * (N and every later phase), `--all`. Where the caller has the registry, a phase may also be named by
 * its slug (`--phase cluster`, `--phase foundation..cluster`). A repeated `--phase` adds up (the CLI
 * joins the values with commas). Exactly one selector is allowed. Every bad value fails with a usage
 * error naming it and the allowed form (`2-5` is answered with `2..5`), before anything else happens.
 */
import { PlatformError } from './errors.js';
import { MAX_PHASE, MIN_PHASE, type PhaseId } from './phase.js';

export interface SelectionInput {
  phase?: string;
  from?: string;
  all?: boolean;
}

export interface Selection {
  ids: PhaseId[];
  /** Explicit selections (`--phase`) fail on phases without a program; broad ones report them. */
  explicit: boolean;
  /** How the user wrote it, for messages. */
  text: string;
}

const RANGE_HINT = `phases are integers ${MIN_PHASE}-${MAX_PHASE}: use --phase 4, --phase 2..5, --phase 2,4, --from 3 or --all`;

/** Phase slugs by name (`cluster` -> 2), from the registry; `slugMap(registry)` builds it. */
export type PhaseNames = ReadonlyMap<string, PhaseId>;

export function slugMap(phases: readonly { id: PhaseId; slug: string }[]): PhaseNames {
  return new Map(phases.map((p) => [p.slug, p.id]));
}

function namesHint(names?: PhaseNames): string {
  if (!names || names.size === 0) return RANGE_HINT;
  return `${RANGE_HINT}; or by name: ${[...names].map(([slug, id]) => `${id} ${slug}`).join(', ')}`;
}

function parseId(raw: string, whole: string, names?: PhaseNames): PhaseId {
  const t = raw.trim();
  const named = names?.get(t.toLowerCase());
  if (named !== undefined) return named;
  const dashed = /^(\d+)-(\d+)$/.exec(t);
  if (dashed) {
    throw new PlatformError('bad-phase', `invalid phase '${whole}': a range is written with '..'`, {
      value: whole,
      hint: `did you mean --phase ${dashed[1]}..${dashed[2]}?`,
    });
  }
  if (!/^\d+$/.test(t)) {
    throw new PlatformError('bad-phase', `invalid phase '${whole}': '${t}' is not a whole number${names ? ' or a phase name' : ''}`, {
      value: whole,
      hint: namesHint(names),
    });
  }
  const n = Number(t);
  if (n < MIN_PHASE || n > MAX_PHASE) {
    throw new PlatformError('bad-phase', `invalid phase '${whole}': ${n} is outside ${MIN_PHASE}-${MAX_PHASE}`, {
      value: whole,
      hint: RANGE_HINT,
    });
  }
  return n as PhaseId;
}

/** Parses a `--phase` value into sorted unique ids (names are accepted when `names` is given). */
export function parsePhaseSpec(spec: string, names?: PhaseNames): PhaseId[] {
  if (spec.trim() === '') {
    throw new PlatformError('bad-phase', `invalid phase '': empty`, { value: spec, hint: RANGE_HINT });
  }
  const ids = new Set<PhaseId>();
  for (const item of spec.split(',')) {
    const m = /^(.*)\.\.(.*)$/.exec(item);
    if (m) {
      const a = parseId(m[1]!, spec, names);
      const b = parseId(m[2]!, spec, names);
      if (a > b) {
        throw new PlatformError('bad-phase', `invalid phase range '${spec}': ${a} is after ${b}`, {
          value: spec,
          hint: `write the lower phase first: --phase ${b}..${a}`,
        });
      }
      for (let i = a; i <= b; i++) ids.add(i as PhaseId);
    } else {
      ids.add(parseId(item, spec, names));
    }
  }
  return [...ids].sort((x, y) => x - y);
}

export function resolveSelection(input: SelectionInput, allIds: readonly PhaseId[], names?: PhaseNames): Selection {
  const given = [input.phase !== undefined, input.from !== undefined, input.all === true].filter(Boolean).length;
  if (given === 0) {
    throw new PlatformError('usage', 'no phases selected', { hint: RANGE_HINT });
  }
  if (given > 1) {
    throw new PlatformError('usage', 'choose one of --phase, --from and --all', { hint: RANGE_HINT });
  }
  if (input.all) return { ids: [...allIds], explicit: false, text: '--all' };
  if (input.from !== undefined) {
    const from = parseId(input.from, input.from, names);
    return { ids: allIds.filter((id) => id >= from), explicit: false, text: `--from ${input.from}` };
  }
  return { ids: parsePhaseSpec(input.phase!, names), explicit: true, text: `--phase ${input.phase}` };
}
