// Benchmark of the static checks against the simulate run that produced the graph they check.
// Plans every phase that has a program for one env with the simulate engine (one child process per
// stack, as `platform preview` does), then runs every check over the planned resources, and reports
// both times. The bar: the check runs within 2x of the simulate run.
//
// Runs on the built tree: `npm run build && npx node bench/checks.mjs [env]`, or import
// `benchChecks` from bench/run.mjs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/', import.meta.url);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Plans `envName` (default prod) with the simulate engine and times the checks over the result.
 * Returns { env, phases, resources, simulateMs, checkMs, ratio, withinBudget, ok, findings }; the bar is
 * `maxRatio` (2: the checks take at most twice the simulate run).
 */
export async function benchChecks(envName = 'prod', { rounds = 3, maxRatio = 2 } = {}) {
  const { loadEnv } = await import(new URL('src/config/load-env.js', dist).href);
  const { phases } = await import(new URL('programs/registry.js', dist).href);
  const { hasProgram } = await import(new URL('src/core/phase.js', dist).href);
  const { createSimulateEngine } = await import(new URL('src/engine/simulate/simulate-engine.js', dist).href);
  const { runChecks } = await import(new URL('src/checks/index.js', dist).href);

  const { loadOrganization } = await import(new URL('src/config/load-organization.js', dist).href);
  const { organizationTarget } = await import(new URL('src/core/organization.js', dist).href);
  const env = await loadEnv(repoRoot, envName);
  const organization = await loadOrganization(repoRoot, { local: envName === 'local' });
  const stateDir = await mkdtemp(join(tmpdir(), 'platform-bench-checks-'));
  const engine = createSimulateEngine({ stateDir });
  const { planPhases } = await import(new URL('src/orchestrator/plan.js', dist).href);
  const t0 = performance.now();
  let resources, planned;
  try {
    const ids = phases.filter(hasProgram).map((p) => p.id);
    ({ resources, phases: planned } = await planPhases(env, phases, ids, engine, new AbortController().signal, { config: organization, target: organizationTarget(organization, env) }));
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
  const simulateMs = performance.now() - t0;

  // The first check run pays for loading the schema models; report the slowest of the rounds.
  let checkMs = 0;
  let result;
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    result = await runChecks(resources, { env, now: Date.now() });
    checkMs = Math.max(checkMs, performance.now() - t);
  }
  const ratio = checkMs / simulateMs;
  return {
    env: env.name,
    phases: planned,
    resources: resources.length,
    simulateMs: Math.round(simulateMs),
    checkMs: Math.round(checkMs * 10) / 10,
    ratio: Math.round(ratio * 1000) / 1000,
    withinBudget: ratio <= maxRatio,
    /** bench/run.mjs counts `ok: false` as a missed target. */
    ok: ratio <= maxRatio,
    findings: result.findings.length,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await benchChecks(process.argv[2] ?? 'prod');
  console.log(JSON.stringify(out));
  process.exitCode = out.withinBudget ? 0 : 1;
}
