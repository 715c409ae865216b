/**
 * The restore drill (issue 18 item 4), independent of where the backup and the scratch database
 * live: AWS Backup and the cluster in production (drill-aws.ts, drill-k8s.ts), a local PostgreSQL
 * in the tests. Steps and rules:
 * 1. The newest COMPLETED recovery point of the database's volume. None is a failure (nothing could
 *    be restored). RPO = now - the point's creation time, judged against `rpoMinutes`.
 * 2. The restore starts (RTO's clock starts) and is polled until COMPLETED; ABORTED or FAILED fail
 *    with AWS Backup's message.
 * 3. The restored volume is mounted in the scratch namespace and a database started on it.
 * 4. Each table is compared with the source up to one cutoff (drill-sql.ts): row count and checksum.
 *    RTO = now - the restore's start, once the data is validated, judged against `rtoMinutes`.
 * 5. Clean-up, ALWAYS (pass, fail, thrown error, cancellation), last created first: the scratch
 *    objects, then the restored volume. It runs on its own signal and deadline (a cancelled drill
 *    still cleans up). A restore job still running when the drill ends is waited for (to its own
 *    deadline) so its volume can be deleted; what cannot be deleted is a problem naming the leftover
 *    and the command that removes it.
 * Every failure is terminal: a retry would restore again, which is the next drill's business.
 */
import type { Clock } from '../../src/core/ports.js';
import type { GateCheckOutcome } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import { compareFingerprints, cutoffOf, fingerprintSql, newestRowSql, parseFingerprint, parseNewest, type DrillTable } from './drill-sql.js';

export interface RecoveryPoint {
  arn: string;
  /** Epoch ms: the point in time the recovery point holds. */
  createdAt: number;
  /** The protected resource (the source volume's ARN). */
  resourceArn: string;
}

export type RestoreJobStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'ABORTED' | 'FAILED';

export interface RestoreJobReading {
  status: RestoreJobStatus;
  message?: string;
  /** The restored resource (an EBS volume's ARN) once COMPLETED. */
  createdResourceArn?: string;
}

/** The backup service side. */
export interface BackupPort {
  /** What is restored (evidence), e.g. `EBS volume vol-0abc (data/data-postgres-0)`. */
  describeSource(): Promise<string>;
  /** The newest COMPLETED recovery point of the source, or undefined (with what was seen). */
  latestRecoveryPoint(): Promise<{ point?: RecoveryPoint; seen: string }>;
  /** Starts restoring `point`; resolves with the restore job's id. */
  startRestore(point: RecoveryPoint): Promise<string>;
  readRestore(jobId: string): Promise<RestoreJobReading>;
  /** Deletes the restored resource (a missing one is fine); resolves with what it did. */
  deleteRestored(resourceArn: string, signal: AbortSignal, deadline: number): Promise<string>;
  /** The command an operator runs to delete a leftover by hand. */
  manualDelete(resourceArn: string): string;
}

/** One database psql can reach. */
export interface SqlTarget {
  /** Where it is (evidence), e.g. `pod data/postgres-0`. */
  readonly where: string;
  /** Runs one statement (drill-sql.ts); resolves with psql's unaligned output. */
  query(sql: string): Promise<string>;
}

/** Where the restored volume becomes a database. */
export interface ScratchPort {
  /** Mounts the restored volume and starts a database on it; resolves once it answers. */
  mount(resourceArn: string, signal: AbortSignal): Promise<SqlTarget>;
  /** Removes whatever mount created (a missing object is fine); resolves with what it removed. */
  unmount(signal: AbortSignal, deadline: number): Promise<string[]>;
  /** What to delete by hand when unmount failed. */
  manualCleanup(): string;
}

export interface DrillConfig {
  rtoMinutes: number;
  rpoMinutes: number;
  tables: readonly DrillTable[];
  /** How often the restore job is read. */
  pollMs: number;
  /** How long clean-up may take after the drill (also when it was cancelled). */
  cleanupMs: number;
}

export interface DrillContext {
  clock: Clock;
  signal: AbortSignal;
  /** Epoch ms by which the drill itself must end (clean-up gets `cleanupMs` more). */
  deadline: number;
}

export interface DrillPorts {
  backup: BackupPort;
  scratch: ScratchPort;
  source: SqlTarget;
}

