/** `platform up` and `platform preview`: parse, build the request, call the orchestrator. */
import { resolveSelection } from '../../core/selection.js';
import { PlatformError } from '../../core/errors.js';
import { runPhases } from '../../orchestrator/run.js';
import type { GlobalOptions, SelectionOptions } from '../main.js';
import { buildPorts, createHost, installSignals, openSession, outputMode } from '../services.js';
import { report } from '../report.js';

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
  const command = name === 'preview' ? 'preview' : 'up';
  const argv = process.argv;
  try {
    const parallel = parseParallel(opts.parallel);
    const session = await openSession(globals, opts.env);
    const selection = resolveSelection(opts, session.registry.map((p) => p.id));
    const controller = new AbortController();
    const host = await createHost(globals, session, (force) => (force ? process.exit(130) : controller.abort()));
    const uninstall = installSignals(controller, () => {});
    try {
      const ports = await buildPorts(session, host);
      const outcome = await runPhases({ command, env: session.env, registry: session.registry, selection, parallel, force: Boolean(opts.force), signal: controller.signal }, ports);
      await host.close();
      // --json already ended with run-finished (it carries the error); humans get the key line last.
      if (outcome.error && outputMode(globals) !== 'json') report(outcome.error, argv, { json: false });
      return outcome.exitCode;
    } finally {
      uninstall();
    }
  } catch (e) {
    return report(e, argv);
  }
}
