/**
 * Contract phase "records": one record resource per entry of its inputs. Used for create / same /
 * update / replace / delete, typed outputs and the producer side of an output-to-input flow.
 */
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import type { PhaseDefinition } from '../../../src/core/phase.js';
import { RecordResource } from './record-resource.js';

export interface RecordSpec {
  /** The resource's logical name (part of its URN). */
  key: string;
  /** The `name` input (replace-forcing). */
  name: string;
  content: string;
}
export interface RecordsInputs {
  records: RecordSpec[];
}

export const RecordsOutputs = z.object({
  count: z.number().int(),
  keys: z.array(z.string()),
  contents: z.record(z.string(), z.string()),
  ids: z.array(z.string().min(1)),
});
export type RecordsOutputs = z.infer<typeof RecordsOutputs>;

/** Three records a, b, c. */
export function defaultRecords(): RecordSpec[] {
  return ['a', 'b', 'c'].map((key) => ({ key, name: `rec-${key}`, content: `content of ${key}` }));
}

async function program(inputs: RecordsInputs): Promise<Record<string, unknown>> {
  const created = inputs.records.map((r) => new RecordResource(r.key, { name: r.name, content: r.content }));
  return {
    count: inputs.records.length,
    keys: inputs.records.map((r) => r.key),
    contents: pulumi.all(created.map((c) => c.content)).apply((cs) => Object.fromEntries(inputs.records.map((r, i) => [r.key, cs[i]!]))),
    ids: pulumi.all(created.map((c) => c.id)),
  };
}

export const phase: PhaseDefinition<RecordsInputs, RecordsOutputs> = {
  id: 1,
  slug: 'contract-records',
  title: 'Contract: records',
  module: import.meta.url,
  dependsOn: [],
  inputs: () => ({ records: defaultRecords() }),
  outputs: RecordsOutputs,
  secretOutputs: [],
  loadProgram: async () => program,
};
