/** The contract suite's test-only phases, for harnesses of every engine. */
import { phase as records } from './records.js';
import { phase as secrets } from './secrets.js';
import { phase as consumer } from './consumer.js';
import { phase as failing } from './failing.js';
import { phase as slow } from './slow.js';
import { phase as noProgram } from './no-program.js';

export { RECORD_TYPE } from './record-resource.js';
export { defaultRecords, type RecordSpec } from './records.js';
export { FAILURE_MESSAGE } from './failing.js';

/** What a harness hands the suite (engines may wrap, never change, these definitions). */
export interface ContractPhases {
  records: typeof records;
  secrets: typeof secrets;
  consumer: typeof consumer;
  failing: typeof failing;
  slow: typeof slow;
  noProgram: typeof noProgram;
}

/** The phases as defined in this folder. */
export function contractPhases(): ContractPhases {
  return { records, secrets, consumer, failing, slow, noProgram };
}
