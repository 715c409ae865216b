/**
 * test/helpers/built.ts refuses a dist/ older than its sources (the plans of the shipped programs
 * run the built code; a stale build would check yesterday's programs and pass).
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staleSource } from './helpers/built.js';

describe('the built-code guard of the plan tests', () => {
  let root: string;
  const file = (p: string, mtimeS: number) => {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), '');
    utimesSync(join(root, p), mtimeS, mtimeS);
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'platform-built-'));
    file('src/core/a.ts', 100);
    file('dist/src/core/a.js', 200);
    file('programs/01-x/index.tsx', 100);
    file('programs/01-x/types.d.ts', 900);
    file('dist/programs/01-x/index.js', 200);
    file('programs/01-x/charts.lock.yaml', 100);
    file('dist/programs/01-x/charts.lock.yaml', 200);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('accepts a build newer than every source (declaration files are not built)', () => {
    assert.equal(staleSource(root), undefined);
  });
  it('names a source edited after the build', () => {
    utimesSync(join(root, 'programs/01-x/index.tsx'), 300, 300);
    assert.equal(staleSource(root), 'programs/01-x/index.tsx');
  });
  it('names a source without a built file, and a chart lock not copied', () => {
    file('src/core/b.ts', 100);
    assert.equal(staleSource(root), 'src/core/b.ts');
    rmSync(join(root, 'src/core/b.ts'));
    rmSync(join(root, 'dist/programs/01-x/charts.lock.yaml'));
    assert.equal(staleSource(root), 'programs/01-x/charts.lock.yaml');
  });
  it("names an engine test's phase module edited after the build (built to dist/test/ too)", () => {
    file('test/engine-contract/phases/records.ts', 100);
    file('dist/test/engine-contract/phases/records.js', 200);
    assert.equal(staleSource(root), undefined);
    utimesSync(join(root, 'test/engine-contract/phases/records.ts'), 300, 300);
    assert.equal(staleSource(root), 'test/engine-contract/phases/records.ts');
  });
});
