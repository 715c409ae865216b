import { strict as assert } from 'node:assert';
import type { PlatformEvent } from '../../src/core/events.js';
import { MAX_RECENT, initialState, reduce, reduceAll } from '../../src/ui/reducer.js';
import { selectFinishedRows, selectLiveRows, selectRow, selectRows, selectSummary } from '../../src/ui/selectors.js';
import {
  NAMES, T0, diagnostic, failingChain, finished, gateResult, gateStarted, op, outputs, runStarted, status, summary,
} from './ui-fixtures.js';

const sec = (s: number) => T0 + s * 1000;
const state = (events: PlatformEvent[], history = {}) => reduceAll(initialState({ names: NAMES, history }), events);

describe('ui reducer', () => {
  it('starts every selected phase queued, in the DAG order of run-started', () => {
    const s = state([runStarted([0, 1, 2, 4, 3])]);
    const rows = selectRows(s, sec(0));
    assert.deepEqual(rows.map((r) => r.id), [0, 1, 2, 4, 3]);
    assert.deepEqual(rows.map((r) => r.statusText), Array(5).fill('queued'));
    assert.equal(rows[2]!.label, '02 cluster');
  });

  it('does not mutate the state it is given', () => {
    const s0 = state([runStarted([0, 1])]);
    const frozen = JSON.stringify(s0);
    reduce(s0, status(0, 'running', 1));
    reduce(s0, op(0, 'vpc', 'create', 'started', 1));
    assert.equal(JSON.stringify(s0), frozen);
  });

  it('labels each live status, naming the phase a row waits on', () => {
    const s = state([
      runStarted([1, 2, 3, 4, 5]),
      status(1, 'checking', 1),
      status(2, 'running', 1),
      status(3, 'verifying', 1),
      gateStarted(3, 'argocd-healthy', 2),
      gateResult(3, 'argocd-healthy', 'pass', 3),
      gateStarted(3, 'rollouts-ready', 3),
      status(5, 'waiting', 1, { on: 4 }),
    ]);
    const byId = Object.fromEntries(selectRows(s, sec(5)).map((r) => [r.id, r.statusText]));
    assert.deepEqual(byId, {
      1: 'checking deps', 2: 'running', 3: 'verifying gates 1/2', 4: 'queued', 5: 'waiting on 04 data',
    });
  });

  it('shows terminal statuses, skipped (unchanged), and a blocked chain naming the failed phase', () => {
    const s = state(failingChain());
    const rows = selectRows(s, sec(30));
    assert.deepEqual(rows.map((r) => [r.id, r.statusText, r.tone]), [
      [0, 'succeeded', 'ok'],
      [1, 'skipped (unchanged)', 'muted'],
      [2, 'failed', 'error'],
      [3, 'blocked by 02 cluster', 'warn'],
      [4, 'blocked by 02 cluster', 'warn'],
    ]);
    assert.equal(rows[2]!.hint, 'check the deploy role in stacks/local.yaml');
    assert.match(rows[2]!.reason!, /AccessDeniedException/);
    assert.deepEqual(rows[2]!.diagnostics.map((d) => d.severity), ['error']);
    // finished phases are listed in the order they finished, for the permanent (Static) area
    assert.deepEqual(selectFinishedRows(s, sec(30)).map((r) => r.id), [0, 1, 2, 3, 4]);
    assert.equal(selectLiveRows(s, sec(30)).length, 0);
  });

  it('words a skip from its typed cause and shows the reason sentence as given, as detail', () => {
    const s = state([
      runStarted([1, 3, 4]),
      status(1, 'skipped', 1, { reason: 'unchanged since 2026-01-01T00:00:00Z (fingerprint ab12); --force runs it anyway', cause: 'unchanged' }),
      status(3, 'skipped', 1, { reason: 'no program yet; nothing was run', cause: 'no-program' }),
      // Reason text alone decides nothing: a one-word reason without a cause is plain "skipped".
      status(4, 'skipped', 1, { reason: 'unchanged' }),
    ]);
    const [one, three, four] = selectRows(s, sec(2));
    assert.equal(one!.statusText, 'skipped (unchanged)');
    assert.match(one!.detail!, /--force runs it anyway/);
    assert.equal(three!.statusText, 'skipped (no program yet)');
    assert.equal(three!.detail, 'no program yet; nothing was run');
    assert.equal(four!.statusText, 'skipped');
  });

  it('the selectors never read message text: reasons and diagnostic messages are only passed through', () => {
    // A "text" that throws on any read (regex test, includes, startsWith, comparison by content...)
    // but can be carried along as a value: a selector that parses reason or message text fails here.
    const tainted = (label: string) => new Proxy({}, {
      get(_t, key) {
        throw new Error(`selector read the text of ${label} (${String(key)})`);
      },
    }) as unknown as string;
    const s = state([
      runStarted([0, 1, 2, 3, 4]),
      status(0, 'succeeded', 1),
      status(1, 'skipped', 2, { reason: tainted('skip reason'), cause: 'unchanged' }),
      status(2, 'running', 3),
      diagnostic(2, 'warning', tainted('warning message'), 4),
      diagnostic(2, 'error', tainted('error message'), 4),
      status(2, 'failed', 5, { reason: tainted('failure reason'), hint: 'a hint' }),
      status(3, 'blocked', 5, { on: 2, reason: tainted('block reason'), cause: 'dependency' }),
      status(4, 'cancelled', 5, { reason: tainted('cancel reason'), cause: 'interrupted' }),
      finished({ 0: 'succeeded', 1: 'skipped', 2: 'failed', 3: 'blocked', 4: 'cancelled' }, 1, 6),
    ]);
    const rows = selectRows(s, sec(7));
    selectRows(s, sec(7), { verbose: true });
    selectFinishedRows(s, sec(7));
    const sum = selectSummary(s)!;
    assert.deepEqual(rows.map((r) => r.statusText), ['succeeded', 'skipped (unchanged)', 'failed', 'blocked by 02 cluster', 'cancelled (interrupted)']);
    assert.deepEqual(sum.phases.map((p) => p.statusText), rows.map((r) => r.statusText));
    // the failed row keeps its warning; its error is its reason, not listed twice (decided by severity)
    assert.deepEqual(rows[2]!.warnings.map((d) => d.severity), ['warning']);
  });

  it('a finished phase does not move again', () => {
    const s = state([runStarted([2]), status(2, 'failed', 3), status(2, 'running', 4)]);
    assert.equal(selectRow(s, 2, sec(5))!.status, 'failed');
    assert.deepEqual(s.finishedOrder, [2]);
  });

  it('marks phases the run ended before they finished with the run verdict', () => {
    const s = state([
      runStarted([2, 3]), status(2, 'running', 1),
      finished({ 2: 'cancelled', 3: 'cancelled' }, 130, 4),
    ]);
    assert.deepEqual(selectRows(s, sec(5)).map((r) => r.statusText), ['cancelled', 'cancelled']);
    assert.equal(selectSummary(s)!.verdict, 'Cancelled');
    assert.deepEqual(s.finishedOrder, [2, 3]);
  });

  it('measures elapsed time from leaving the queue, live while running and fixed once done', () => {
    const s = state([runStarted([2]), status(2, 'checking', 10), status(2, 'running', 12)]);
    assert.equal(selectRow(s, 2, sec(40))!.elapsedMs, 30_000);
    const done = reduceAll(s, [status(2, 'succeeded', 70)]);
    assert.equal(selectRow(done, 2, sec(500))!.elapsedMs, 60_000);
    // the engine's own duration wins once the phase is finished
    const withSummary = reduce(done, summary(2, {}, 58_000, 70));
    assert.equal(selectRow(withSummary, 2, sec(500))!.elapsedMs, 58_000);
  });

  it('tallies +create ~update -delete ±replace from finished operations, then takes the engine totals', () => {
    const s = state([
      runStarted([1]), status(1, 'running', 0),
      op(1, 'vpc', 'create', 'started', 0), op(1, 'vpc', 'create', 'done', 1),
      op(1, 'sg', 'update', 'done', 1, 'aws:ec2/securityGroup:SecurityGroup', 200),
      op(1, 'old', 'delete', 'done', 2), op(1, 'key', 'replace', 'done', 2), op(1, 'key2', 'replace', 'done', 2),
      op(1, 'bucket', 'same', 'done', 2),
      op(1, 'trail', 'create', 'failed', 3), // a failure is not a change
    ]);
    assert.equal(selectRow(s, 1, sec(3))!.countsText, '+1 ~1 -1 ±2');
    const final = reduce(s, summary(1, { create: 7, update: 0, delete: 0, replace: 0, same: 3 }, 3000, 3));
    assert.equal(selectRow(final, 1, sec(3))!.countsText, '+7');
    const later = reduce(final, op(1, 'x', 'create', 'done', 4));
    assert.equal(selectRow(later, 1, sec(4))!.countsText, '+7', 'engine totals are final');
  });

  it('shows the last live operations with their durations; in-flight ones tick with now', () => {
    const s = state([
      runStarted([1]), status(1, 'running', 0),
      op(1, 'a', 'create', 'started', 0), op(1, 'a', 'create', 'done', 2),
      op(1, 'b', 'same', 'done', 2),
      op(1, 'c', 'create', 'started', 3), op(1, 'd', 'update', 'started', 4),
      op(1, 'e', 'create', 'done', 5, 'aws:s3/bucketV2:BucketV2', 750),
    ]);
    const row = selectRow(s, 1, sec(10))!;
    // finished changes above, in-flight ones (with their live duration) below
    assert.deepEqual(row.ops.map((o) => [o.name, o.status, o.durationMs]), [
      ['e', 'done', 750], ['c', 'started', 7000], ['d', 'started', 6000],
    ]);
    assert.equal(row.hiddenOps, 5 - 3);
    const verbose = selectRow(s, 1, sec(10), { verbose: true })!;
    assert.deepEqual(verbose.ops.map((o) => o.name), ['a', 'b', 'e', 'c', 'd'], 'verbose includes unchanged');
    assert.equal(verbose.ops[0]!.durationMs, 2000, 'duration from start to done when the engine gives none');
  });

  it('keeps bounded lists of operations and keeps in-flight ones when thousands finish', () => {
    const events: PlatformEvent[] = [runStarted([1]), status(1, 'running', 0), op(1, 'slow', 'create', 'started', 0)];
    for (let i = 0; i < 5000; i++) events.push(op(1, `r${i}`, 'create', 'done', 1, 'aws:s3/bucketV2:BucketV2', 5));
    const s = state(events);
    const p = s.phases[1]!;
    assert.equal(p.recent.length, MAX_RECENT);
    assert.equal(p.opsSeen, 5001);
    assert.equal(p.counts.create, 5000);
    assert.deepEqual(p.inFlight.map((o) => o.name), ['slow'], 'the in-flight op is still there');
    assert.deepEqual(selectRow(s, 1, sec(2))!.ops.map((o) => o.name), ['r4998', 'r4999', 'slow']);
  });

  it('builds the gate checklist as gates run, with evidence and hints', () => {
    const s = state([
      runStarted([2]), status(2, 'verifying', 0),
      gateStarted(2, 'nodes-ready', 1), gateStarted(2, 'dns-resolves', 1),
      gateResult(2, 'nodes-ready', 'pass', 3, undefined, ['3/3 nodes Ready']),
      gateResult(2, 'dns-resolves', 'fail', 5, 'wait for the NS delegation of api.local.example.com'),
    ]);
    const g = selectRow(s, 2, sec(6))!.gates;
    assert.deepEqual(g.map((x) => [x.gate, x.status]), [['nodes-ready', 'pass'], ['dns-resolves', 'fail']]);
    assert.deepEqual(g[0]!.evidence, ['3/3 nodes Ready']);
    assert.match(g[1]!.hint!, /NS delegation/);
  });

  it('gives an ETA from the median of previous runs only when there are any', () => {
    const history = { 2: [100_000, 300_000, 120_000], 3: [] };
    const s = state([runStarted([2, 3, 4])], history);
    assert.equal(selectRow(s, 2, sec(0))!.etaText, '~2m00s', 'queued: the median');
    assert.equal(selectRow(s, 3, sec(0))!.etaText, undefined);
    assert.equal(selectRow(s, 4, sec(0))!.etaText, undefined);
    const running = reduce(s, status(2, 'running', 30));
    assert.equal(selectRow(running, 2, sec(75))!.etaText, '~1m15s left');
    assert.equal(selectRow(running, 2, sec(180))!.etaText, '30s over');
    assert.equal(selectRow(reduce(running, status(2, 'succeeded', 100)), 2, sec(100))!.etaText, undefined);
  });

  it('hides info diagnostics unless verbose; keeps run-level diagnostics apart', () => {
    const s = state([
      runStarted([1]), diagnostic(1, 'info', 'read 3 outputs', 1), diagnostic(1, 'warning', 'deprecated', 1),
      diagnostic(undefined, 'warning', 'backend is local', 1),
    ]);
    assert.deepEqual(selectRow(s, 1, sec(1))!.diagnostics.map((d) => d.message), ['deprecated']);
    assert.equal(selectRow(s, 1, sec(1), { verbose: true })!.diagnostics.length, 2);
    assert.deepEqual(s.diagnostics.map((d) => d.message), ['backend is local']);
  });

  it('summarises each phase result, the outputs that matter and the next command', () => {
    const s = state(failingChain());
    const sum = selectSummary(s)!;
    assert.equal(sum.ok, false);
    assert.equal(sum.exitCode, 1);
    assert.equal(sum.verdict, 'Failed');
    assert.equal(sum.next, 'platform up --from 2 --env local');
    assert.equal(sum.tally, '1 succeeded, 1 skipped, 1 failed, 2 blocked');
    assert.deepEqual(sum.phases[0]!.outputs, [
      { key: 'organizationId', value: 'o-abc123' },
      { key: 'deployRoleArn', value: 'arn:aws:iam::111111111111:role/deploy' },
    ]);
    assert.equal(sum.phases[0]!.simulated, true);
    assert.equal(sum.phases[0]!.countsText, '+1');
    assert.equal(sum.phases[3]!.statusText, 'blocked by 02 cluster');
    assert.equal(selectSummary(state(failingChain().slice(0, -1))), undefined, 'no summary before run-finished');
  });

  it('keeps secrets masked in the summary, by value and by key, and never prints nested values', () => {
    const s = state([
      runStarted([2]), status(2, 'succeeded', 1),
      outputs(2, {
        kubeconfig: '[secret]', dbPassword: 'hunter2-should-never-show', clusterName: 'local-eks',
        tokens: { admin: 'nested-secret-value' }, subnetIds: ['subnet-a', 'subnet-b'],
      }, 1),
      finished({ 2: 'succeeded' }, 0, 2),
    ]);
    const sum = selectSummary(s, { verbose: true })!;
    const shown = Object.fromEntries(sum.phases[0]!.outputs.map((o) => [o.key, o.value]));
    assert.deepEqual(shown, {
      kubeconfig: '[secret]', dbPassword: '[secret]', clusterName: 'local-eks', tokens: '[secret]', subnetIds: 'subnet-a, subnet-b',
    });
    assert.ok(!JSON.stringify(sum).includes('hunter2'));
    assert.ok(!JSON.stringify(sum).includes('nested-secret-value'));
  });

  it('limits the outputs shown per phase unless verbose', () => {
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i]));
    const s = state([runStarted([1]), status(1, 'succeeded', 1), outputs(1, many, 1), finished({ 1: 'succeeded' }, 0, 2)]);
    assert.equal(selectSummary(s)!.phases[0]!.outputs.length, 4);
    assert.equal(selectSummary(s)!.phases[0]!.hiddenOutputs, 5);
    assert.equal(selectSummary(s, { verbose: true })!.phases[0]!.outputs.length, 9);
  });

  it('adds a phase it hears about without run-started, in id order', () => {
    const s = state([status(4, 'running', 1), status(2, 'queued', 1)]);
    assert.deepEqual(s.order, [2, 4]);
  });
});
