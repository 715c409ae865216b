/** Contract phase "no-program": a phase without `loadProgram`; every engine must refuse it. */
import { z } from 'zod';
import type { PhaseDefinition } from '../../../src/core/phase.js';

export const phase: PhaseDefinition<Record<string, never>, Record<string, never>> = {
  id: 6,
  slug: 'contract-no-program',
  title: 'Contract: no program',
  module: import.meta.url,
  dependsOn: [],
  inputs: () => ({}),
  outputs: z.object({}),
  secretOutputs: [],
};
