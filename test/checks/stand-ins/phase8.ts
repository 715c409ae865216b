/**
 * A TEST DOUBLE of phase 8 (resilience), whose program is being built in parallel: its program
 * returns outputs of phase 8's contract (validated by the real schema), so phase 9 can be planned
 * and checked on top of it. Never part of the registry; only test/checks/phase-09-checks.test.ts
 * uses it.
 */
import type { PhaseDefinition } from '../../../src/core/phase.js';
import { phase as real, phase8Outputs, type Phase8Outputs } from '../../../programs/08-resilience/phase.js';
import { sampleUpstream } from '../../config/upstream-samples.js';

export const outputs: Phase8Outputs = phase8Outputs.parse(sampleUpstream[8]);

export const phase: PhaseDefinition<Record<string, never>, Phase8Outputs> = {
  ...(real as unknown as PhaseDefinition<Record<string, never>, Phase8Outputs>),
  module: import.meta.url,
  dependsOn: [1],
  inputs: () => ({}),
  loadProgram: async () => async () => outputs,
};
