/** `platform verify`: re-run the gates of deployed phases and record the results. */
import { resolveSelection } from '../../core/selection.js';
import { hasProgram } from '../../core/phase.js';
import { verifyPhases } from '../../orchestrator/verify.js';
import type { GlobalOptions, SelectionOptions } from '../main.js';
import { buildPorts, createHost, installSignals, openSession, outputMode } from '../services.js';
import { report } from '../report.js';

export default async function verify(opts: SelectionOptions & { env: string }, globals: GlobalOptions): Promise<number> {
  try {
    const session = await openSession(globals, opts.env);
    const selection = resolveSelection(opts, session.registry.map((p) => p.id));
    const phases = session.registry.filter((p) => selection.ids.includes(p.id) && (selection.explicit || hasProgram(p)));
    const controller = new AbortController();
    const host = await createHost(globals, session, (force) => (force ? process.exit(130) : controller.abort()));
    const uninstall = installSignals(controller, () => {});
    try {
      const outcome = await verifyPhases({ env: session.env, phases, signal: controller.signal }, await buildPorts(session, host));
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
