/**
 * Plans the phase programs that exist for one env with the simulate engine (one child process per
 * stack, as `platform preview` does) and returns every planned resource, ready for the checks.
 * Phases are planned in order; each gets the simulated outputs of the phases it depends on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvConfig } from '../../src/core/env.js';
import { hasProgram, stackName, type AnyPhase, type PhaseId, type UpstreamOutputs } from '../../src/core/phase.js';
import type { PlannedResource } from '../../src/core/ports.js';
import { createSimulateEngine } from '../../src/engine/simulate/simulate-engine.js';

export interface PlannedPlatform {
  resources: PlannedResource[];
  phases: PhaseId[];
  /** Wall time of the simulate runs that produced the graph. */
  simulateMs: number;
}

/** Plans every phase that has a program and whose upstream phases were planned. */
export async function planPrograms(env: EnvConfig, phases: readonly AnyPhase[]): Promise<PlannedPlatform> {
  const stateDir = await mkdtemp(join(tmpdir(), 'platform-checks-'));
  const engine = createSimulateEngine({ stateDir });
  const upstream: UpstreamOutputs = {};
  const resources: PlannedResource[] = [];
  const planned: PhaseId[] = [];
  const started = performance.now();
  try {
    for (const phase of phases) {
      if (!hasProgram(phase) || phase.dependsOn.some((d) => !planned.includes(d))) continue;
      const stack = { env: env.name, phase: phase.id, slug: phase.slug, name: stackName(env.name, phase) };
      const inputs = phase.inputs({ env, upstream: Object.fromEntries(phase.dependsOn.map((d) => [d, upstream[d]])), simulated: true });
      const result = await engine.up({ stack, env, phase, inputs, signal: new AbortController().signal, emit: () => {} });
      upstream[phase.id] = Object.fromEntries(Object.entries(result.outputs ?? {}).map(([k, v]) => [k, v.value]));
      resources.push(...(result.resources ?? []));
      planned.push(phase.id);
    }
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
  return { resources, phases: planned, simulateMs: performance.now() - started };
}
