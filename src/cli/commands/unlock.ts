/**
 * `platform unlock --phase N --env E`: removes the CLI's lock on one stack.
 * - no lock: says so, exit 0;
 * - a holder alive on this host: refused (exit 4), naming it; nothing is removed;
 * - a holder on this host that is gone: cleared by the locker's own dead-holder rule (the same one
 *   every run applies), one line says so;
 * - a holder on another host (or an unreadable lock file): its holder and age are shown and the
 *   user confirms (`--yes` off a terminal; without it exit 2); the file is removed only if it still
 *   holds what was shown.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PlatformError } from '../../core/errors.js';
import { parsePhaseSpec } from '../../core/selection.js';
import { targetOf } from '../../orchestrator/scope.js';
import { FileLocker } from '../../state/file-lock.js';
import { holderState } from '../../state/process-identity.js';
import { formatDuration } from '../../ui/view-format.js';
import type { GlobalOptions } from '../main.js';
import { askYesNo } from '../prompt.js';
import { report } from '../report.js';
import { createRecordStore, interactive, openSession, organizationPorts } from '../services.js';

interface Holder {
  pid?: number;
  host?: string;
  startTicks?: number;
  runId?: string;
  purpose?: string;
  at?: string;
}

async function readText(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
}

export default async function unlock(opts: { env: string; phase: string; yes?: boolean }, globals: GlobalOptions): Promise<number> {
  try {
    const ids = parsePhaseSpec(opts.phase);
    if (ids.length !== 1) throw new PlatformError('bad-phase', `unlock takes one phase, got '${opts.phase}'`, { value: opts.phase, hint: 'use --phase N' });
    const session = await openSession(globals, opts.env);
    const phase = session.registry.find((p) => p.id === ids[0])!;
    const t = targetOf(phase, session.env, { engine: session.engine, records: await createRecordStore(session), organization: await organizationPorts(session) });
    const key = t.ref.name;
    const file = join(session.paths.locksDir, `${key}.lock`);
    const text = await readText(file);
    if (text === undefined) {
      process.stdout.write(`stack ${key} is not locked; nothing to do\n`);
      return 0;
    }
    let holder: Holder | undefined;
    try {
      holder = JSON.parse(text) as Holder;
    } catch {
      holder = undefined;
    }
    const state = holder ? holderState({ pid: holder.pid, host: holder.host, startTicks: holder.startTicks, since: holder.at }) : 'elsewhere';
    const since = holder?.at ? Date.parse(holder.at) : NaN;
    const age = Number.isFinite(since) ? `${formatDuration(Date.now() - since)} ago` : 'at an unknown time';
    const who = holder ? `pid ${holder.pid} on ${holder.host} (run ${holder.runId}, ${holder.purpose}, locked ${age}, at ${holder.at})` : `an unreadable lock file ${file}`;
    if (state === 'alive') {
      throw new PlatformError('locked', `stack ${key} is locked by a live run: ${who}`, {
        value: key,
        hint: `wait for it to finish, or stop it (kill ${holder!.pid}); unlock never removes a live run's lock`,
      });
    }
    if (state === 'gone' || state === 'reused') {
      // The rule every run applies to a dead holder on this host: the locker clears it and says so.
      const notices: string[] = [];
      const handle = await new FileLocker(session.paths.locksDir, session.runId, (m) => notices.push(m)).acquire(key, 'unlock');
      await handle.release();
      process.stdout.write(`${notices[0] ?? `cleared the lock of ${key}`}\n`);
      return 0;
    }
    if (!opts.yes) {
      if (!interactive()) {
        throw new PlatformError('confirmation-required', `unlock needs confirmation: stack ${key} is locked by ${who}`, {
          value: key,
          hint: `make sure that run is over, then pass --yes: platform unlock --phase ${phase.id} --env ${opts.env} --yes`,
        });
      }
      process.stderr.write(`stack ${key} is locked by ${who}.\nThis host cannot tell whether that run is still going: removing the lock of a live run lets two runs change the same stack.\n`);
      if (!(await askYesNo(`Remove the lock of ${key}?`))) {
        throw new PlatformError('declined', `unlock not confirmed; the lock of ${key} stays`);
      }
    }
    if ((await readText(file)) !== text) {
      throw new PlatformError('locked', `the lock of ${key} changed while you were asked (another run took it); nothing was removed`, {
        value: key,
        hint: `look again: platform unlock --phase ${phase.id} --env ${opts.env}`,
      });
    }
    await rm(file, { force: true });
    process.stdout.write(`removed the lock of ${key} (held by ${who})\n`);
    return 0;
  } catch (e) {
    return report(e, process.argv);
  }
}
