/**
 * The real Pulumi engine through our adapter: create, no-op, update, preview, outputs (typed, secret
 * flagged), destroy; select-never-creates; checkpoint backups; wrong passphrase.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPlatformError, PlatformError } from '../../src/core/errors.js';
import { maskOutputs } from '../../src/core/secrets.js';
import { makeHarness, rejection, type Harness } from './harness.js';
import { testPhase, TestOutputs } from './fixtures/test-phases.js';

describe('real engine: stack lifecycle', function () {
  this.timeout(180_000);
  let h: Harness;
  const alpha = testPhase(1, 'alpha');
  const files = () => readdirSync(join(h.dir, 'files-a'));

  before(() => {
    h = makeHarness();
  });
  after(() => h?.cleanup());

  it('creates on the first up, with typed outputs and the secret flagged', async () => {
    const inputs = { dir: join(h.dir, 'files-a'), content: 'v1', files: 2, canary: 'canary-lifecycle-0001' };
    const res = await h.engine.up(h.request(alpha, inputs));
    assert.equal(res.changes.create, 3);
    assert.equal(files().length, 3, 'the engine really created two files and the secret one');
    const outs = res.outputs!;
    const parsed = TestOutputs.parse(Object.fromEntries(Object.entries(outs).map(([k, o]) => [k, o.value])));
    assert.equal(parsed.totalSize, 4, 'numbers come back as numbers');
    assert.equal(parsed.paths.length, 2, 'arrays come back as arrays');
    assert.equal(outs.token!.secret, true);
    assert.equal(outs.label!.secret, false);
    assert.equal(maskOutputs(outs).token, '[secret]');
    const ops = h.events.filter((e) => e.type === 'resource-op' && e.op === 'create');
    assert.equal(ops.filter((e) => e.type === 'resource-op' && e.status === 'started').length, 3);
    const done = ops.filter((e) => e.type === 'resource-op' && e.status === 'done');
    assert.equal(done.length, 3);
    assert.ok(done.every((e) => e.type === 'resource-op' && typeof e.durationMs === 'number' && e.resourceType.includes('FileResource')));
    assert.ok(!JSON.stringify(h.events).includes('canary-lifecycle-0001'), 'no event carries the secret');
  });

  it('changes nothing on a second up with the same inputs, after backing up the checkpoint', async () => {
    const inputs = { dir: join(h.dir, 'files-a'), content: 'v1', files: 2, canary: 'canary-lifecycle-0001' };
    const res = await h.engine.up(h.request(alpha, inputs));
    assert.deepEqual({ ...res.changes, same: 0 }, { create: 0, update: 0, replace: 0, delete: 0, same: 0 });
    assert.ok(res.changes.same >= 3);
    const backups = readdirSync(join(h.backendDir, '.pulumi', 'backups', 'platform', 'rt-01-alpha')).filter((f) => f.includes('.pre-up.'));
    assert.ok(backups.length >= 1, 'a dated pre-up backup sits beside the state');
    const backup = readFileSync(join(h.backendDir, '.pulumi', 'backups', 'platform', 'rt-01-alpha', backups[0]!), 'utf8');
    assert.ok(!backup.includes('canary-lifecycle-0001'), 'the backup keeps secrets encrypted');
  });

  it('previews an update without applying it, then applies it', async () => {
    const inputs = { dir: join(h.dir, 'files-a'), content: 'v2-longer', files: 2 };
    const before = files().map((f) => readFileSync(join(h.dir, 'files-a', f), 'utf8'));
    const prev = await h.engine.preview(h.request(alpha, inputs));
    assert.equal(prev.changes.update, 2);
    assert.ok(prev.resources!.some((r) => r.type.includes('FileResource')), 'preview lists planned resources');
    assert.deepEqual(files().map((f) => readFileSync(join(h.dir, 'files-a', f), 'utf8')), before, 'preview changed nothing');
    const up = await h.engine.up(h.request(alpha, inputs));
    assert.equal(up.changes.update, 2);
    assert.equal(up.changes.delete, 1, 'the secret file went with the canary input');
    assert.ok(files().every((f) => readFileSync(join(h.dir, 'files-a', f), 'utf8') === 'v2-longer'));
    assert.equal(up.outputs!.token, undefined, 'the output was removed with its input');
  });

  it('reads outputs back and reports stack info', async () => {
    const outs = await h.engine.outputs(h.ref(alpha), h.env);
    assert.equal(outs.totalSize!.value, 18);
    const info = await h.engine.info(h.ref(alpha), h.env);
    assert.equal(info.exists, true);
    assert.equal(info.lastResult, 'succeeded');
    assert.equal(info.resourceCount, 2);
    assert.deepEqual(info.pendingOperations, []);
  });

  it('never creates a stack outside up: outputs and destroy of a missing stack fail, preview says it is new', async () => {
    const ghost = testPhase(2, 'ghost');
    const prev = await h.engine.preview(h.request(ghost, { dir: join(h.dir, 'g'), content: 'x' }));
    assert.equal(prev.changes.create, 1);
    assert.ok(
      h.events.some((e) => e.type === 'diagnostic' && /stack rt-02-ghost does not exist yet in file:\/\/.*built from scratch/.test(e.message)),
      'the preview says the stack is not there',
    );
    assert.ok(!existsSync(join(h.dir, 'g')), 'preview created nothing');
    for (const op of [
      () => h.engine.outputs(h.ref(ghost), h.env),
      () => h.engine.destroy(h.request(ghost, {})),
    ]) {
      const e = await rejection(op());
      assert.ok(isPlatformError(e) && e.code === 'stack-not-found', String(e));
      assert.match(e.message, /rt-02-ghost does not exist in backend file:\/\//);
    }
    assert.equal((await h.engine.info(h.ref(ghost), h.env)).exists, false, 'still no such stack');
  });

  it('names a wrong passphrase as such', async () => {
    writeFileSync(join(h.dir, 'passphrase'), 'not-the-passphrase');
    try {
      const e = await rejection(h.engine.up(h.request(alpha, { dir: join(h.dir, 'files-a'), content: 'v3' })));
      assert.ok(e instanceof PlatformError && e.code === 'passphrase', String(e));
      assert.ok(!e.message.includes('not-the-passphrase') && !String(e.hint).includes('not-the-passphrase'));
    } finally {
      writeFileSync(join(h.dir, 'passphrase'), h.passphrase);
    }
  });

  it('destroys every resource, removes the stack, and keeps a pre-destroy backup', async () => {
    const res = await h.engine.destroy(h.request(alpha, {}));
    assert.equal(res.changes.delete, 2);
    assert.equal(files().length, 0);
    assert.equal((await h.engine.info(h.ref(alpha), h.env)).exists, false);
    const backups = readdirSync(join(h.backendDir, '.pulumi', 'backups', 'platform', 'rt-01-alpha'));
    assert.ok(backups.some((f) => f.includes('.pre-destroy.')), backups.join(', '));
    assert.ok(existsSync(join(h.backendDir, '.pulumi')));
  });
});
