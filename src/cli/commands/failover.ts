/**
 * `platform failover --env E --to dr`: prints the ordered runbook that promotes the pilot-light DR
 * side, filled from the env file and phase 8's recorded outputs. Read-only: it changes no state.
 * Bad input (a `--to` other than dr, an unknown env, an env with no pilot-light cluster) is refused
 * before anything is read; phase 8 not deployed is a dependency error (exit 3).
 */
import { PlatformError } from '../../core/errors.js';
import { checkEnvHasDr, checkTarget, failoverRunbook, phase8Outputs, renderRunbook } from '../../../programs/registry.js';
import { maskOutputs } from '../../core/secrets.js';
import { secretKeys } from '../../orchestrator/outputs.js';
import { targetOf } from '../../orchestrator/scope.js';
import type { GlobalOptions } from '../main.js';
import { report } from '../report.js';
import { createRecordStore, openSession, organizationPorts, outputMode } from '../services.js';

export default async function failover(opts: { env: string; to: string }, globals: GlobalOptions): Promise<number> {
  try {
    checkTarget(opts.to);
    const session = await openSession(globals, opts.env);
    checkEnvHasDr(session.env);
    const phase = session.registry.find((p) => p.id === 8)!;
    const t = targetOf(phase, session.env, { engine: session.engine, records: await createRecordStore(session), organization: await organizationPorts(session) });
    // The runbook needs no secret: the DR kubeconfig is left out of what is read.
    const raw = await t.engine.outputs(t.ref, t.env);
    const parsed = phase8Outputs.omit({ drKubeconfig: true }).safeParse(maskOutputs(raw, secretKeys(phase, raw)));
    if (!parsed.success || !parsed.data.drClusterName) {
      throw new PlatformError('dependency-check', `phase 8 of env ${session.env.name} has no recorded DR cluster to promote`, {
        value: '8',
        hint: `deploy it first: platform up --phase 8 --env ${session.env.name}`,
      });
    }
    const steps = failoverRunbook(session.env, parsed.data);
    if (outputMode(globals) === 'json') process.stdout.write(JSON.stringify({ type: 'failover-runbook', env: session.env.name, to: 'dr', simulated: t.engine.kind === 'simulate', steps }) + '\n');
    else process.stdout.write(renderRunbook(session.env, steps, t.engine.kind === 'simulate'));
    return 0;
  } catch (e) {
    return report(e, process.argv);
  }
}
