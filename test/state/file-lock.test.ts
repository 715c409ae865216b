/**
 * The CLI's lock files: a lock left by a process that no longer exists (or whose pid now belongs to
 * another process) is cleared with one line and taken; a live holder, or one on another host, is
 * 'locked' (exit 4) naming it; release removes only our own file. Holders are real processes.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, isPlatformError } from '../../src/core/errors.js';
import { FileLocker, type LockInfo } from '../../src/state/file-lock.js';
import { holderState, processStartTicks } from '../../src/state/process-identity.js';

describe('FileLocker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'platform-locks-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (key: string, info: Partial<LockInfo>) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${key}.lock`), JSON.stringify({ host: hostname(), runId: 'r-old', purpose: 'up', at: '2026-11-30T00:00:00.000Z', ...info }) + '\n');
  };
  /** The pid of a process that has exited (and been reaped). */
  const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

  it('records pid, start time, host and run id', async () => {
    const h = await new FileLocker(dir, 'run-1').acquire('rt-01-a', 'up');
    const info = JSON.parse(readFileSync(join(dir, 'rt-01-a.lock'), 'utf8')) as LockInfo;
    assert.equal(info.pid, process.pid);
    assert.equal(info.host, hostname());
    assert.equal(info.runId, 'run-1');
    assert.equal(info.startTicks, processStartTicks(process.pid));
    assert.ok(typeof info.startTicks === 'number' && info.startTicks > 0);
    await h.release();
    assert.equal(existsSync(dir), false, 'the empty locks folder goes with the last lock');
  });

  it('a holder that no longer exists: cleared with one line naming it, and taken', async () => {
    const pid = deadPid();
    write('rt-01-a', { pid, runId: 'r-killed' });
    const lines: string[] = [];
    const h = await new FileLocker(dir, 'run-2', (m) => lines.push(m)).acquire('rt-01-a', 'repair');
    assert.deepEqual(lines, [`cleared the lock of rt-01-a left by pid ${pid} on ${hostname()} (run r-killed, up since 2026-11-30T00:00:00.000Z): that process no longer exists`]);
    assert.equal((JSON.parse(readFileSync(join(dir, 'rt-01-a.lock'), 'utf8')) as LockInfo).runId, 'run-2');
    await h.release();
  });

  it('a reused pid (same pid, another start time) is not taken for the holder', async () => {
    const ticks = processStartTicks(process.pid)!;
    write('rt-01-a', { pid: process.pid, startTicks: ticks - 1 });
    const lines: string[] = [];
    await new FileLocker(dir, 'run-3', (m) => lines.push(m)).acquire('rt-01-a', 'up');
    assert.match(lines[0]!, new RegExp(`pid ${process.pid} now belongs to another process`));
  });

  it('a live holder: locked, exit 4, naming pid, host and run; its file untouched', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      await new Promise((r) => setTimeout(r, 100));
      write('rt-01-a', { pid: child.pid!, startTicks: processStartTicks(child.pid!), runId: 'r-live' });
      const before = readFileSync(join(dir, 'rt-01-a.lock'), 'utf8');
      const e = await new FileLocker(dir, 'run-4').acquire('rt-01-a', 'up').then(() => undefined, (x: unknown) => x);
      assert.ok(isPlatformError(e) && e.code === 'locked', String(e));
      assert.equal(e.exitCode, ExitCode.Locked);
      assert.match(e.message, new RegExp(`stack rt-01-a is locked by pid ${child.pid} on ${hostname()} \\(run r-live, up since `));
      assert.equal(readFileSync(join(dir, 'rt-01-a.lock'), 'utf8'), before);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a holder on another host is never judged: locked', async () => {
    write('rt-01-a', { pid: deadPid(), host: 'elsewhere.example' });
    const e = await new FileLocker(dir, 'run-5').acquire('rt-01-a', 'up').then(() => undefined, (x: unknown) => x);
    assert.ok(isPlatformError(e) && e.code === 'locked');
    assert.match(e.message, /on elsewhere\.example/);
  });

  it('two lockers racing: exactly one wins; release removes only its own file', async () => {
    const results = await Promise.allSettled([new FileLocker(dir, 'a').acquire('k', 'up'), new FileLocker(dir, 'b').acquire('k', 'up')]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const winner = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ release(): Promise<void> }>;
    // Someone else's file replaced ours (it cleared ours as stale): our release leaves it alone.
    write('k', { pid: process.pid, runId: 'someone-else' });
    await winner.value.release();
    assert.equal((JSON.parse(readFileSync(join(dir, 'k.lock'), 'utf8')) as LockInfo).runId, 'someone-else');
  });

  it('holderState: Pulumi-style locks (timestamp, no start time) after the pid started are reused pids', () => {
    assert.equal(holderState({ pid: process.pid, host: hostname(), since: '2000-01-01T00:00:00Z' }), 'reused');
    assert.equal(holderState({ pid: process.pid, host: hostname(), since: new Date().toISOString() }), 'alive');
    assert.equal(holderState({ pid: deadPid(), host: hostname() }), 'gone');
    assert.equal(holderState({ pid: process.pid, host: 'other' }), 'elsewhere');
  });
});
