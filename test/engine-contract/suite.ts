/**
 * The engine contract: what every implementation of the Engine port (src/core/ports.ts) promises,
 * proved against the test-only phases in ./phases (dynamic-provider resources, so the same phases
 * run on the simulate engine and on the real Pulumi engine). Engine-agnostic: it talks only to the
 * Engine interface, never to state files. Engine-specific checks belong in test/engine/<engine>.test.ts.
 *
 * Usage: `engineContract('simulate', async () => ({ engine, env, phases: contractPhases(), cleanup }))`.
 * A fresh harness is made for every test (fresh, empty state).
 */
import assert from 'node:assert/strict';
import type { EnvConfig } from '../../src/core/env.js';
import { isPlatformError, type ErrorCode } from '../../src/core/errors.js';
import type { ChangeCounts, PlatformEvent } from '../../src/core/events.js';
import { stackName, type AnyPhase } from '../../src/core/phase.js';
import type { Engine, EngineResult, StackRef } from '../../src/core/ports.js';
import { assertValidEvents, doneOps, opsByName } from './events.js';
import { FAILURE_MESSAGE, RECORD_TYPE, defaultRecords, type ContractPhases, type RecordSpec } from './phases/index.js';

export interface Harness {
  engine: Engine;
  env: EnvConfig;
  phases: ContractPhases;
  cleanup(): Promise<void>;
}

interface Run {
  result: EngineResult;
  events: PlatformEvent[];
}

type Op = 'up' | 'preview';

function ref(env: EnvConfig, phase: AnyPhase): StackRef {
  return { env: env.name, phase: phase.id, slug: phase.slug, name: stackName(env.name, phase) };
}

async function run(h: Harness, op: Op, phase: AnyPhase, inputs: unknown, signal = new AbortController().signal): Promise<Run> {
  const events: PlatformEvent[] = [];
  const result = await h.engine[op]({ stack: ref(h.env, phase), env: h.env, phase, inputs, signal, emit: (e) => events.push(e) });
  assertValidEvents(events, phase.id);
  return { result, events };
}

async function destroy(h: Harness, phase: AnyPhase): Promise<Run> {
  const events: PlatformEvent[] = [];
  const result = await h.engine.destroy({ stack: ref(h.env, phase), env: h.env, phase, signal: new AbortController().signal, emit: (e) => events.push(e) });
  assertValidEvents(events, phase.id);
  return { result, events };
}

/** Runs `op` and returns the PlatformError it must reject with (plus the events it emitted). */
async function rejection(h: Harness, op: Op, phase: AnyPhase, inputs: unknown, code: ErrorCode, signal?: AbortSignal) {
  const events: PlatformEvent[] = [];
  const s = signal ?? new AbortController().signal;
  const p = h.engine[op]({ stack: ref(h.env, phase), env: h.env, phase, inputs, signal: s, emit: (e) => events.push(e) });
  const err = await p.then(
    () => assert.fail(`${op} of phase ${phase.id} succeeded; expected a '${code}' error`),
    (e: unknown) => e,
  );
  assert.ok(isPlatformError(err), `expected a PlatformError, got ${String(err)}`);
  assert.equal(err.code, code, `error code (message: ${err.message})`);
  assertValidEvents(events, phase.id);
  return { err, events };
}

/** changes must agree with the finished resource-op events. */
function assertCountsMatchEvents(changes: ChangeCounts, events: readonly PlatformEvent[]): void {
  const tally: ChangeCounts = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
  for (const e of doneOps(events)) if (e.op in tally) tally[e.op as keyof ChangeCounts] += 1;
  assert.deepEqual(changes, tally, 'changes agree with the finished resource-op events');
}

function changed(c: ChangeCounts): number {
  return c.create + c.update + c.replace + c.delete;
}

function records(mutate: (rs: RecordSpec[]) => RecordSpec[] = (rs) => rs) {
  return { records: mutate(defaultRecords()) };
}

