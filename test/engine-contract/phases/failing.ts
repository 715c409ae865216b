/**
 * Contract phase "failing": registers one record, then throws when `fail` is set, so the engine
 * must reject (never report success) and keep the previous state and outputs.
 */
import { z } from 'zod';
import type { PhaseDefinition } from '../../../src/core/phase.js';
import { RecordResource } from './record-resource.js';

export interface FailingInputs {
  fail: boolean;
}

/** The message the program throws; the engine's error must carry it. */
export const FAILURE_MESSAGE = 'contract phase failed on purpose';

async function program(inputs: FailingInputs): Promise<Record<string, unknown>> {
  new RecordResource('steady', { name: 'steady', content: 'steady' });
  if (inputs.fail) throw new Error(FAILURE_MESSAGE);
  return { status: 'ok' };
}

export const phase: PhaseDefinition<FailingInputs, { status: string }> = {
  id: 4,
  slug: 'contract-failing',
  title: 'Contract: failing',
  module: import.meta.url,
  dependsOn: [],
  inputs: () => ({ fail: false }),
  outputs: z.object({ status: z.string() }),
  secretOutputs: [],
  loadProgram: async () => program,
};
