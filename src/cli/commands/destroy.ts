/** `platform destroy`: reverse order, refuses while dependents are deployed unless --cascade. */
import { resolveSelection } from '../../core/selection.js';
import { destroyPhases } from '../../orchestrator/destroy.js';
import type { GlobalOptions, SelectionOptions } from '../main.js';
import { interactive, outputMode, runCommand } from '../services.js';
import { parseParallel } from './up.js';

export interface DestroyOptions extends SelectionOptions {
  env: string;
  cascade?: boolean;
  yes?: boolean;
  parallel: string;
}

export default async function destroy(opts: DestroyOptions, globals: GlobalOptions): Promise<number> {
  let parallel = 1;
  return runCommand(
    globals,
    opts.env,
    (session, ports, signal) =>
      destroyPhases(
        {
          env: session.env,
          registry: session.registry,
          selection: resolveSelection(opts, session.registry.map((p) => p.id)),
          parallel,
          cascade: Boolean(opts.cascade),
          yes: Boolean(opts.yes),
          interactive: interactive() && outputMode(globals) !== 'json',
          signal,
        },
        ports,
      ),
    () => {
      parallel = parseParallel(opts.parallel);
    },
  );
}
