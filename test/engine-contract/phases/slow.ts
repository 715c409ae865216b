/**
 * Contract phase "slow": waits `delayMs` inside the program before registering a record, so a run
 * can be cancelled (AbortSignal) or killed while it is in flight.
 */
import { z } from 'zod';
import type { PhaseDefinition } from '../../../src/core/phase.js';
import { RecordResource } from './record-resource.js';

export interface SlowInputs {
  delayMs: number;
}

async function program(inputs: SlowInputs): Promise<Record<string, unknown>> {
  await new Promise((resolve) => setTimeout(resolve, inputs.delayMs));
  new RecordResource('late', { name: 'late', content: 'late' });
  return { waitedMs: inputs.delayMs };
}

export const phase: PhaseDefinition<SlowInputs, { waitedMs: number }> = {
  id: 5,
  slug: 'contract-slow',
  title: 'Contract: slow',
  module: import.meta.url,
  dependsOn: [],
  inputs: () => ({ delayMs: 0 }),
  outputs: z.object({ waitedMs: z.number() }),
  secretOutputs: [],
  loadProgram: async () => program,
};
