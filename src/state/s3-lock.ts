/**
 * Stack locks in the env's S3 backend, beside the state they protect
 * (`s3://bucket/prefix` -> `prefix/.platform-locks/<stack>.json`), so that two operators or CI
 * runners on different machines cannot update one stack at once.
 *
 * Rules:
 * - Acquire is one S3 conditional write: PutObject with `If-None-Match: *` (create only if absent).
 *   S3 answers 412 when the object exists (409 when a concurrent conditional write is in progress):
 *   the stack is locked, and the error names the holder read from the object.
 * - The object holds who (user), host, pid, run id, purpose, since when, and the lease. A live holder
 *   renews it every lease/3 with PutObject `If-Match: <its ETag>`, so a renewal never overwrites a lock
 *   someone else took over.
 * - A lock whose object was last written (S3's own LastModified) more than one lease ago belongs to
 *   a holder that stopped renewing (killed, frozen, cut off): it is taken over with PutObject
 *   `If-Match: <the stale ETag>` (only that exact stale object is replaced; of two takers exactly one
 *   wins), with one line naming the old holder and how long ago its lease expired. Never before.
 * - After a takeover, the engine's own DIY lock files of that stack (`.pulumi/locks/...`), left by the
 *   dead holder's engine, are removed: every engine run happens under our lock, so none is live.
 * - Release stops the renewal and deletes the object with `If-Match: <our ETag>`: never a lock that
 *   someone else holds now.
 * - A renewal that finds the lock taken over (412) reports it once (`onNotice`); the lock is lost.
 */
import { hostname, userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PlatformError } from '../core/errors.js';
import type { LockHandle, Locker } from '../core/ports.js';
import type { S3Location } from './s3-records.js';

export interface S3LockInfo {
  /** The user who ran the CLI (GITHUB_ACTOR in GitHub Actions, else the login name). */
  who: string;
  host: string;
  pid: number;
  runId: string;
  purpose: string;
  /** When the lock was taken (ISO). */
  since: string;
  /** Lease length; the holder renews it every leaseSeconds/3. */
  leaseSeconds: number;
  /** Random, so a holder recognises its own object. */
  nonce: string;
  /** Last renewal (ISO): every renewal changes the object, so its ETag too (a takeover's If-Match then fails). */
  renewedAt: string;
}

export interface S3LockerOptions {
  leaseSeconds: number;
  /** Receives one line per takeover and per lock lost to a takeover. */
  onNotice?: (message: string) => void;
  /** The current time in ms (tests of expiry pass a clock; renewal timers always use real time). */
  now?: () => number;
}

/** Default lease when the env file names none: long enough for a slow S3 call, short enough to wait out. */
export const DEFAULT_LEASE_SECONDS = 120;

