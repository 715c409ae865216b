/**
 * Contract phase "consumer": depends on "records" and builds its inputs from that phase's validated
 * outputs (the outputs-flow contract): one copy record per upstream key.
 */
import { z } from 'zod';
import type { PhaseContext, PhaseDefinition } from '../../../src/core/phase.js';
import { RecordsOutputs } from './records.js';
import { RecordResource } from './record-resource.js';

export interface ConsumerInputs {
  upstreamKeys: string[];
  upstreamCount: number;
}

export const ConsumerOutputs = z.object({ copied: z.number().int(), from: z.array(z.string()), upstreamCount: z.number().int() });

function inputs(ctx: PhaseContext): ConsumerInputs {
  const up = RecordsOutputs.parse(ctx.upstream[1]);
  return { upstreamKeys: up.keys, upstreamCount: up.count };
}

async function program(inputs: ConsumerInputs): Promise<Record<string, unknown>> {
  for (const key of inputs.upstreamKeys) new RecordResource(`copy-${key}`, { name: `copy-${key}`, content: `copied from ${key}` });
  return { copied: inputs.upstreamKeys.length, from: inputs.upstreamKeys, upstreamCount: inputs.upstreamCount };
}

export const phase: PhaseDefinition<ConsumerInputs, z.infer<typeof ConsumerOutputs>> = {
  id: 3,
  slug: 'contract-consumer',
  title: 'Contract: consumer',
  module: import.meta.url,
  dependsOn: [1],
  inputs,
  outputs: ConsumerOutputs,
  secretOutputs: [],
  loadProgram: async () => program,
};
