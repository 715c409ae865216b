import { strict as assert } from 'node:assert';
import { runGates, SIMULATED_HINT, CANCELLED_HINT, type GatedPhase } from '../../src/gates/run-gates.js';
import type { Gate, GateCheckOutcome } from '../../src/core/gate.js';
import type { PlatformEvent } from '../../src/core/events.js';
import { PlatformError } from '../../src/core/errors.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testEnv } from '../helpers/env-fixtures.js';

function phaseWith(gates: Gate<any, any>[]): GatedPhase {
  return { id: 2, gates };
}

function gate(name: string, check: Gate['check'], over: Partial<Gate> = {}): Gate<any, any> {
  return { name, description: name, live: true, timeoutMs: 60_000, intervalMs: 5_000, check, ...over };
}

function run(gates: Gate<any, any>[], over: { simulated?: boolean; clock?: FakeClock; signal?: AbortSignal; secretValues?: string[] } = {}) {
  const events: PlatformEvent[] = [];
  const clock = over.clock ?? new FakeClock();
  const p = runGates(phaseWith(gates), {
    env: testEnv(),
    outputs: { kubeconfig: 'apiVersion: v1 # super-secret-token' },
    probes: {},
    clock,
    signal: over.signal ?? new AbortController().signal,
    simulated: over.simulated ?? false,
    emit: (e) => events.push(e),
    secretValues: over.secretValues,
  });
  return { p, events, clock };
}