function status(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isConflict(e: unknown): boolean {
  const s = status(e);
  const name = (e as { name?: string }).name;
  return s === 412 || s === 409 || name === 'PreconditionFailed' || name === 'ConditionalRequestConflict';
}

function isMissing(e: unknown): boolean {
  const name = (e as { name?: string }).name;
  return status(e) === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

function currentUser(): string {
  if (process.env.GITHUB_ACTOR) return process.env.GITHUB_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export function describeS3Holder(h: Partial<S3LockInfo>): string {
  return `${h.who ?? 'unknown'} on ${h.host ?? 'unknown host'} (pid ${h.pid ?? '?'}, run ${h.runId ?? '?'}, ${h.purpose ?? '?'} since ${h.since ?? '?'})`;
}

export class S3Locker implements Locker {
  private readonly base: string;
  private readonly now: () => number;

  constructor(
    private readonly client: S3Client,
    private readonly loc: S3Location,
    private readonly runId: string,
    private readonly opts: S3LockerOptions,
  ) {
    this.base = [loc.prefix, '.platform-locks'].filter(Boolean).join('/');
    this.now = opts.now ?? Date.now;
  }

  key(stack: string): string {
    return `${this.base}/${stack}.json`;
  }

  url(stack: string): string {
    return `s3://${this.loc.bucket}/${this.key(stack)}`;
  }

  async acquire(stack: string, purpose: string): Promise<LockHandle> {
    const Key = this.key(stack);
    const info: S3LockInfo = {
      who: currentUser(),
      host: hostname(),
      pid: process.pid,
      runId: this.runId,
      purpose,
      since: new Date(this.now()).toISOString(),
      leaseSeconds: this.opts.leaseSeconds,
      nonce: randomBytes(8).toString('hex'),
      renewedAt: new Date(this.now()).toISOString(),
    };
    const body = JSON.stringify(info) + '\n';
    // Three rounds at most: a holder that releases between our write and our read is retried.
    for (let round = 0; round < 3; round++) {
      try {
        const r = await this.client.send(new PutObjectCommand({ Bucket: this.loc.bucket, Key, Body: body, ContentType: 'application/json', IfNoneMatch: '*' }));
        return this.handle(stack, info, r.ETag!);
      } catch (e) {
        if (!isConflict(e)) throw this.failed(e, 'take the lock', stack);
      }
      const held = await this.read(stack);
      if (!held) continue; // released meanwhile
      const ageMs = this.now() - held.lastModified;
      const leaseMs = (held.info.leaseSeconds ?? this.opts.leaseSeconds) * 1000;
      if (ageMs <= leaseMs) {
        const renewed = Math.max(0, Math.round(ageMs / 1000));
        throw new PlatformError('locked', `stack ${stack} is locked by ${describeS3Holder(held.info)}; lease renewed ${renewed}s ago, expires in ${Math.ceil((leaseMs - ageMs) / 1000)}s unless renewed`, {
          value: stack,
          hint: `wait for that run to finish; a holder that died is taken over once its lease (${Math.round(leaseMs / 1000)}s) has run out (lock: ${this.url(stack)})`,
        });
      }
      // Expired: replace exactly that stale object; of two takers one wins, the other sees ours.
      try {
        const r = await this.client.send(new PutObjectCommand({ Bucket: this.loc.bucket, Key, Body: body, ContentType: 'application/json', IfMatch: held.etag }));
        const removed = await this.clearEngineLocks(stack);
        this.opts.onNotice?.(
          `took over the lock of ${stack} from ${describeS3Holder(held.info)}: its lease of ${Math.round(leaseMs / 1000)}s expired ${Math.round((ageMs - leaseMs) / 1000)}s ago (last renewed ${new Date(held.lastModified).toISOString()})` +
            (removed ? `; removed ${removed} engine lock file(s) its engine left` : ''),
        );
        return this.handle(stack, info, r.ETag!);
      } catch (e) {
        if (!isConflict(e) && !isMissing(e)) throw this.failed(e, 'take over the lock', stack);
        // Another taker won, or the object went: look again.
      }
    }
    throw new PlatformError('locked', `stack ${stack} is locked: the lock changed hands while this run tried to take it`, {
      value: stack,
      hint: 'wait for that run to finish, then run again',
    });
  }

  /** The lock object, its ETag and S3's LastModified; undefined when there is none. */
  async read(stack: string): Promise<{ info: Partial<S3LockInfo>; etag: string; lastModified: number } | undefined> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.loc.bucket, Key: this.key(stack) }));
      const text = await r.Body!.transformToString();
      let info: Partial<S3LockInfo>;
      try {
        info = JSON.parse(text) as Partial<S3LockInfo>;
      } catch {
        info = { who: `an unreadable lock object ${this.url(stack)}` };
      }
      return { info, etag: r.ETag!, lastModified: r.LastModified?.getTime() ?? this.now() };
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw this.failed(e, 'read the lock', stack);
    }
  }

  /**
   * Removes the lock object of `stack` if it is still exactly the one read (`etag`), and the engine's
   * own lock files its holder left, as a takeover does (`platform unlock` of an expired lease).
   * A lock that changed meanwhile (renewed, taken over, released) is left alone: 'locked'.
   */
  async remove(stack: string, etag: string): Promise<{ engineLocks: number }> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key: this.key(stack), IfMatch: etag }));
    } catch (e) {
      if (!isConflict(e) && !isMissing(e)) throw this.failed(e, 'remove the lock', stack);
      throw new PlatformError('locked', `the lock of ${stack} changed while you were asked (renewed, taken over or released); nothing was removed`, {
        value: stack,
        hint: `look again: ${this.url(stack)}`,
      });
    }
    return { engineLocks: await this.clearEngineLocks(stack) };
  }

  /** Removes the engine's own lock files of `stack` (Pulumi DIY layout); returns how many. */
  private async clearEngineLocks(stack: string): Promise<number> {
    const Prefix = [this.loc.prefix, '.pulumi', 'locks', 'organization', 'platform', stack].filter(Boolean).join('/') + '/';
    const listed = await this.client.send(new ListObjectsV2Command({ Bucket: this.loc.bucket, Prefix }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!).filter(Boolean);
    if (keys.length) await this.client.send(new DeleteObjectsCommand({ Bucket: this.loc.bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    return keys.length;
  }

  private failed(e: unknown, what: string, stack: string): PlatformError {
    return new PlatformError('engine-failed', `cannot ${what} ${this.url(stack)}: ${(e as Error).message}`, {
      cause: e,
      hint: 'check the credentials and the backend URL in the env file (platform doctor --env <env>)',
    });
  }

  private handle(stack: string, info: S3LockInfo, firstEtag: string): LockHandle {
    let etag = firstEtag;
    let released = false;
    let lost = false;
    let inflight: Promise<void> = Promise.resolve();
    const Key = this.key(stack);
    const renew = async () => {
      if (released || lost) return;
      try {
        const body = JSON.stringify({ ...info, renewedAt: new Date(this.now()).toISOString() }) + '\n';
        const r = await this.client.send(new PutObjectCommand({ Bucket: this.loc.bucket, Key, Body: body, ContentType: 'application/json', IfMatch: etag }));
        etag = r.ETag!;
      } catch (e) {
        if (released) return;
        if (isConflict(e) || isMissing(e)) {
          lost = true;
          clearInterval(timer);
          const now = await this.read(stack).catch(() => undefined);
          this.opts.onNotice?.(`lost the lock of ${stack}: ${now ? `taken over by ${describeS3Holder(now.info)}` : 'it was removed'} (this run stopped renewing it for longer than its lease)`);
        }
        // Any other error: the next renewal tries again; the lease leaves room for two misses.
      }
    };
    // The lease is renewed three times per lease: two renewals may fail before anyone may take over.
    const timer = setInterval(() => {
      inflight = inflight.then(renew);
    }, Math.max(1000, (this.opts.leaseSeconds * 1000) / 3));
    timer.unref();
    return {
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        // A renewal in flight changes the ETag: wait for it, then delete exactly what we wrote last.
        await inflight;
        if (lost) return;
        try {
          await this.client.send(new DeleteObjectCommand({ Bucket: this.loc.bucket, Key, IfMatch: etag }));
        } catch (e) {
          // Taken over or already gone: not ours to delete.
          if (!isConflict(e) && !isMissing(e)) throw this.failed(e, 'release the lock', stack);
        }
      },
    };
  }
}
