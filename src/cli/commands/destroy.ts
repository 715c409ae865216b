/** `platform destroy`: reverse order, refuses while dependents are deployed unless --cascade. */
import { resolveSelection } from '../../core/selection.js';
import { destroyPhases } from '../../orchestrator/destroy.js';
import type { GlobalOptions, SelectionOptions } from '../main.js';
import { buildPorts, createHost, installSignals, interactive, openSession, outputMode } from '../services.js';
import { report } from '../report.js';
import { parseParallel } from './up.js';

export interface DestroyOptions extends SelectionOptions {
  env: string;
  cascade?: boolean;
  yes?: boolean;
  parallel: string;
}

export default async function destroy(opts: DestroyOptions, globals: GlobalOptions): Promise<number> {
  try {
    const parallel = parseParallel(opts.parallel);
    const session = await openSession(globals, opts.env);
    const selection = resolveSelection(opts, session.registry.map((p) => p.id));
    const controller = new AbortController();
    const host = await createHost(globals, session, (force) => (force ? process.exit(130) : controller.abort()));
    const uninstall = installSignals(controller, () => {});
    try {
      const ports = await buildPorts(session, host);
      const outcome = await destroyPhases(
        {
          env: session.env,
          registry: session.registry,
          selection,
          parallel,
          cascade: Boolean(opts.cascade),
          yes: Boolean(opts.yes),
          interactive: interactive() && outputMode(globals) !== 'json',
          signal: controller.signal,
        },
        ports,
      );
      await host.close();
      if (outcome.error && outputMode(globals) !== 'json') report(outcome.error, process.argv, { json: false });
      return outcome.exitCode;
    } finally {
      uninstall();
    }
  } catch (e) {
    return report(e, process.argv);
  }
}
