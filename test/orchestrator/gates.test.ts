import { strict as assert } from 'node:assert';
import { runPhases } from '../../src/orchestrator/run.js';
import { verifyPhases } from '../../src/orchestrator/verify.js';
import { phaseStatuses } from '../../src/orchestrator/status.js';
import { resolveSelection } from '../../src/core/selection.js';
import type { OrchestratorPorts, GateRunner } from '../../src/orchestrator/ports.js';
import type { GateResult } from '../../src/core/gate.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { testPhases } from '../helpers/test-phases.js';
import { MemoryJournal, MemoryLocker, MemoryRecords, RecordingHost, staticSources } from '../helpers/memory-ports.js';
import { localEnv } from '../helpers/env-fixtures.js';

/**
 * Gates through the orchestrator, on a "real" (non-simulated) fake engine. Each test builds its own
 * world; those that start after a failed gate run that first up themselves.
 */
describe('orchestrated gates', () => {
  const registry = testPhases({ 0: [], 1: [0], 2: [1] }).map((p) => ({
    ...p,
    loadGates: async () => [{ name: 'dns-answers', description: 'zone answers', live: true, timeoutMs: 1, intervalMs: 1, check: async () => ({ status: 'pass' as const, evidence: [] }) }],
  }));
  const ids = registry.map((p) => p.id);

  /** Phase 1's gate answers `world.verdict`; the others pass. */
  function world() {
    const w = { verdict: 'fail' as GateResult['status'], engine: new FakeEngine(new FakeClock(), 'pulumi'), records: new MemoryRecords(), ports: undefined as unknown as OrchestratorPorts };
    const gates: GateRunner = async (phase, opts) => {
      const result: GateResult = { gate: 'dns-answers', status: phase.id === 1 ? w.verdict : 'pass', evidence: ['NS lookup of api.dev.example.com: NXDOMAIN'], hint: 'check the NS delegation record in the parent zone', durationMs: 3 };
      opts.emit({ type: 'gate-result', phase: phase.id, result, at: 'now' });
      return [result];
    };
    w.ports = { engine: w.engine, records: w.records, journal: new MemoryJournal(), locker: new MemoryLocker(), host: new RecordingHost(), clock: new FakeClock(), sources: staticSources, gates };
    return w;
  }
  const up = (w: ReturnType<typeof world>, phase: string) =>
    runPhases({ command: 'up', env: localEnv, registry, selection: resolveSelection(phase === 'all' ? { all: true } : { phase }, ids), parallel: 1, force: false, signal: new AbortController().signal }, w.ports);

  /** A world where `up --all` ran and phase 1's gate failed. */
  async function failedGateWorld() {
    const w = world();
    const out = await up(w, 'all');
    assert.equal(out.exitCode, 1, 'setup: the first up fails on the gate');
    return w;
  }

  it('a failed gate fails its phase (exit 1) naming the gate and blocks its dependents', async () => {
    const w = world();
    const out = await up(w, 'all');
    assert.equal(out.exitCode, 1);
    assert.equal(out.phases[1], 'failed');
    assert.equal(out.phases[2], 'blocked');
    assert.match(out.error!.message, /phase 1 \(p1\): gate 'dns-answers' failed: NS lookup of api\.dev\.example\.com: NXDOMAIN/);
    assert.equal(out.error!.hint, 'check the NS delegation record in the parent zone');
    assert.equal(w.records.records.get(1)!.gates!.results[0]!.status, 'fail');
  });

  it('meanwhile a dependent is refused naming the failed gate and the verify command (exit 3)', async () => {
    const w = await failedGateWorld();
    const out = await up(w, '2');
    assert.equal(out.exitCode, 3);
    assert.match(out.error!.message, /needs phase 1 \(p1\): its gate 'dns-answers' failed/);
    assert.equal(out.error!.hint, 'run: platform verify --phase 1 --env local --engine pulumi');
  });

  it('status shows which gate failed and why', async () => {
    const w = await failedGateWorld();
    const rows = await phaseStatuses(localEnv, registry, { engine: w.engine, records: w.records, sources: staticSources });
    const one = rows.find((r) => r.phase === 1)!;
    assert.equal(one.gates, 'failed');
    assert.match(one.gateDetail!, /^dns-answers: NS lookup .*NXDOMAIN \(check the NS delegation record/);
  });

  it('verify re-runs the gates and updates the record; then dependents can run', async () => {
    const w = await failedGateWorld();
    w.verdict = 'pass';
    const v = await verifyPhases({ env: localEnv, phases: [registry[1]!], signal: new AbortController().signal }, w.ports);
    assert.equal(v.exitCode, 0);
    assert.equal(w.records.records.get(1)!.gates!.results[0]!.status, 'pass');
    assert.equal(w.records.records.get(1)!.gates!.fingerprint, w.records.records.get(1)!.fingerprint);
    const out = await up(w, '2');
    assert.equal(out.exitCode, 0, `${out.error?.message}`);
  });
});
