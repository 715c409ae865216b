/**
 * Phase 4 gates, in report order: the database and broker readiness gates (gates-ready.ts) and the
 * CDC gates (gates-cdc.ts): the connector RUNNING with its publication, then the end-to-end stream.
 */
import type { Gate } from '../../src/core/gate.js';
import { cdcGates, type DataProbes } from './gates-cdc.js';
import { readyGates } from './gates-ready.js';
import type { Phase4Outputs } from './phase.js';

export const gates: Gate<Phase4Outputs, DataProbes>[] = [...readyGates, ...cdcGates];