describe('runGates', () => {
  it('polls a failing gate until it passes, sleeping the interval on the clock', async () => {
    let calls = 0;
    const { p, clock } = run([
      gate('deploy-ready', async () => {
        calls++;
        return calls < 3 ? { status: 'fail', evidence: [`updated ${calls}/3`] } : { status: 'pass', evidence: ['updated 3/3'] };
      }),
    ]);
    const [r] = await p;
    assert.equal(r.status, 'pass');
    assert.deepEqual(r.evidence, ['updated 3/3']);
    assert.equal(calls, 3);
    assert.deepEqual(clock.sleeps, [5_000, 5_000]);
    assert.equal(r.durationMs, 10_000);
  });

  it('times out with the last evidence it saw and its hint', async () => {
    let calls = 0;
    const { p } = run([
      gate(
        'pvc-bound',
        async () => {
          calls++;
          return { status: 'fail', evidence: [`pvc gate-test phase=Pending (look ${calls})`], hint: 'check the EBS CSI driver' };
        },
        { timeoutMs: 20_000, intervalMs: 5_000 },
      ),
    ]);
    const [r] = await p;
    assert.equal(r.status, 'fail');
    assert.equal(calls, 5, 'attempts at 0, 5, 10, 15 and 20 s');
    assert.equal(r.evidence[0], 'pvc gate-test phase=Pending (look 5)');
    assert.match(r.evidence[1]!, /timed out after 20000 ms \(5 attempts\)/);
    assert.equal(r.hint, 'check the EBS CSI driver');
    assert.equal(r.durationMs, 20_000);
  });

  it('does not retry a terminal failure', async () => {
    let calls = 0;
    const { p, clock } = run([
      gate('rollout', async () => {
        calls++;
        return { status: 'fail', evidence: ['Progressing=False ProgressDeadlineExceeded'], terminal: true } as GateCheckOutcome;
      }),
    ]);
    const [r] = await p;
    assert.equal(r.status, 'fail');
    assert.equal(calls, 1);
    assert.equal(clock.sleeps.length, 0);
    assert.equal('terminal' in r, false, 'the recorded result has no runner-only fields');
  });

  it('retries thrown errors as failed attempts, and treats a PlatformError as terminal', async () => {
    let calls = 0;
    const { p } = run([
      gate('flaky', async () => {
        calls++;
        if (calls === 1) throw new Error('ECONNRESET');
        return { status: 'pass', evidence: ['ok'] };
      }),
      gate('misconfigured', async () => {
        throw new PlatformError('config-invalid', 'phase 2 has no kubeconfig output', { hint: 'deploy phase 2 first' });
      }),
    ]);
    const [flaky, bad] = await p;
    assert.equal(flaky.status, 'pass');
    assert.equal(calls, 2);
    assert.equal(bad.status, 'fail');
    assert.deepEqual(bad.evidence, ['error: phase 2 has no kubeconfig output']);
    assert.equal(bad.hint, 'deploy phase 2 first');
  });

  it('simulated: every live gate is skipped with hint simulated and never checked; static gates run', async () => {
    let liveCalls = 0;
    const { p, events } = run(
      [
        gate('live-one', async () => {
          liveCalls++;
          return { status: 'pass', evidence: [] };
        }),
        gate('static-one', async () => ({ status: 'pass', evidence: ['schema ok'] }), { live: false }),
      ],
      { simulated: true },
    );
    const [live, stat] = await p;
    assert.equal(liveCalls, 0);
    assert.equal(live.status, 'skipped');
    assert.equal(live.hint, SIMULATED_HINT);
    assert.equal(stat.status, 'pass');
    assert.deepEqual(
      events.map((e) => e.type),
      ['gate-started', 'gate-started', 'gate-result', 'gate-result'],
    );
  });

  it('runs independent gates in parallel and ordered gates after their prerequisites', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1), false);
    const order: string[] = [];
    let releaseA!: () => void;
    const aGate = new Promise<void>((r) => (releaseA = r));
    const { p, events } = run(
      [
        gate('a', async () => {
          order.push('a:start');
          await aGate;
          order.push('a:end');
          return { status: 'pass', evidence: [] };
        }),
        gate('b', async () => {
          order.push('b');
          return { status: 'pass', evidence: [] };
        }),
        gate('c', async () => {
          order.push('c');
          return { status: 'pass', evidence: [] };
        }, { after: ['a'] }),
      ],
      { clock },
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['a:start', 'b'], 'b did not wait for a; c did');
    releaseA();
    const results = await p;
    assert.deepEqual(order, ['a:start', 'b', 'a:end', 'c']);
    assert.deepEqual(results.map((r) => r.gate), ['a', 'b', 'c'], 'results keep declared order');
    const started = events.filter((e) => e.type === 'gate-started').map((e) => (e as any).gate);
    assert.deepEqual(started, ['a', 'b', 'c']);
  });

  it('skips a gate whose prerequisite failed, naming it', async () => {
    const { p } = run([
      gate('cluster-active', async () => ({ status: 'fail', evidence: ['status=CREATING'], terminal: true })),
      gate('workloads-ready', async () => ({ status: 'pass', evidence: [] }), { after: ['cluster-active'] }),
    ]);
    const [, w] = await p;
    assert.equal(w.status, 'skipped');
    assert.match(w.evidence[0]!, /needs gate 'cluster-active' to pass; it is fail/);
  });

  it('rejects duplicate, unknown and cyclic `after` before running anything', async () => {
    const ok = async (): Promise<GateCheckOutcome> => ({ status: 'pass', evidence: [] });
    await assert.rejects(run([gate('x', ok), gate('x', ok)]).p, (e: PlatformError) => e.code === 'bad-phase' && /twice/.test(e.message));
    await assert.rejects(run([gate('x', ok, { after: ['nope'] })]).p, /unknown gate 'nope'/);
    await assert.rejects(run([gate('x', ok, { after: ['y'] }), gate('y', ok, { after: ['x'] })]).p, /x -> y -> x/);
  });

  it('cancellation stops polling and reports skipped: cancelled with the evidence so far', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1), false);
    const ac = new AbortController();
    const { p } = run([gate('slow', async () => ({ status: 'fail', evidence: ['0/2 ready'] }))], { clock, signal: ac.signal });
    await new Promise((r) => setImmediate(r));
    assert.equal(clock.pending, 1, 'sleeping between attempts');
    ac.abort();
    const [r] = await p;
    assert.equal(r.status, 'skipped');
    assert.equal(r.hint, CANCELLED_HINT);
    assert.deepEqual(r.evidence, ['0/2 ready', 'run cancelled before the gate finished']);
  });

  it('scrubs secret values from evidence and hints', async () => {
    const { p, events } = run(
      [gate('leaky', async () => ({ status: 'fail', evidence: ['token=s3cr3t-value seen'], hint: 'rotate s3cr3t-value', terminal: true }))],
      { secretValues: ['s3cr3t-value'] },
    );
    const [r] = await p;
    assert.deepEqual(r.evidence, ['token=[secret] seen']);
    assert.equal(r.hint, 'rotate [secret]');
    assert.equal(JSON.stringify(events).includes('s3cr3t-value'), false);
  });
});
