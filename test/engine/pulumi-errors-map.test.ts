/**
 * Error and event mapping of the Pulumi adapter, on Pulumi's own texts and event shapes (no engine
 * needed): locked names the holder from the lock file or Pulumi's text, pending/plugin/passphrase
 * texts map to their codes and exit codes, secrets are redacted, replacement steps collapse to one
 * replace, and the root stack is not counted.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { ExitCode, type PlatformError } from '../../src/core/errors.js';
import type { PlatformEvent } from '../../src/core/events.js';
import { redact } from '../../src/core/secrets.js';
import { CliFailure } from '../../src/engine/pulumi/command.js';
import { mapPulumiError, type ErrorContext } from '../../src/engine/pulumi/errors-map.js';
import { countsFrom, EventMapper } from '../../src/engine/pulumi/events-map.js';
import { readLocks } from '../../src/engine/pulumi/state.js';

const stack = { env: 'stg', phase: 3 as const, slug: 'gitops', name: 'stg-03-gitops' };
const ctx = (over: Partial<ErrorContext> = {}): ErrorContext => ({
  stack,
  operation: 'up',
  backendUrl: 'file:///state',
  locks: () => [],
  redact: (t) => redact(t, ['hunter2-secret']),
  ...over,
});
const fail = (stderr: string, stdout = '') => new CliFailure(['up'], stdout, stderr, 255, null);

describe('pulumi adapter: error mapping', () => {
  it('locked: names the holder from the lock file, stale when the pid is gone on this host', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locks-'));
    try {
      const lockDir = join(dir, '.pulumi', 'locks', 'organization', 'platform', stack.name);
      mkdirSync(lockDir, { recursive: true });
      writeFileSync(join(lockDir, 'a.json'), JSON.stringify({ pid: 2 ** 22 + 7, username: 'ci', hostname: hostname(), timestamp: '2026-11-26T10:00:00Z' }));
      const e = mapPulumiError(
        fail('error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.'),
        ctx({ locks: () => readLocks(dir, stack.name) }),
      );
      assert.equal(e.code, 'locked');
      assert.equal(e.exitCode, ExitCode.Locked);
      assert.match(e.message, /locked by pid 4194311 on \S+ by ci since 2026-11-26T10:00:00Z \(that process is gone: a stale lock\)/);
      assert.match(e.hint!, /platform repair --phase 3 --env stg/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("locked: falls back to Pulumi's own text when the lock file is not readable (s3)", () => {
    const e = mapPulumiError(
      fail('error: the stack is currently locked by 1 lock(s).\n  s3://b/.pulumi/locks/organization/platform/stg-03-gitops/x.json: created by alice@box1 (pid 4242) at 2026-11-26T09:00:00Z'),
      ctx(),
    );
    assert.match(e.message, /locked by pid 4242 on box1 by alice since 2026-11-26T09:00:00Z/);
  });

  it('missing plugin, passphrase, stack-not-found and missing CLI map to their codes', () => {
    const plugin = mapPulumiError(fail('', "error: no resource plugin 'pulumi-resource-aws' found in the workspace at version v7.48.0 or on your $PATH"), ctx());
    assert.deepEqual([plugin.code, plugin.exitCode, plugin.value], ['plugin-missing', ExitCode.Usage, 'aws']);
    assert.match(plugin.hint!, /pulumi plugin install resource aws 7\.48\.0/);
    const pass = mapPulumiError(fail('error: incorrect passphrase, please set PULUMI_CONFIG_PASSPHRASE to the correct passphrase'), ctx());
    assert.equal(pass.code, 'passphrase');
    const missing = mapPulumiError(fail("error: no stack named 'stg-03-gitops' found"), ctx());
    assert.equal(missing.code, 'stack-not-found');
    assert.match(missing.hint!, /only `platform up --phase 3 --env stg` creates a stack/);
    const cli = mapPulumiError(new Error('spawn /x/bin/pulumi ENOENT'), ctx());
    assert.deepEqual([cli.code, cli.exitCode], ['engine-missing', ExitCode.Usage]);
    assert.match(cli.hint!, /install-pulumi-engine\.sh.*platform doctor/);
  });

  it('cancelled: graceful vs forced, naming what was in flight', () => {
    const graceful = mapPulumiError(fail('error: update canceled'), ctx({ cancelled: { inFlight: [], forced: false } }));
    assert.deepEqual([graceful.code, graceful.exitCode], ['cancelled', ExitCode.Interrupted]);
    const forced = mapPulumiError(fail(''), ctx({ cancelled: { inFlight: ['urn:pulumi:s::platform::t::db'], forced: true } }));
    assert.match(forced.message, /stopped immediately; in flight: urn:pulumi:s::platform::t::db/);
    assert.match(forced.hint!, /platform repair --phase 3 --env stg/);
  });

  it('engine-failed carries the error diagnostics, redacted, and never the raw failure as cause', () => {
    const e: PlatformError = mapPulumiError(fail('error: update failed'), ctx({ diagnostics: ['Error: db password hunter2-secret rejected'] }));
    assert.equal(e.code, 'engine-failed');
    assert.match(e.message, /db password \[secret\] rejected/);
    assert.ok(!String((e.cause as Error).message).includes('hunter2-secret'));
  });
});

describe('pulumi adapter: event mapping', () => {
  const meta = (op: string, name: string, extra: object = {}) => ({ op, urn: `urn:pulumi:s::platform::t:x:Y::${name}`, type: 't:x:Y', provider: '', ...extra });
  const ev = (e: Partial<EngineEvent>): EngineEvent => ({ sequence: 0, timestamp: 0, ...e }) as EngineEvent;

  it('collapses a replacement into one replace with the changed property, and skips the root stack', () => {
    const out: PlatformEvent[] = [];
    let t = 1000;
    const m = new EventMapper(3, (e) => out.push(e), (s) => s, () => (t += 10));
    m.handle(ev({ resourcePreEvent: { metadata: meta('same', 'stack', { type: 'pulumi:pulumi:Stack', urn: 'urn:pulumi:s::platform::pulumi:pulumi:Stack::p' }) as never } }));
    const olds = { old: { inputs: { name: 'a', content: 'x' } }, new: { inputs: { name: 'b', content: 'x' } } };
    for (const op of ['create-replacement', 'replace']) m.handle(ev({ resourcePreEvent: { metadata: meta(op, 'c', olds) as never } }));
    m.handle(ev({ resOutputsEvent: { metadata: meta('create-replacement', 'c', olds) as never } }));
    m.handle(ev({ resOutputsEvent: { metadata: meta('replace', 'c', olds) as never } }));
    m.handle(ev({ resourcePreEvent: { metadata: meta('delete-replaced', 'c') as never } }));
    m.handle(ev({ resOutputsEvent: { metadata: meta('delete-replaced', 'c') as never } }));
    m.handle(ev({ summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { same: 1, replace: 1, 'create-replacement': 1, 'delete-replaced': 1 }, policyPacks: {} } }));
    const ops = out.filter((e) => e.type === 'resource-op');
    assert.deepEqual(ops.map((e) => e.type === 'resource-op' && [e.name, e.op, e.status]), [['c', 'replace', 'started'], ['c', 'replace', 'done']]);
    const done = ops[1]!;
    assert.ok(done.type === 'resource-op' && done.durationMs! > 0 && done.diffs?.join() === 'name');
    assert.deepEqual(m.summary, { create: 0, update: 0, replace: 1, delete: 0, same: 0 }, 'the root stack is not counted');
  });

  it('a planned update carries old -> new values of its changed properties; a secret is masked on both sides', () => {
    const out: PlatformEvent[] = [];
    const m = new EventMapper(1, (e) => out.push(e), (s) => s);
    const sig = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', value: 'hunter2-plaintext' };
    const olds = { old: { inputs: { retentionInDays: 7, password: sig, tags: { a: '1' } } }, new: { inputs: { retentionInDays: 30, password: { ...sig, value: 'new-plaintext' }, tags: { a: '1' } } } };
    m.handle(ev({ resourcePreEvent: { planning: true, metadata: meta('update', 'lg', { ...olds, diffs: ['retentionInDays', 'password'] }) as never } }));
    const done = out.find((e) => e.type === 'resource-op' && e.status === 'done');
    assert.ok(done && done.type === 'resource-op');
    assert.deepEqual(done.changes, [
      { path: 'retentionInDays', old: 7, new: 30 },
      { path: 'password', old: '[secret]', new: '[secret]', secret: true },
    ]);
    assert.ok(!JSON.stringify(out).includes('plaintext'), 'no secret value in any event');
  });

  it('diagnostics: debug dropped, secrets redacted, errors kept for the error message', () => {
    const out: PlatformEvent[] = [];
    const m = new EventMapper(1, (e) => out.push(e), (s) => redact(s, ['tok-123456']));
    m.handle(ev({ diagnosticEvent: { message: 'debug noise', color: 'never', severity: 'debug' as never } }));
    m.handle(ev({ diagnosticEvent: { message: '\u001b[31mbad token tok-123456\u001b[0m\n', color: 'never', severity: 'error' } }));
    assert.equal(out.length, 1);
    assert.ok(out[0]!.type === 'diagnostic' && out[0]!.message === 'bad token [secret]' && out[0]!.severity === 'error');
    assert.deepEqual(m.errors, ['bad token [secret]']);
    assert.deepEqual(countsFrom({ create: 2, 'create-replacement': 1, replace: 1, discard: 1 }), { create: 2, update: 0, replace: 1, delete: 1, same: 0 });
  });
});