const MIN = 60_000;
const minutes = (ms: number) => (ms / MIN).toFixed(1);
const iso = (ms: number) => new Date(ms).toISOString();
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Runs one drill and returns the gate outcome (see the header for the rules). */
export async function runRestoreDrill(ctx: DrillContext, cfg: DrillConfig, ports: DrillPorts): Promise<GateCheckOutcome> {
  const { clock } = ctx;
  const ev = new Evidence();
  const { backup, scratch, source } = ports;
  let jobId: string | undefined;
  let restored: string | undefined;
  let mounted = false;
  let hint = 'the evidence above names the step that failed';
  try {
    ev.saw(`source: ${await backup.describeSource()}`);
    // 1. The recovery point and the RPO.
    const { point, seen } = await backup.latestRecoveryPoint();
    if (!point) {
      ev.problem(`no completed recovery point to restore: ${seen}`, true);
      return ev.outcome('check the backup plan (phase 8) ran: aws backup list-backup-jobs --by-state FAILED');
    }
    const startedAt = clock.now();
    const rpoMs = startedAt - point.createdAt;
    const rpoLine = `RPO ${minutes(rpoMs)} min (recovery point ${point.arn} of ${iso(point.createdAt)}), target ${cfg.rpoMinutes} min`;
    if (rpoMs > cfg.rpoMinutes * MIN) ev.problem(`${rpoLine}: the newest recovery point is too old`, true);
    else ev.saw(rpoLine);

    // 2. The restore.
    jobId = await backup.startRestore(point);
    ev.saw(`restore job ${jobId} started ${iso(startedAt)}`);
    let reading: RestoreJobReading = { status: 'PENDING' };
    for (;;) {
      reading = await backup.readRestore(jobId);
      if (reading.status === 'COMPLETED' || reading.status === 'ABORTED' || reading.status === 'FAILED') break;
      if (clock.now() >= ctx.deadline) throw new Error(`restore job ${jobId} still ${reading.status} at the drill's deadline`);
      await clock.sleep(Math.min(cfg.pollMs, ctx.deadline - clock.now()), ctx.signal);
    }
    if (reading.status !== 'COMPLETED') {
      ev.problem(`restore job ${jobId} ended ${reading.status}: ${reading.message ?? 'no message'}`, true);
      return ev.outcome(`aws backup describe-restore-job --restore-job-id ${jobId}`);
    }
    if (!reading.createdResourceArn) throw new Error(`restore job ${jobId} COMPLETED without a created resource`);
    restored = reading.createdResourceArn;
    ev.saw(`restored ${restored} in ${minutes(clock.now() - startedAt)} min`);

    // 3. A database on the restored volume.
    mounted = true;
    const db = await scratch.mount(restored, ctx.signal);
    ev.saw(`restored database running: ${db.where}`);

    // 4. The data.
    let mismatches = 0;
    for (const t of cfg.tables) {
      const newest = parseNewest(t.name, await db.query(newestRowSql(t)));
      const cutoff = cutoffOf(point.createdAt, newest);
      const a = parseFingerprint(t.name, await source.query(fingerprintSql(t, cutoff)));
      const b = parseFingerprint(t.name, await db.query(fingerprintSql(t, cutoff)));
      const diff = compareFingerprints(t.name, cutoff, a, b);
      if (diff) {
        mismatches++;
        ev.problem(diff, true);
      } else ev.saw(`${t.name}: ${b.rows} rows up to ${cutoff}, checksum ${b.checksum} on both sides`);
    }
    const rtoMs = clock.now() - startedAt;
    const rtoLine = `RTO ${minutes(rtoMs)} min (restore started to data validated), target ${cfg.rtoMinutes} min`;
    if (rtoMs > cfg.rtoMinutes * MIN) ev.problem(`${rtoLine}: the restore is too slow`, true);
    else ev.saw(rtoLine);
    if (mismatches > 0) hint = `the restore does not hold the source's rows: look for updates or deletes on the append-only tables in the source (${source.where}), or restore the same recovery point by hand to inspect it`;
    else if (!ev.ok) hint = 'the backup schedule (env resilience.backup.schedule) or the targets (env hardening) must change, or the restore must get faster';
  } catch (e) {
    ev.problem(`${ctx.signal.aborted ? 'cancelled' : 'failed'}: ${message(e)}`, true);
  } finally {
    await cleanUp();
  }
  return ev.outcome(hint);

  async function cleanUp(): Promise<void> {
    const own = new AbortController();
    const until = clock.now() + cfg.cleanupMs;
    if (mounted) {
      try {
        for (const what of await scratch.unmount(own.signal, until)) ev.saw(`clean-up: ${what}`);
      } catch (e) {
        ev.problem(`clean-up: the scratch objects may be left (${message(e)}); delete them: ${scratch.manualCleanup()}`, true);
      }
    }
    if (jobId && !restored) {
      // Started but not finished (cancelled or out of time): its volume appears when the job ends.
      try {
        for (;;) {
          const r = await backup.readRestore(jobId);
          if (r.status === 'COMPLETED') {
            restored = r.createdResourceArn;
            break;
          }
          if (r.status === 'ABORTED' || r.status === 'FAILED') break;
          if (clock.now() >= until) throw new Error(`still ${r.status} after ${cfg.cleanupMs / MIN} min of clean-up`);
          await clock.sleep(Math.min(cfg.pollMs, until - clock.now()), own.signal);
        }
      } catch (e) {
        ev.problem(`clean-up: restore job ${jobId} did not end (${message(e)}); when it completes, delete the volume it created: aws backup describe-restore-job --restore-job-id ${jobId} (CreatedResourceArn)`, true);
      }
    }
    if (restored) {
      try {
        ev.saw(`clean-up: ${await backup.deleteRestored(restored, own.signal, until)}`);
      } catch (e) {
        ev.problem(`clean-up: ${restored} is left (${message(e)}); delete it: ${backup.manualDelete(restored)}`, true);
      }
    }
  }
}
