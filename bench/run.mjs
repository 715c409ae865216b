// `npm run bench`: every target is a ratio measured in one run on this machine (absolute times on a
// shared 2-core VM move by tens of percent between sittings; ratios taken side by side do not).
//   help      platform --help            vs  node -e 0                 target <= 3x
//   noop      up --all --env local (all unchanged) vs the first full run   target >= 20x faster
//   dag       DAG runner wall time       vs  the chain's critical path at --parallel 4   target <= 1.1x
//   eks-token platform eks-token         vs  platform --help           target <= 3x (kubectl runs it on every token refresh)
//   engine-noop  no-op up on the real engine vs `pulumi preview` of the same stacks, N = 1, 4, 11
//                target >= 10x faster at N = 11, 0 Pulumi processes per skipped phase (file backend)
//                (bench/engine-noop.ts; needs the engine: scripts/install-pulumi-engine.sh)
//   cdc       local PostgreSQL -> Debezium -> Kafka: p99 lag <= 1000 ms, >= 1000 rows/s (when installed)
// plus the UI and static-check benchmarks when their modules are present.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, cpSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchDag } from './dag.mjs';

const repo = resolve(import.meta.dirname, '..');
const node = process.execPath;
const cli = join(repo, 'bin/platform.js');

function time(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  const ms = performance.now() - t0;
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function bestOf(n, f) {
  f(); // warm-up (disk cache, compile cache)
  return median(Array.from({ length: n }, f));
}

const results = [];
function report(name, a, b, target, ok) {
  results.push({ name, ...a, ...b, target, ok });
  console.log(`${ok ? 'ok  ' : 'MISS'} ${name}: ${target}`);
}

// 1. --help against bare node
const bare = bestOf(9, () => time(node, ['-e', '0']));
const help = bestOf(9, () => time(node, [cli, '--help']));
report('help', { helpMs: Math.round(help) }, { bareNodeMs: Math.round(bare) }, `help ${help.toFixed(0)} ms = ${(help / bare).toFixed(2)}x bare node ${bare.toFixed(0)} ms (target <= 3x)`, help / bare <= 3);

// 1b. eks-token (credentials from the environment, as CI has them) against --help
const tokenEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'bench-not-a-secret', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true' };
const token = bestOf(9, () => time(node, [cli, 'eks-token', '--cluster', 'bench', '--region', 'eu-west-1'], { env: tokenEnv }));
const helpAgain = bestOf(9, () => time(node, [cli, '--help']));
report('eks-token', { tokenMs: Math.round(token) }, { helpMs: Math.round(helpAgain) }, `eks-token ${token.toFixed(0)} ms = ${(token / helpAgain).toFixed(2)}x --help ${helpAgain.toFixed(0)} ms (target <= 3x)`, token / helpAgain <= 3);

// 2. no-op up --all against the first full run, in a scratch copy (fresh .platform/)
const scratch = mkdtempSync(join(tmpdir(), 'platform-bench-'));
try {
  cpSync(join(repo, 'Pulumi.yaml'), join(scratch, 'Pulumi.yaml'));
  cpSync(join(repo, 'stacks'), join(scratch, 'stacks'), { recursive: true });
  symlinkSync(join(repo, 'programs'), join(scratch, 'programs'));
  const up = () => time(node, [cli, 'up', '--all', '--env', 'local', '--output', 'plain'], { cwd: scratch, env: { ...process.env, CI: 'true' } });
  const full = up();
  const noop = bestOf(3, up);
  report('noop', { fullRunMs: Math.round(full) }, { noopRunMs: Math.round(noop) }, `no-op up --all ${noop.toFixed(0)} ms vs first full run ${full.toFixed(0)} ms = ${(full / noop).toFixed(1)}x faster (target >= 20x)`, full / noop >= 20);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// 3. DAG runner vs critical path
const dag = await benchDag(4);
report('dag', { wallMs: dag.wallMs }, { criticalMs: dag.criticalMs }, `DAG run ${dag.wallMs} ms vs critical path ${dag.criticalMs} ms (${dag.criticalPathPhases} phases x ${dag.perPhaseMs} ms) = ${dag.ratio.toFixed(3)}x at --parallel 4 (target <= 1.1x)`, dag.ratio <= 1.1);

// 3b. no-op up on the real engine (issue 21): its own script, since it runs TypeScript fixtures.
{
  const out = join(mkdtempSync(join(tmpdir(), 'platform-bench-engine-')), 'engine-noop.json');
  const r = spawnSync(node, ['--import', 'tsx', join(import.meta.dirname, 'engine-noop.ts'), '--json', out], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  if (existsSync(out)) {
    const res = JSON.parse(readFileSync(out, 'utf8'));
    report('engine-noop', { rows: res.rows }, {}, res.rows.map((x) => `N=${x.n} ${x.ratio.toFixed(1)}x, ${x.spawnsPerSkipped} spawn(s)/skipped`).join('; ') + ` (target >= ${res.targetRatio}x at N=11, <= ${res.maxSpawnsPerSkipped} spawn(s) per skipped phase)`, res.ok);
  } else {
    report('engine-noop', {}, {}, `did not run (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`, false);
  }
}

// 4. optional benchmarks owned by other modules
for (const [file, fn] of [['ui.mjs', 'runUiBench'], ['checks.mjs', 'benchChecks']]) {
  if (!existsSync(join(import.meta.dirname, file))) continue;
  const mod = await import(`./${file}`);
  const r = await mod[fn]();
  console.log(`     ${file}: ${JSON.stringify(r)}`);
  results.push({ name: file, ...r });
}

// 5. CDC latency and throughput of the local pipeline (bench/cdc.ts; real PostgreSQL, Kafka, Debezium
// configured by the phase-4 program). It says plainly when scripts/install-cdc.sh has not run.
// Targets: p99 lag <= 1000 ms with the shipped poll.interval.ms, >= 1000 rows/s end to end.
{
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cdc.ts')], { encoding: 'utf8', cwd: repo });
  const lines = r.stdout.trim().split('\n');
  for (const l of lines.slice(0, -1)) console.log(`     ${l}`);
  const cdc = r.status === 0 ? JSON.parse(lines.at(-1) ?? '{}') : { name: 'cdc', ran: false, reason: `bench/cdc.ts exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}` };
  if (!cdc.ran) console.log(`skip cdc: ${cdc.reason}`);
  else report('cdc', { lagMs: cdc.lagMs }, { throughput: cdc.throughput }, `CDC lag p50 ${cdc.lagMs.p50} ms p99 ${cdc.lagMs.p99} ms (target p99 <= 1000 ms); ${cdc.throughput.rowsPerSecond} rows/s end to end (target >= 1000)`, cdc.lagMs.p99 <= 1000 && cdc.throughput.rowsPerSecond >= 1000);
  if (r.status !== 0) results.push({ name: 'cdc', ok: false, reason: cdc.reason });
}

writeFileSync(join(repo, '.platform-bench.json'), JSON.stringify(results, null, 2) + '\n');
const missed = results.filter((r) => r.ok === false);
console.log(missed.length ? `${missed.length} target(s) missed` : 'all targets met');
process.exitCode = missed.length ? 1 : 0;
