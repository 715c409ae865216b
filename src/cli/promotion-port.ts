/**
 * Where an env's promotion evidence is read (src/orchestrator/promotion.ts): the records of the env
 * its file names in `promoteFrom`, for the engine kind of this run (a simulated prod run reads stg's
 * simulated records; a real one, stg's real records in stg's backend).
 */
import { PlatformError, isPlatformError } from '../core/errors.js';
import type { PromotionPort } from '../orchestrator/promotion.js';
import { loadEnv } from '../config/load-env.js';
import { statePaths } from '../state/paths.js';
import { recordStoreAt, type Session } from './services.js';

/** Undefined when the env's file names no `promoteFrom`. A name that is no env file: exit 2. */
export async function promotionPort(session: Session): Promise<PromotionPort | undefined> {
  const from = session.env.promoteFrom;
  if (from === undefined) return undefined;
  let source;
  try {
    source = await loadEnv(session.repoRoot, from);
  } catch (e) {
    if (!isPlatformError(e) || e.code !== 'unknown-env') throw e;
    throw new PlatformError('config-invalid', `stacks/${session.env.name}.yaml: promoteFrom: "${from}" names no env (${e.message})`, {
      value: from,
      hint: `name an env that has a file in stacks/ (prod: promoteFrom: stg), or remove promoteFrom`,
    });
  }
  return { from, records: await recordStoreAt(statePaths(session.repoRoot, source, session.engine.kind), source) };
}
