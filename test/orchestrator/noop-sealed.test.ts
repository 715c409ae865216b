import { strict as assert } from 'node:assert';
import { runPhases } from '../../src/orchestrator/run.js';
import { resolveSelection } from '../../src/core/selection.js';
import { hashValue } from '../../src/core/fingerprint.js';
import type { OrchestratorPorts } from '../../src/orchestrator/ports.js';
import type { AnyPhase, PhaseId } from '../../src/core/phase.js';
import type { EngineRequest, EngineResult, OutputMap, StackInfo, StackRef, StackState } from '../../src/core/ports.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { testOutputs } from '../helpers/test-phases.js';
import { MemoryJournal, MemoryLocker, MemoryRecords, RecordingHost, staticSources } from '../helpers/memory-ports.js';
import { localEnv } from '../helpers/env-fixtures.js';

/**
 * The skip path with an engine that reads its checkpoint (`state`, issue 21): an unchanged run reads
 * each stack once and decrypts nothing (no `outputs`, no `info`), even for a phase whose inputs read
 * an upstream secret; a dependent that runs reads that secret then; a stack whose state changed
 * behind the CLI runs again, and so does a dependent whose secret input changed.
 */
class CheckpointEngine extends FakeEngine {
  readonly revision = new Map<string, number>();
  counts = { state: 0, info: 0, outputs: 0 };

  constructor(clock: FakeClock) {
    super(clock, 'pulumi');
  }
  private hash(name: string): string {
    return hashValue({ name, rev: this.revision.get(name) ?? 0, outputs: this.stacks.get(name)?.outputs });
  }
  override async up(req: EngineRequest): Promise<EngineResult> {
    const r = await super.up(req);
    this.revision.set(req.stack.name, (this.revision.get(req.stack.name) ?? 0) + 1);
    return { ...r, stateHash: this.hash(req.stack.name) };
  }
  async state(stack: StackRef): Promise<StackState> {
    this.counts.state++;
    const s = this.stacks.get(stack.name);
    const outputs: OutputMap = Object.fromEntries(Object.entries(s?.outputs ?? {}).map(([k, o]) => [k, o.secret ? { value: undefined, secret: true, sealed: true } : o]));
    return { exists: Boolean(s), pendingOperations: [], stateHash: s ? this.hash(stack.name) : '', outputs };
  }
  override async info(stack: StackRef): Promise<StackInfo> {
    this.counts.info++;
    return super.info(stack);
  }
  override async outputs(stack: StackRef): Promise<OutputMap> {
    this.counts.outputs++;
    return super.outputs(stack);
  }
}

// 0 -> 1 -> 2; phase 1's inputs read phase 0's secret token (its length), phase 2 reads 1's value.
const registry: AnyPhase[] = [0, 1, 2].map((id) => ({
  id: id as PhaseId,
  slug: `p${id}`,
  title: `phase ${id}`,
  module: import.meta.url,
  dependsOn: id ? [(id - 1) as PhaseId] : [],
  inputs: (ctx) =>
    id === 0 ? { n: 0 } : id === 1 ? { tokenLength: String((ctx.upstream[0] as { token: string }).token).length } : { up: (ctx.upstream[1] as { value: string }).value },
  outputs: testOutputs,
  secretOutputs: ['token'],
  loadProgram: async () => async () => ({}),
}));

function setup() {
  const clock = new FakeClock();
  const engine = new CheckpointEngine(clock);
  const records = new MemoryRecords();
  const journal = new MemoryJournal();
  const ports: OrchestratorPorts = { engine, records, journal, locker: new MemoryLocker(), host: new RecordingHost(), clock, sources: staticSources };
  const run = (phase: string) =>
    runPhases({ command: 'up', env: localEnv, registry, selection: resolveSelection({ phase }, registry.map((p) => p.id)), parallel: 4, force: false, signal: new AbortController().signal }, ports);
  return { engine, records, journal, run };
}

describe('no-op up with an engine that reads its checkpoint', () => {
  it('skips every unchanged phase with one state read each: no outputs, no info', async () => {
    const t = setup();
    assert.equal((await t.run('0..2')).exitCode, 0);
    assert.ok(t.records.records.get(1)!.stateHash, 'the record keeps the state hash');
    t.engine.counts = { state: 0, info: 0, outputs: 0 };
    const r = await t.run('0..2');
    assert.deepEqual(r.phases, { 0: 'skipped', 1: 'skipped', 2: 'skipped' });
    assert.deepEqual(t.engine.counts, { state: 3, info: 0, outputs: 0 });
  });

  it('an unselected upstream is checked from its checkpoint too (up --phase 1 decrypts nothing)', async () => {
    const t = setup();
    await t.run('0..2');
    t.engine.counts = { state: 0, info: 0, outputs: 0 };
    const r = await t.run('1');
    assert.deepEqual(r.phases, { 1: 'skipped' });
    assert.deepEqual(t.engine.counts, { state: 2, info: 0, outputs: 0 });
  });

  it('an upstream changed behind the CLI is checked in full, and the dependent reading its changed secret runs', async () => {
    const t = setup();
    await t.run('0..2');
    // Someone ran the engine on phase 0 outside the CLI: its token changed, so did its state.
    t.engine.stacks.get('local-00-p0')!.outputs.token = { value: 'a-much-longer-secret-token-value', secret: true };
    t.engine.revision.set('local-00-p0', 99);
    t.engine.counts = { state: 0, info: 0, outputs: 0 };
    const r = await t.run('1..2');
    assert.deepEqual(r.phases, { 1: 'succeeded', 2: 'succeeded' }, "phase 2 reads phase 1's value, which changed with the token's length");
    assert.deepEqual(t.engine.counts, { state: 3, info: 1, outputs: 1 }, 'phase 0: state, then info and outputs (the full check); 1 and 2: state');
    assert.match(t.engine.stacks.get('local-01-p1')!.outputs.value!.value as string, /"tokenLength":32/);
  });

  it('a selected stack changed behind the CLI runs again', async () => {
    const t = setup();
    await t.run('0..2');
    t.engine.revision.set('local-00-p0', 99);
    const r = await t.run('0..2');
    assert.deepEqual(r.phases, { 0: 'succeeded', 1: 'skipped', 2: 'skipped' }, 'its rerun restored the same outputs: its dependents stay skipped');
  });

  it('a dependent that runs while its upstream is skipped reads the upstream secret once, for real', async () => {
    const t = setup();
    await t.run('0..2');
    // Phase 1's record no longer matches (as after an edit of its program): it must run.
    t.records.records.get(1)!.fingerprint = 'stale';
    t.engine.counts = { state: 0, info: 0, outputs: 0 };
    const r = await t.run('0..2');
    assert.deepEqual(r.phases, { 0: 'skipped', 1: 'succeeded', 2: 'skipped' });
    assert.equal(t.engine.counts.outputs, 1);
    const lastUp = t.engine.calls.filter((c) => c.op === 'up').at(-1)!;
    assert.equal(lastUp.stack, 'local-01-p1');
    assert.match(t.engine.stacks.get('local-01-p1')!.outputs.value!.value as string, /"tokenLength":14/, 'phase 1 got the real token (secret-token-0), not a placeholder');
  });

  it('a state that differs only in its hash (edited checkpoint) runs that phase', async () => {
    const t = setup();
    await t.run('0..2');
    t.engine.revision.set('local-02-p2', 42);
    const r = await t.run('0..2');
    assert.deepEqual(r.phases, { 0: 'skipped', 1: 'skipped', 2: 'succeeded' });
  });
});