/** Registers the contract tests for one engine. */
export function engineContract(name: string, makeHarness: () => Promise<Harness>): void {
  describe(`engine contract: ${name}`, function () {
    let h: Harness;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h?.cleanup();
    });

    it('up on an empty stack creates every resource, with counts that match its events', async () => {
      const { records: phase } = h.phases;
      const { result, events } = await run(h, 'up', phase, records());
      assert.deepEqual(opsByName(events, RECORD_TYPE), { a: 'create', b: 'create', c: 'create' });
      assertCountsMatchEvents(result.changes, events);
      assert.deepEqual([result.changes.update, result.changes.replace, result.changes.delete], [0, 0, 0]);
      const info = await h.engine.info(ref(h.env, phase), h.env);
      assert.equal(info.exists, true);
      assert.equal(info.lastResult, 'succeeded');
      assert.ok(info.resourceCount >= 3, `resourceCount ${info.resourceCount}`);
      assert.deepEqual(info.pendingOperations, []);
    });

    it('a second up with the same inputs changes nothing', async () => {
      const { records: phase } = h.phases;
      await run(h, 'up', phase, records());
      const { result, events } = await run(h, 'up', phase, records());
      assert.equal(changed(result.changes), 0, JSON.stringify(result.changes));
      assert.deepEqual(opsByName(events, RECORD_TYPE), { a: 'same', b: 'same', c: 'same' });
      assertCountsMatchEvents(result.changes, events);
    });

    it('changing an input updates the resource in place and names the property', async () => {
      const { records: phase } = h.phases;
      await run(h, 'up', phase, records());
      const { result, events } = await run(h, 'up', phase, records((rs) => rs.map((r) => (r.key === 'b' ? { ...r, content: 'new content' } : r))));
      assert.deepEqual(opsByName(events, RECORD_TYPE), { a: 'same', b: 'update', c: 'same' });
      const b = doneOps(events, RECORD_TYPE).find((e) => e.name === 'b')!;
      assert.ok(b.diffs?.includes('content'), `diffs of b: ${JSON.stringify(b.diffs)}`);
      assert.ok(!b.diffs?.includes('name'), 'name did not change');
      assert.equal(result.changes.update, 1);
      assertCountsMatchEvents(result.changes, events);
      const out = await h.engine.outputs(ref(h.env, phase), h.env);
      assert.equal((out.contents!.value as Record<string, string>).b, 'new content');
    });

    it('changing a replace-forcing input replaces the resource', async () => {
      const { records: phase } = h.phases;
      await run(h, 'up', phase, records());
      const { result, events } = await run(h, 'up', phase, records((rs) => rs.map((r) => (r.key === 'c' ? { ...r, name: 'renamed-c' } : r))));
      assert.deepEqual(opsByName(events, RECORD_TYPE), { a: 'same', b: 'same', c: 'replace' });
      const c = doneOps(events, RECORD_TYPE).find((e) => e.name === 'c')!;
      assert.ok(c.diffs?.includes('name'), `diffs of c: ${JSON.stringify(c.diffs)}`);
      assert.equal(result.changes.replace, 1);
      assertCountsMatchEvents(result.changes, events);
    });

    it('removing a resource from the program deletes it, after the other operations', async () => {
      const { records: phase } = h.phases;
      await run(h, 'up', phase, records());
      const { result, events } = await run(h, 'up', phase, records((rs) => rs.filter((r) => r.key !== 'a')));
      assert.deepEqual(opsByName(events, RECORD_TYPE), { a: 'delete', b: 'same', c: 'same' });
      assert.equal(result.changes.delete, 1);
      const ops = doneOps(events).map((e) => e.op);
      assert.ok(ops.lastIndexOf('same') < ops.indexOf('delete'), `deletes come last: ${ops.join(',')}`);
      assertCountsMatchEvents(result.changes, events);
      const out = await h.engine.outputs(ref(h.env, phase), h.env);
      assert.deepEqual(out.keys!.value, ['b', 'c']);
    });

    it('outputs read back typed, with secret flags, and validate against the phase schema', async () => {
      const { records: phase } = h.phases;
      const { result } = await run(h, 'up', phase, records());
      const out = await h.engine.outputs(ref(h.env, phase), h.env);
      assert.deepEqual(out.count, { value: 3, secret: false });
      assert.deepEqual(out.keys, { value: ['a', 'b', 'c'], secret: false });
      assert.deepEqual(out.contents!.value, { a: 'content of a', b: 'content of b', c: 'content of c' });
      const ids = out.ids!.value as unknown[];
      assert.equal(ids.length, 3);
      assert.ok(ids.every((id) => typeof id === 'string' && id.length > 0), `ids: ${JSON.stringify(ids)}`);
      const plain = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.value]));
      phase.outputs.parse(plain);
      assert.deepEqual(result.outputs, out, 'up returns the outputs that outputs() reads back');
    });

    it('secret outputs are flagged secret and secret values never reach events or planned inputs', async () => {
      const { secrets: phase } = h.phases;
      const password = 'pw-Contract-7f3a9c';
      const { result, events } = await run(h, 'up', phase, { password });
      const out = await h.engine.outputs(ref(h.env, phase), h.env);
      assert.deepEqual(out.token, { value: `token:${password}`, secret: true });
      assert.deepEqual(out.label, { value: 'public-label', secret: false });
      assert.ok(!JSON.stringify(events).includes(password), 'no event carries the secret');
      assert.ok(!JSON.stringify(result.resources ?? []).includes(password), 'no planned resource carries the secret');
      const credential = result.resources?.find((r) => r.name === 'credential');
      if (credential) assert.equal(credential.inputs.content, '[secret]');
    });

    it("one phase's outputs feed another phase's inputs", async () => {
      const { records: producer, consumer } = h.phases;
      await run(h, 'up', producer, records());
      const upstream = Object.fromEntries(Object.entries(await h.engine.outputs(ref(h.env, producer), h.env)).map(([k, v]) => [k, v.value]));
      const inputs = consumer.inputs({ env: h.env, upstream: { 1: upstream }, simulated: h.engine.kind === 'simulate' });
      const { events } = await run(h, 'up', consumer, inputs);
      assert.deepEqual(opsByName(events, RECORD_TYPE), { 'copy-a': 'create', 'copy-b': 'create', 'copy-c': 'create' });
      const out = await h.engine.outputs(ref(h.env, consumer), h.env);
      assert.deepEqual(consumer.outputs.parse(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.value]))), {
        copied: 3,
        from: ['a', 'b', 'c'],
        upstreamCount: 3,
      });
    });

    it('preview reports the plan and persists nothing', async () => {
      const { records: phase } = h.phases;
      const first = await run(h, 'preview', phase, records());
      assert.deepEqual(opsByName(first.events, RECORD_TYPE), { a: 'create', b: 'create', c: 'create' });
      assertCountsMatchEvents(first.result.changes, first.events);
      // Planned outputs, so a dependent in the same preview can be planned: `keys` comes from the inputs.
      assert.deepEqual(first.result.outputs?.keys, { secret: false, value: ['a', 'b', 'c'] });
      assert.equal((await h.engine.info(ref(h.env, phase), h.env)).exists, false, 'preview created no stack');
      await run(h, 'up', phase, records());
      const before = await h.engine.outputs(ref(h.env, phase), h.env);
      const changedPreview = await run(h, 'preview', phase, records((rs) => rs.map((r) => ({ ...r, content: 'previewed' }))));
      assert.equal(changedPreview.result.changes.update, 3);
      // The plan names each changed property with its old -> new values (what `preview --diff` and
      // the question before an `up` show).
      const planned = changedPreview.events.filter((e) => e.type === 'resource-op' && e.status === 'done' && e.op === 'update' && e.name === 'a');
      assert.deepEqual(
        planned.flatMap((e) => (e.type === 'resource-op' ? (e.changes ?? []) : [])).filter((c) => c.path === 'content'),
        [{ path: 'content', old: 'content of a', new: 'previewed' }],
      );
      const again = await run(h, 'preview', phase, records());
      assert.equal(changed(again.result.changes), 0, 'the previewed change was not persisted');
      assert.deepEqual(await h.engine.outputs(ref(h.env, phase), h.env), before);
    });

    it('destroy deletes every resource and the stack no longer exists', async () => {
      const { records: phase } = h.phases;
      await run(h, 'up', phase, records());
      const { result, events } = await destroy(h, phase);
      assert.deepEqual(opsByName(events, RECORD_TYPE), { a: 'delete', b: 'delete', c: 'delete' });
      assert.ok(result.changes.delete >= 3);
      assert.equal(result.changes.create + result.changes.update + result.changes.replace + result.changes.same, 0);
      assertCountsMatchEvents(result.changes, events);
      const info = await h.engine.info(ref(h.env, phase), h.env);
      assert.equal(info.exists, false);
      await assert.rejects(h.engine.outputs(ref(h.env, phase), h.env), (e: unknown) => isPlatformError(e) && e.code === 'stack-not-found');
    });

    it('outputs() of a missing stack throws stack-not-found and does not create it', async () => {
      const { records: phase } = h.phases;
      const err = await h.engine.outputs(ref(h.env, phase), h.env).then(
        () => assert.fail('outputs() of a missing stack resolved'),
        (e: unknown) => e,
      );
      assert.ok(isPlatformError(err) && err.code === 'stack-not-found', String(err));
      assert.ok(err.message.includes(stackName(h.env.name, phase)), `the message names the stack: ${err.message}`);
      assert.equal((await h.engine.info(ref(h.env, phase), h.env)).exists, false);
    });

    it('a failing program rejects and leaves the previous state and outputs intact', async () => {
      const { failing: phase } = h.phases;
      await run(h, 'up', phase, { fail: false });
      const before = await h.engine.outputs(ref(h.env, phase), h.env);
      // A program's exception is a bug in the program, distinct from an engine failure. The real
      // engine does not tell them apart yet (it reports what the Automation API raises as engine-failed).
      const { err } = await rejection(h, 'up', phase, { fail: true }, h.engine.kind === 'pulumi' ? 'engine-failed' : 'program-bug');
      assert.ok(err.message.includes(FAILURE_MESSAGE), `the error carries the program's message: ${err.message}`);
      assert.deepEqual(await h.engine.outputs(ref(h.env, phase), h.env), before);
      const info = await h.engine.info(ref(h.env, phase), h.env);
      assert.equal(info.lastResult, 'failed');
      assert.deepEqual(info.pendingOperations, []);
      const after = await run(h, 'up', phase, { fail: false });
      assert.equal(changed(after.result.changes), 0, 'the state still matches the last good program');
    });

    it('a phase without a program is refused with no-program', async () => {
      const { noProgram: phase } = h.phases;
      const { err } = await rejection(h, 'up', phase, {}, 'no-program');
      assert.match(err.message, /phase 6 has no program yet/);
      await rejection(h, 'preview', phase, {}, 'no-program');
      assert.equal((await h.engine.info(ref(h.env, phase), h.env)).exists, false);
    });

    it('aborting through the AbortSignal rejects with cancelled and keeps the previous outputs', async () => {
      const { slow: phase } = h.phases;
      await run(h, 'up', phase, { delayMs: 0 });
      const before = await h.engine.outputs(ref(h.env, phase), h.env);
      const ac = new AbortController();
      const started = Date.now();
      // A real wait: the engine works in another process, there is no clock to fake across it.
      setTimeout(() => ac.abort(), 300);
      await rejection(h, 'up', phase, { delayMs: 120_000 }, 'cancelled', ac.signal);
      assert.ok(Date.now() - started < 30_000, 'cancelled promptly, not after the program finished');
      assert.deepEqual(await h.engine.outputs(ref(h.env, phase), h.env), before);
    });

    it('an already aborted signal cancels before anything runs', async () => {
      const { records: phase } = h.phases;
      const { events } = await rejection(h, 'up', phase, records(), 'cancelled', AbortSignal.abort());
      assert.deepEqual(doneOps(events), []);
      assert.equal((await h.engine.info(ref(h.env, phase), h.env)).exists, false);
    });
  });
}
