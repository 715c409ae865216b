/**
 * The file backend as the engine gets it: no metadata sidecars written (a killed engine left one
 * empty, and every later read failed with "failed to load checkpoint: EOF"), and broken sidecars of
 * a stack removed, the files they describe untouched. The real engine's side is proved in
 * test/real-engine/cli-crash.test.ts.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineBackendUrl } from '../../src/engine/pulumi/settings.js';
import { removeBrokenSidecars } from '../../src/engine/pulumi/state.js';
import { contractEnv } from '../helpers/env-fixtures.js';

describe('pulumi adapter: file backend metadata sidecars', () => {
  it('the engine gets file:// backends with metadata=skip; other backends and an explicit choice unchanged', () => {
    const env = contractEnv();
    assert.equal(engineBackendUrl({ ...env, backend: { url: 'file://.platform/state' } }, '/repo'), 'file:///repo/.platform/state?metadata=skip');
    assert.equal(engineBackendUrl({ ...env, backend: { url: 'file:///abs/state?no_tmp_dir=false' } }, '/repo'), 'file:///abs/state?no_tmp_dir=false&metadata=skip');
    assert.equal(engineBackendUrl({ ...env, backend: { url: 'file:///abs/state?metadata=x' } }, '/repo'), 'file:///abs/state?metadata=x');
    assert.equal(engineBackendUrl({ ...env, backend: { url: 's3://bucket/prefix?region=eu-west-1' } }, '/repo'), 's3://bucket/prefix?region=eu-west-1');
  });

  it("removes exactly the stack's sidecars that do not parse; keeps good ones, other stacks' and every data file", () => {
    const dir = mkdtempSync(join(tmpdir(), 'platform-sidecars-'));
    try {
      const p = (...x: string[]) => join(dir, '.pulumi', ...x);
      const files: Record<string, string> = {
        [p('meta.yaml')]: 'version: 1',
        [p('meta.yaml.attrs')]: '{"user.content_type":"application/octet-stream"}',
        [p('stacks', 'platform', 'dev-01-a.json')]: '{"version":3}',
        [p('stacks', 'platform', 'dev-01-a.json.attrs')]: '', // empty: what a killed engine leaves
        [p('stacks', 'platform', 'dev-01-a.json.bak.attrs')]: '{"md5":',
        [p('stacks', 'platform', 'dev-01-ab.json.attrs')]: '', // another stack: not ours to touch
        [p('history', 'platform', 'dev-01-a', 'dev-01-a-1.history.json.attrs')]: '',
        [p('backups', 'platform', 'dev-01-a', 'dev-01-a.1.json.attrs')]: '{}',
        [p('locks', 'organization', 'platform', 'dev-01-a', 'u.json.attrs')]: '',
      };
      for (const [f, c] of Object.entries(files)) {
        mkdirSync(join(f, '..'), { recursive: true });
        writeFileSync(f, c);
      }
      const removed = removeBrokenSidecars(dir, 'dev-01-a').sort();
      assert.deepEqual(removed, [
        p('history', 'platform', 'dev-01-a', 'dev-01-a-1.history.json.attrs'),
        p('locks', 'organization', 'platform', 'dev-01-a', 'u.json.attrs'),
        p('stacks', 'platform', 'dev-01-a.json.attrs'),
        p('stacks', 'platform', 'dev-01-a.json.bak.attrs'),
      ]);
      for (const f of Object.keys(files).filter((x) => !removed.includes(x))) assert.equal(readFileSync(f, 'utf8'), files[f], f);
      assert.ok(!removed.some(existsSync));
      assert.deepEqual(removeBrokenSidecars(dir, 'dev-01-a'), [], 'nothing left to remove');
      assert.deepEqual(removeBrokenSidecars(undefined, 'dev-01-a'), [], 'not a file backend');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
