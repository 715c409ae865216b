/**
 * The in-memory FakeEngine that drives the orchestrator tests is held to the engine contract: the
 * same suite the simulate and Pulumi engines pass. Its programs for the contract phases declare what
 * the Pulumi programs in test/engine-contract/phases create (record resources whose `name` forces
 * a replacement, as their dynamic provider's diff says; the credential's content secret).
 */
import { systemClock } from '../../src/state/clock.js';
import { engineContract } from '../engine-contract/suite.js';
import { contractPhases, RECORD_TYPE, FAILURE_MESSAGE, type RecordSpec } from '../engine-contract/phases/index.js';
import { contractEnv } from '../helpers/env-fixtures.js';
import { FakeEngine, type FakeProgram } from '../helpers/fake-engine.js';

const record = (key: string, name: string, content: string, secretInputs: string[] = []) => ({ type: RECORD_TYPE, name: key, inputs: { name, content }, replaceOn: ['name'], secretInputs });

/** The contract phases' programs, by slug, as declarations. */
const contractPrograms: Record<string, FakeProgram> = {
  'contract-records': (inputs) => {
    const { records } = inputs as { records: RecordSpec[] };
    return {
      resources: records.map((r) => record(r.key, r.name, r.content)),
      outputs: {
        count: records.length,
        keys: records.map((r) => r.key),
        contents: (_ids: Record<string, string>) => Object.fromEntries(records.map((r) => [r.key, r.content])),
        ids: (ids: Record<string, string>) => records.map((r) => ids[r.key]),
      },
    };
  },
  'contract-secrets': (inputs) => {
    const { password } = inputs as { password: string };
    return { resources: [record('credential', 'credential', password, ['content'])], outputs: { token: `token:${password}`, label: 'public-label' } };
  },
  'contract-consumer': (inputs) => {
    const { upstreamKeys, upstreamCount } = inputs as { upstreamKeys: string[]; upstreamCount: number };
    return {
      resources: upstreamKeys.map((k) => record(`copy-${k}`, `copy-${k}`, `copied from ${k}`)),
      outputs: { copied: upstreamKeys.length, from: upstreamKeys, upstreamCount },
    };
  },
  'contract-failing': (inputs) => {
    if ((inputs as { fail: boolean }).fail) throw new Error(FAILURE_MESSAGE);
    return { resources: [record('steady', 'steady', 'steady')], outputs: { status: 'ok' } };
  },
  'contract-slow': async (inputs, { clock, signal }) => {
    const { delayMs } = inputs as { delayMs: number };
    await clock.sleep(delayMs, signal);
    return { resources: [record('late', 'late', 'late')], outputs: { waitedMs: delayMs } };
  },
};

engineContract('fake (the orchestrator tests\' engine)', async () => {
  // The real clock: the contract's cancellation case aborts after a real 300 ms.
  const engine = new FakeEngine(systemClock);
  for (const [slug, program] of Object.entries(contractPrograms)) engine.programs.set(slug, program);
  return { engine, env: contractEnv('ct'), phases: contractPhases(), cleanup: async () => {} };
});
