import { strict as assert } from 'node:assert';
import { randomClusterId } from './pipeline.js';

describe('CDC harness: KRaft cluster ids', () => {
  it('are 22 base64url characters and never start with "-" (the storage tool would read it as an option)', () => {
    // 1 id in 64 starts with '-' when drawn naively: 5000 draws miss that with probability ~1e-34.
    for (let i = 0; i < 5000; i++) {
      const id = randomClusterId();
      assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/, id);
    }
  });
});
