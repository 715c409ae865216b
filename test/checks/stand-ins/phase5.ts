/**
 * A TEST DOUBLE of phase 5 (apps), which has no program yet: its program returns outputs of phase
 * 5's contract (validated by the real schema) for the prod env, so phases 6 and 7 can be planned and
 * checked on top of it. Never part of the registry; only test/checks/phase-06-07-checks.test.ts uses it.
 */
import type { PhaseDefinition } from '../../../src/core/phase.js';
import { phase as real, phase5Outputs, type Phase5Outputs } from '../../../programs/05-apps/phase.js';
import { sampleUpstream } from '../../config/upstream-samples.js';

export const outputs: Phase5Outputs = phase5Outputs.parse({ ...sampleUpstream[5], appNamespaces: { prod: 'apps-prod' } });

export const phase: PhaseDefinition<Record<string, never>, Phase5Outputs> = {
  ...(real as unknown as PhaseDefinition<Record<string, never>, Phase5Outputs>),
  module: import.meta.url,
  dependsOn: [1, 2],
  inputs: () => ({}),
  loadProgram: async () => async () => outputs,
};
