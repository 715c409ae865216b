/**
 * `platform unlock --phase N --env E`: removes the CLI's lock on one stack.
 * - no lock: says so, exit 0;
 * - a holder alive on this host: refused (exit 4), naming it; nothing is removed;
 * - a holder on this host that is gone: cleared by the locker's own dead-holder rule (the same one
 *   every run applies), one line says so;
 * - a holder on another host (or an unreadable lock file): its holder and age are shown and the
 *   user confirms (`--yes` off a terminal; without it exit 2); the file is removed only if it still
 *   holds what was shown.
 * On an s3:// backend with the real engine the lock is an object in the bucket (src/state/s3-lock.ts):
 * - none: says so, exit 0;
 * - a lease still renewed: refused (exit 4), naming the holder and when the lease runs out; a live
 *   holder renews it, and the next run takes over a dead one's once it has run out;
 * - a lease run out: its holder and age are shown and the user confirms as above; the object is
 *   deleted only if it is still the one shown (If-Match), with the engine lock files it left.
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
import { createRecordStore, interactive, lockerAt, openSession, organizationPorts } from '../services.js';
import { DEFAULT_LEASE_SECONDS, describeS3Holder, S3Locker } from '../../state/s3-lock.js';

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
    const shared = await lockerAt(t.env, t.engine.kind, session.paths.locksDir, session.runId, () => {});
    if (shared instanceof S3Locker) return await unlockS3(shared, key, phase.id, opts);
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

async function unlockS3(locker: S3Locker, key: string, phaseId: number, opts: { env: string; yes?: boolean }): Promise<number> {
  const held = await locker.read(key);
  if (!held) {
    process.stdout.write(`stack ${key} is not locked (no ${locker.url(key)}); nothing to do\n`);
    return 0;
  }
  const leaseMs = (held.info.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  const ageMs = Date.now() - held.lastModified;
  const who = `${describeS3Holder(held.info)}, lease last renewed ${formatDuration(Math.max(0, ageMs))} ago`;
  if (ageMs <= leaseMs) {
    throw new PlatformError('locked', `stack ${key} is locked by ${who}; its lease runs out in ${Math.ceil((leaseMs - ageMs) / 1000)}s unless renewed`, {
      value: key,
      hint: 'a live run renews its lease: wait for it to finish; if it died, the next run takes the lock over once the lease has run out, and unlock removes it then',
    });
  }
  if (!opts.yes) {
    if (!interactive()) {
      throw new PlatformError('confirmation-required', `unlock needs confirmation: stack ${key} is locked by ${who}`, {
        value: key,
        hint: `make sure that run is over, then pass --yes: platform unlock --phase ${phaseId} --env ${opts.env} --yes`,
      });
    }
    process.stderr.write(`stack ${key} is locked by ${who}.\nIts lease has run out: its holder stopped renewing it. Removing it lets the next run change the stack.\n`);
    if (!(await askYesNo(`Remove the lock of ${key}?`))) {
      throw new PlatformError('declined', `unlock not confirmed; the lock of ${key} stays`);
    }
  }
  const { engineLocks } = await locker.remove(key, held.etag);
  process.stdout.write(`removed the lock of ${key} (held by ${who})${engineLocks ? `, and ${engineLocks} engine lock file(s) its engine left` : ''}\n`);
  return 0;
}
