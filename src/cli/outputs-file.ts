/**
 * `up --outputs-file FILE` (like CDK's): when the run ends, every deployed phase's outputs (secrets
 * masked, simulated ones labelled) as one JSON document keyed by phase id. Written atomically: a
 * temporary file in the same folder, then rename(2), so a reader never sees half a file. The path is
 * checked before the run (its folder must exist and it must not be a folder), so a typo costs nothing.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PlatformError } from '../core/errors.js';
import { hasProgram } from '../core/phase.js';
import { maskOutputs } from '../core/secrets.js';
import { targetOf } from '../orchestrator/scope.js';
import { secretKeys } from '../orchestrator/outputs.js';
import { createRecordStore, organizationPorts, type Session } from './services.js';

export async function prepareOutputsFile(raw: string): Promise<(session: Session) => Promise<void>> {
  const file = resolve(process.cwd(), raw);
  const bad = (why: string) =>
    new PlatformError('usage', `invalid --outputs-file '${raw}': ${why}`, { value: raw, hint: 'name a file in an existing folder, e.g. --outputs-file outputs.json' });
  if (raw.trim() === '') throw bad('empty path');
  const dir = await stat(dirname(file)).catch(() => undefined);
  if (!dir?.isDirectory()) throw bad(`folder ${dirname(file)} does not exist`);
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw bad('it is a folder');
  return async (session) => writeOutputsFile(file, session);
}

async function writeOutputsFile(file: string, session: Session): Promise<void> {
  const ports = { engine: session.engine, records: await createRecordStore(session), organization: await organizationPorts(session) };
  const doc: Record<string, { stack: string; simulated: boolean; outputs: Record<string, unknown> }> = {};
  for (const phase of session.registry.filter(hasProgram)) {
    const t = targetOf(phase, session.env, ports);
    if (!(await t.engine.info(t.ref, t.env)).exists) continue;
    const raw = await t.engine.outputs(t.ref, t.env);
    doc[String(phase.id)] = { stack: t.ref.name, simulated: t.engine.kind === 'simulate', outputs: maskOutputs(raw, secretKeys(phase, raw)) };
  }
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify({ env: session.env.name, phases: doc }, null, 2) + '\n');
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}
