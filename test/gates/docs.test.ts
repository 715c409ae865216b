import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { phases } from '../../programs/registry.js';
import { phaseGates } from '../../src/core/phase.js';

describe('docs/gates.md', () => {
  it('lists every gate of every phase, with whether it is live', async () => {
    const doc = readFileSync(new URL('../../docs/gates.md', import.meta.url), 'utf8');
    for (const p of phases) {
      for (const g of await phaseGates(p)) {
        assert.match(doc, new RegExp(`\\| \`${g.name}\` \\| ${g.live ? 'yes' : 'no'} \\|`), `phase ${p.id} gate ${g.name} is missing from docs/gates.md`);
      }
    }
  });
});
