/**
 * `preview`'s cost line (phase-summary.cost): the orchestrator prices the planned resources against
 * what the engine says the stack holds; an engine that cannot list them, or a pricing failure, is
 * said in `unavailable` and never fails the preview.
 */
import { strict as assert } from 'node:assert';
import { runPhases } from '../../src/orchestrator/run.js';
import { resolveSelection } from '../../src/core/selection.js';
import type { CostRunner, OrchestratorPorts } from '../../src/orchestrator/ports.js';
import type { EngineRequest, EngineResult, PlannedResource, StackRef } from '../../src/core/ports.js';
import type { CostChange } from '../../src/core/events.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { testPhases } from '../helpers/test-phases.js';
import { MemoryJournal, MemoryLocker, MemoryRecords, RecordingHost, staticSources } from '../helpers/memory-ports.js';
import { localEnv } from '../helpers/env-fixtures.js';

const key = (phase: number): PlannedResource => ({ phase: phase as 0, urn: `urn:k${phase}`, type: 'aws:kms/key:Key', name: `k${phase}`, inputs: {} });

class PlanningEngine extends FakeEngine {
  deployed?: PlannedResource[];
  async preview(req: EngineRequest): Promise<EngineResult> {
    return { ...(await super.preview(req)), resources: [key(req.phase.id), key(req.phase.id)] };
  }
}
class ListingEngine extends PlanningEngine {
  async deployedResources(_stack: StackRef): Promise<PlannedResource[]> {
    return [key(0)];
  }
}

async function preview(engine: FakeEngine, cost: CostRunner): Promise<{ cost?: CostChange; exitCode: number }> {
  const journal = new MemoryJournal();
  const ports: OrchestratorPorts = { engine, records: new MemoryRecords(), journal, locker: new MemoryLocker(), host: new RecordingHost(), clock: new FakeClock(), sources: staticSources, cost };
  const registry = testPhases({ 0: [] });
  const out = await runPhases({ command: 'preview', env: localEnv, registry, selection: resolveSelection({ phase: '0' }, [0]), parallel: 1, force: false, signal: new AbortController().signal }, ports);
  const summary = journal.events.find((e) => e.type === 'phase-summary') as { cost?: CostChange } | undefined;
  return { cost: summary?.cost, exitCode: out.exitCode };
}

// A price of 1 USD per resource: before and after are counts.
const perResource: CostRunner = async (_p, before, after) =>
  before ? { beforeUsd: before.length, afterUsd: after.length, deltaUsd: after.length - before.length, notEstimated: [] } : { afterUsd: after.length, notEstimated: [] };

describe('preview: the cost of a change', () => {
  it('compares the planned resources with those the stack holds', async () => {
    const r = await preview(new ListingEngine(new FakeClock()), perResource);
    assert.equal(r.exitCode, 0);
    assert.deepEqual(r.cost, { beforeUsd: 1, afterUsd: 2, deltaUsd: 1, notEstimated: [] });
  });

  it('an engine that cannot list the stack: the planned cost, and why the change is unknown', async () => {
    const r = await preview(new PlanningEngine(new FakeClock(), 'pulumi'), perResource);
    assert.equal(r.exitCode, 0);
    assert.deepEqual(r.cost, { afterUsd: 2, notEstimated: [], unavailable: 'the pulumi engine cannot list the resources the stack holds' });
  });

  it('a pricing failure is reported on the line and does not fail the preview', async () => {
    const r = await preview(new ListingEngine(new FakeClock()), async () => {
      throw new Error('price table broken');
    });
    assert.equal(r.exitCode, 0);
    assert.deepEqual(r.cost, { afterUsd: 0, notEstimated: [], unavailable: 'the cost could not be estimated: price table broken' });
  });
});
