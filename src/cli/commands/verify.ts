/** `platform verify`: re-run the gates of deployed phases and record the results. */
import { resolveSelection } from '../../core/selection.js';
import { hasProgram } from '../../core/phase.js';
import { verifyPhases } from '../../orchestrator/verify.js';
import type { GlobalOptions, SelectionOptions } from '../main.js';
import { runCommand } from '../services.js';

export default async function verify(opts: SelectionOptions & { env: string }, globals: GlobalOptions): Promise<number> {
  return runCommand(globals, opts.env, (session, ports, signal) => {
    const selection = resolveSelection(opts, session.registry.map((p) => p.id));
    const phases = session.registry.filter((p) => selection.ids.includes(p.id) && (selection.explicit || hasProgram(p)));
    return verifyPhases({ env: session.env, phases, signal }, ports);
  });
}
