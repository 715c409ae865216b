/**
 * `platform drift --env E [--phase ...]`: the resources changed outside the CLI, per deployed phase
 * (src/orchestrator/drift.ts). Without --phase: every env-scoped phase with a program (the
 * organization's phase 0 is one stack for every env, run by its own operators: name it to check it).
 */
import { PlatformError } from '../../core/errors.js';
import { hasProgram, phaseScope } from '../../core/phase.js';
import { resolveSelection, slugMap } from '../../core/selection.js';
import { detectDrift } from '../../orchestrator/drift.js';
import type { GlobalOptions } from '../main.js';
import { runCommand } from '../services.js';

export default async function drift(opts: { env: string; phase?: string }, globals: GlobalOptions): Promise<number> {
  return runCommand(globals, opts.env, (session, ports, signal) => {
    const ids = session.registry.map((p) => p.id);
    const phases =
      opts.phase === undefined
        ? session.registry.filter((p) => phaseScope(p) === 'env' && hasProgram(p))
        : session.registry.filter((p) => resolveSelection({ phase: opts.phase }, ids, slugMap(session.registry)).ids.includes(p.id));
    const none = phases.find((p) => !hasProgram(p));
    if (none) {
      throw new PlatformError('no-program', `phase ${none.id} (${none.slug}) has no program yet: there is nothing deployed to drift`, {
        value: opts.phase,
        hint: 'name phases that have a program (platform phases lists them), or leave out --phase',
      });
    }
    return detectDrift({ env: session.env, phases, signal }, ports);
  });
}
