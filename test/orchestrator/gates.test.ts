import { strict as assert } from 'node:assert';
import { runPhases } from '../../src/orchestrator/run.js';
import { verifyPhases } from '../../src/orchestrator/verify.js';
import { phaseStatuses } from '../../src/orchestrator/status.js';
import { resolveSelection } from '../../src/core/selection.js';
import type { OrchestratorPorts, GateRunner } from '../../src/orchestrator/ports.js';
import type { GateResult } from '../../src/core/gate.js';
import { FakeClock, FakeEngine, MemoryJournal, MemoryLocker, MemoryRecords, RecordingHost, staticSources, testPhases } from '../helpers/fake-engine.js';
import { localEnv } from '../helpers/env-fixtures.js';

/** Gates through the orchestrator, on a "real" (non-simulated) fake engine. */
describe('orchestrated gates', () => {
  const registry = testPhases({ 0: [], 1: [0], 2: [1] }).map((p) => ({
    ...p,
    gates: [{ name: 'dns-answers', description: 'zone answers', live: true, timeoutMs: 1, intervalMs: 1, check: async () => ({ status: 'pass' as const, evidence: [] }) }],
  }));
  let verdict: GateResult['status'] = 'fail';
  const gates: GateRunner = async (phase, opts) => {
    const result: GateResult = { gate: 'dns-answers', status: phase.id === 1 ? verdict : 'pass', evidence: ['NS lookup of api.dev.example.com: NXDOMAIN'], hint: 'check the NS delegation record in the parent zone', durationMs: 3 };
    opts.emit({ type: 'gate-result', phase: phase.id, result, at: 'now' });
    return [result];
  };
  const clock = new FakeClock();
  const engine = new FakeEngine(clock, 'pulumi');
  const records = new MemoryRecords();
  const ports: OrchestratorPorts = { engine, records, journal: new MemoryJournal(), locker: new MemoryLocker(), host: new RecordingHost(), clock, sources: staticSources, gates };
  const ids = registry.map((p) => p.id);

  it('a failed gate fails its phase (exit 1) naming the gate and blocks its dependents', async () => {
    const out = await runPhases({ command: 'up', env: localEnv, registry, selection: resolveSelection({ all: true }, ids), parallel: 1, force: false, signal: new AbortController().signal }, ports);
    assert.equal(out.exitCode, 1);
    assert.equal(out.phases[1], 'failed');
    assert.equal(out.phases[2], 'blocked');
    assert.match(out.error!.message, /phase 1 \(p1\): gate 'dns-answers' failed: NS lookup of api\.dev\.example\.com: NXDOMAIN/);
    assert.equal(out.error!.hint, 'check the NS delegation record in the parent zone');
    assert.equal(records.records.get(1)!.gates!.results[0]!.status, 'fail');
  });

  it('meanwhile a dependent is refused naming the failed gate and the verify command (exit 3)', async () => {
    const out = await runPhases({ command: 'up', env: localEnv, registry, selection: resolveSelection({ phase: '2' }, ids), parallel: 1, force: false, signal: new AbortController().signal }, ports);
    assert.equal(out.exitCode, 3);
    assert.match(out.error!.message, /needs phase 1 \(p1\): its gate 'dns-answers' failed/);
    assert.equal(out.error!.hint, 'run: platform verify --phase 1 --env local --engine pulumi');
  });

  it('status shows which gate failed and why', async () => {
    const rows = await phaseStatuses(localEnv, registry, { engine, records, sources: staticSources });
    const one = rows.find((r) => r.phase === 1)!;
    assert.equal(one.gates, 'failed');
    assert.match(one.gateDetail!, /^dns-answers: NS lookup .*NXDOMAIN \(check the NS delegation record/);
  });

  it('verify re-runs the gates and updates the record; then dependents can run', async () => {
    verdict = 'pass';
    const v = await verifyPhases({ env: localEnv, phases: [registry[1]!], signal: new AbortController().signal }, ports);
    assert.equal(v.exitCode, 0);
    assert.equal(records.records.get(1)!.gates!.results[0]!.status, 'pass');
    assert.equal(records.records.get(1)!.gates!.fingerprint, records.records.get(1)!.fingerprint);
    const out = await runPhases({ command: 'up', env: localEnv, registry, selection: resolveSelection({ phase: '2' }, ids), parallel: 1, force: false, signal: new AbortController().signal }, ports);
    assert.equal(out.exitCode, 0, `${out.error?.message}`);
  });
});
