/** `platform outputs --phase N`: the phase's stack outputs, secrets masked, simulated ones labelled. */
import { parsePhaseSpec } from '../../core/selection.js';
import { PlatformError } from '../../core/errors.js';
import { maskOutputs } from '../../core/secrets.js';
import type { GlobalOptions } from '../main.js';
import { createRecordStore, openSession, organizationPorts, outputMode } from '../services.js';
import { targetOf } from '../../orchestrator/scope.js';
import { secretKeys } from '../../orchestrator/outputs.js';
import { hasProgram } from '../../core/phase.js';
import { closest } from '../../config/edit-distance.js';
import { report } from '../report.js';

export default async function outputs(opts: { env: string; phase: string }, globals: GlobalOptions, _name: string, args: string[] = []): Promise<number> {
  try {
    const ids = parsePhaseSpec(opts.phase);
    if (ids.length !== 1) throw new PlatformError('bad-phase', `outputs takes one phase, got '${opts.phase}'`, { value: opts.phase, hint: 'use --phase N' });
    const session = await openSession(globals, opts.env);
    const phase = session.registry.find((p) => p.id === ids[0])!;
    if (!hasProgram(phase)) {
      const have = session.registry.filter(hasProgram).map((p) => p.id);
      throw new PlatformError('no-program', `phase ${phase.id} (${phase.slug}) has no program yet, so it has no outputs`, { value: String(phase.id), hint: `phases with programs: ${have.join(', ')}` });
    }
    // Phase 0 is read from the organization's one stack, whichever env asks.
    const t = targetOf(phase, session.env, { engine: session.engine, records: await createRecordStore(session), organization: await organizationPorts(session) });
    const ref = t.ref;
    const raw = await t.engine.outputs(ref, t.env);
    const masked = maskOutputs(raw, secretKeys(phase, raw));
    const simulated = t.engine.kind === 'simulate';
    const key = args[0];
    if (key !== undefined) {
      if (!(key in masked)) {
        const keys = Object.keys(masked);
        const near = closest(key, keys);
        throw new PlatformError('usage', `phase ${phase.id} (${phase.slug}) has no output '${key}'`, {
          value: key,
          hint: `${near ? `did you mean '${near}'? ` : ''}outputs: ${keys.join(', ')}`,
        });
      }
      const v = masked[key];
      if (outputMode(globals) === 'json') process.stdout.write(JSON.stringify({ type: 'output', phase: phase.id, stack: ref.name, simulated, name: key, value: v }) + '\n');
      else process.stdout.write(`${typeof v === 'string' ? v : JSON.stringify(v)}\n`);
      return 0;
    }
    if (outputMode(globals) === 'json') {
      process.stdout.write(JSON.stringify({ type: 'outputs', phase: phase.id, stack: ref.name, simulated, outputs: masked }) + '\n');
      return 0;
    }
    // Whole values: stdout is for results, and a cut value is a wrong value.
    const lines = Object.entries(masked).map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    process.stdout.write(`${ref.name}${simulated ? ' (simulated values)' : ''}\n${lines.join('\n')}\n`);
    return 0;
  } catch (e) {
    return report(e, process.argv);
  }
}
