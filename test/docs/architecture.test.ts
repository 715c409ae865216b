// docs/architecture.md is a living document (issue 13, item 6): its "What each phase reads" table
// must name the registry's edges, and its layer list every folder under src/.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { phases } from '../../programs/registry.js';

const repo = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(repo, 'docs', 'architecture.md'), 'utf8');

describe('docs/architecture.md matches the code', () => {
  it("the 'What each phase reads' table lists every phase with the registry's dependsOn", () => {
    const section = doc.slice(doc.indexOf('## What each phase reads'));
    const rows = new Map<number, string>();
    for (const m of section.matchAll(/^\| (\d+) [a-z]+ \| ([-0-9, ]+) \|/gm)) rows.set(Number(m[1]), m[2]!.trim());
    assert.deepEqual([...rows.keys()].sort((a, b) => a - b), phases.map((p) => p.id));
    for (const p of phases) {
      const documented = rows.get(p.id) === '-' ? [] : rows.get(p.id)!.split(',').map((x) => Number(x.trim()));
      assert.deepEqual(documented, [...p.dependsOn], `phase ${p.id}: the doc says ${rows.get(p.id)}, the registry ${p.dependsOn.join(', ') || '-'}`);
    }
  });

  it('the layers section names every folder under src/', () => {
    const layers = doc.slice(doc.indexOf('## Layers'), doc.indexOf('## A run of'));
    const missing = readdirSync(join(repo, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .filter((name) => !layers.includes(`src/${name}/`));
    assert.deepEqual(missing, [], `docs/architecture.md does not describe: ${missing.map((m) => `src/${m}/`).join(', ')}`);
  });

  it('names no module that does not exist', () => {
    const missing = [...doc.matchAll(/`(src\/[\w/.-]+\.ts)`/g)].map((m) => m[1]!).filter((f) => {
      try {
        readFileSync(join(repo, f));
        return false;
      } catch {
        return true;
      }
    });
    assert.deepEqual(missing, []);
  });
});
