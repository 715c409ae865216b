/** `platform up` and `platform preview`: parse, build the request, call the orchestrator. */
import { resolveSelection } from '../../core/selection.js';
import { PlatformError } from '../../core/errors.js';
import { runPhases } from '../../orchestrator/run.js';
import type { GlobalOptions, SelectionOptions } from '../main.js';
import { runCommand } from '../services.js';

export interface UpOptions extends SelectionOptions {
  env: string;
  parallel: string;
  force?: boolean;
}

export function parseParallel(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 32) {
    throw new PlatformError('usage', `invalid --parallel '${raw}'`, { value: raw, hint: 'use a whole number from 1 to 32' });
  }
  return Number(raw);
}

export default async function up(opts: UpOptions, globals: GlobalOptions, name: string): Promise<number> {
  let parallel = 1;
  return runCommand(
    globals,
    opts.env,
    (session, ports, signal) =>
      runPhases(
        {
          command: name === 'preview' ? 'preview' : 'up',
          env: session.env,
          registry: session.registry,
          selection: resolveSelection(opts, session.registry.map((p) => p.id)),
          parallel,
          force: Boolean(opts.force),
          signal,
        },
        ports,
      ),
    () => (parallel = parseParallel(opts.parallel)),
  );
}
