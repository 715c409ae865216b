/** Phase definitions for orchestrator tests: any DAG, each phase consuming its upstreams' `value`. */
import { z } from 'zod';
import type { AnyPhase, PhaseId } from '../../src/core/phase.js';

export const testOutputs = z.object({ value: z.string(), token: z.string() });

/** Test phases with the given edges; each consumes its upstreams' `value`. */
export function testPhases(edges: Record<number, number[]>, withoutProgram: number[] = []): AnyPhase[] {
  return Object.entries(edges).map(([id, deps]) => ({
    id: Number(id) as PhaseId,
    slug: `p${id}`,
    title: `phase ${id}`,
    module: import.meta.url,
    dependsOn: deps as PhaseId[],
    inputs: (ctx) => ({ env: ctx.env.name, up: deps.map((d) => (ctx.upstream[d as PhaseId] as { value: string }).value.length) }),
    outputs: testOutputs,
    secretOutputs: ['token'],
    loadProgram: withoutProgram.includes(Number(id)) ? undefined : async () => async () => ({}),
  }));
}
