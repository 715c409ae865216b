/**
 * Contract phase "secrets": a record whose content is a Pulumi secret, and a secret stack output.
 * Proves secret outputs come back flagged and secret values never reach events or planned inputs.
 */
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import type { PhaseDefinition } from '../../../src/core/phase.js';
import { RecordResource } from './record-resource.js';

export interface SecretsInputs {
  /** The secret; tests use a distinctive string and search every event for it. */
  password: string;
}

export const SecretsOutputs = z.object({ token: z.string(), label: z.string() });

async function program(inputs: SecretsInputs): Promise<Record<string, unknown>> {
  new RecordResource('credential', { name: 'credential', content: pulumi.secret(inputs.password) });
  return { token: pulumi.secret(`token:${inputs.password}`), label: 'public-label' };
}

export const phase: PhaseDefinition<SecretsInputs, z.infer<typeof SecretsOutputs>> = {
  id: 2,
  slug: 'contract-secrets',
  title: 'Contract: secrets',
  module: import.meta.url,
  dependsOn: [],
  inputs: () => ({ password: 'contract-password-0000' }),
  outputs: SecretsOutputs,
  secretOutputs: ['token'],
  loadProgram: async () => program,
};
