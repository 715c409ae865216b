// Benchmark of the terminal UI: events per second for one phase with 5,000 resource events,
// through (1) the pure reducer alone, (2) the ink host, (3) the plain line host, all in one run,
// with the ratio ink/plain. The bar: the ink host within 2x of the plain host.
// It also times one ink frame of that phase, to show what throttled rendering costs per second.
//
// Runs on the built tree: `npm run build && npx node bench/ui.mjs`, or import `runUiBench` from
// bench/run.mjs. Output goes to in-memory terminals (80 columns), so terminal speed is not measured.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/', import.meta.url);
const T0 = Date.UTC(2026, 0, 1);
const at = (ms) => new Date(T0 + ms).toISOString();

/** A terminal-like sink: a TTY of `columns` width that drops what it is given. */
class NullTty extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 50;
  bytes = 0;
  write(chunk, a, b) {
    this.bytes += chunk.length;
    const cb = typeof a === 'function' ? a : b;
    if (cb) cb();
    return true;
  }
}

/** A stdin that is not a terminal (no keys, no raw mode). */
class NullStdin extends EventEmitter {
  isTTY = false;
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    return null;
  }
}

/** One run of phase 1 with `resourceEvents` resource-op events (started + done pairs), ~10 ms apart. */
export function phaseEvents(resourceEvents = 5000) {
  const types = ['aws:ec2/subnet:Subnet', 'aws:ec2/routeTable:RouteTable', 'aws:iam/role:Role', 'aws:s3/bucketV2:BucketV2'];
  const ops = ['create', 'create', 'update', 'same', 'replace', 'delete'];
  const events = [
    { type: 'run-started', runId: 'bench', env: 'local', engine: 'simulate', command: 'up', phases: [1], parallel: 1, at: at(0) },
    { type: 'phase-status', phase: 1, status: 'checking', at: at(0) },
    { type: 'phase-status', phase: 1, status: 'running', at: at(10) },
  ];
  const pairs = Math.floor(resourceEvents / 2);
  const counts = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
  for (let i = 0; i < pairs; i++) {
    const resourceType = types[i % types.length];
    const name = `resource-${i}`;
    const op = ops[i % ops.length];
    counts[op]++;
    const urn = `urn:pulumi:local-01-foundation::platform::${resourceType}::${name}`;
    events.push({ type: 'resource-op', phase: 1, urn, resourceType, name, op, status: 'started', at: at(20 + i * 10) });
    events.push({ type: 'resource-op', phase: 1, urn, resourceType, name, op, status: 'done', durationMs: 25, at: at(45 + i * 10) });
  }
  const end = 60 + pairs * 10;
  events.push(
    { type: 'phase-summary', phase: 1, changes: counts, durationMs: end, at: at(end) },
    { type: 'outputs', phase: 1, outputs: { vpcId: 'vpc-0123', kmsKeyArn: '[secret]' }, simulated: true, at: at(end) },
    { type: 'phase-status', phase: 1, status: 'succeeded', at: at(end) },
    { type: 'run-finished', runId: 'bench', exitCode: 0, phases: { 1: 'succeeded' }, durationMs: end, at: at(end) },
  );
  return events;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeRounds(rounds, fn) {
  const ms = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/**
 * Runs the UI benchmark. Returns
 * { events, reducer, ink, plain: {ms, eventsPerSec} | null, inkOverPlain, withinBudget, inkFrameMs }.
 * `plain` is null (and says why in `plainMissing`) when dist/src/ui/plain-host.js is not built.
 */
export async function runUiBench({ resourceEvents = 5000, rounds = 5 } = {}) {
  const { initialState, reduce } = await import(new URL('src/ui/reducer.js', dist).href);
  const { createInkHost } = await import(new URL('src/ui/ink/ink-host.js', dist).href);
  const plainPath = new URL('src/ui/plain-host.js', dist);
  const plainMod = existsSync(fileURLToPath(plainPath)) ? await import(plainPath.href) : undefined;
  const events = phaseEvents(resourceEvents);
  const rate = (ms) => Math.round(events.length / (ms / 1000));

  // warm-up: JIT and module loading out of the measured rounds
  let s = initialState({});
  for (const e of events) s = reduce(s, e);

  const reducerMs = await timeRounds(rounds, () => {
    let st = initialState({ history: { 1: [60_000] } });
    for (const e of events) st = reduce(st, e);
  });

  const inkRun = async () => {
    const host = createInkHost({
      stdout: new NullTty(), stderr: new NullTty(), stdin: new NullStdin(), noColor: true,
      names: { 1: 'foundation' }, history: { 1: [60_000] }, onCancel: () => {},
    });
    for (const e of events) host.notify(e);
    await host.close();
  };
  await inkRun();
  const inkMs = await timeRounds(rounds, inkRun);

  let plain = null;
  let plainMissing;
  if (plainMod?.PlainHost) {
    const plainRun = async () => {
      const host = new plainMod.PlainHost({
        stdout: new NullTty(), stderr: new NullTty(), env: {}, verbose: false, slugs: new Map([[1, 'foundation']]),
      });
      for (const e of events) host.notify(e);
      await host.close();
    };
    await plainRun();
    const plainMs = await timeRounds(rounds, plainRun);
    plain = { ms: plainMs, eventsPerSec: rate(plainMs) };
  } else {
    plainMissing = 'dist/src/ui/plain-host.js with a PlainHost export not found (run npm run build)';
  }

  // One frame of the live phase (mid-run: 50 ops in the ring, spinner rows, counts), as the throttle draws it.
  const frameHost = createInkHost({
    stdout: new NullTty(), stderr: new NullTty(), stdin: new NullStdin(), noColor: true,
    names: { 1: 'foundation' }, history: { 1: [60_000] }, onCancel: () => {},
  });
  for (const e of events.slice(0, Math.floor(events.length / 2))) frameHost.notify(e);
  await frameHost.flush();
  const frames = 30;
  const t = performance.now();
  for (let i = 0; i < frames; i++) {
    frameHost.notify(events[Math.floor(events.length / 2) + i]);
    await frameHost.flush();
  }
  const inkFrameMs = (performance.now() - t) / frames;
  await frameHost.close();

  const inkOverPlain = plain ? inkMs / plain.ms : null;
  return {
    events: events.length,
    reducer: { ms: reducerMs, eventsPerSec: rate(reducerMs) },
    ink: { ms: inkMs, eventsPerSec: rate(inkMs) },
    plain,
    plainMissing,
    inkOverPlain,
    withinBudget: inkOverPlain === null ? null : inkOverPlain <= 2,
    inkFrameMs,
    /** Share of one core spent drawing at the default 15 frames a second. */
    inkRenderLoadAt15fps: (inkFrameMs * 15) / 1000,
  };
}

/** Human-readable lines for a result of runUiBench. */
export function formatUiBench(r) {
  const f = (x) => `${x.eventsPerSec.toLocaleString('en')} events/s (${x.ms.toFixed(1)} ms)`;
  return [
    `ui: one phase, ${r.events} events (${r.events - 7} resource events)`,
    `  reducer      ${f(r.reducer)}`,
    `  ink host     ${f(r.ink)}`,
    r.plain ? `  plain host   ${f(r.plain)}` : `  plain host   not measured: ${r.plainMissing}`,
    r.inkOverPlain === null
      ? '  ink/plain    n/a'
      : `  ink/plain    ${r.inkOverPlain.toFixed(2)}x time (target <= 2x): ${r.withinBudget ? 'ok' : 'OVER BUDGET'}`,
    `  ink frame    ${r.inkFrameMs.toFixed(2)} ms per frame, ${(r.inkRenderLoadAt15fps * 100).toFixed(1)}% of a core at 15 fps`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await runUiBench();
  process.stdout.write(formatUiBench(r) + '\n');
  process.exitCode = r.withinBudget === false ? 1 : 0;
}
