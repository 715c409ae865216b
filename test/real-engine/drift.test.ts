/**
 * `platform drift` on the real engine (issue 19, item 4), through the built CLI over the test phases:
 * a file a dynamic resource manages is changed (then deleted) behind the engine's back, and drift
 * must name that resource and its changed properties, exit 6, and leave the stack's checkpoint as it
 * was (a refresh in preview mode writes nothing); with nothing changed it reports no drift, exit 0.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { CliProject } from './cli-harness.js';

interface DriftEvent {
  type: 'drift';
  phase: number;
  stack: string;
  resources: Array<{ urn: string; type: string; name: string; change: string; properties: string[] }>;
}

function events(stdout: string): Array<{ type: string } & Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string } & Record<string, unknown>);
}

describe('platform drift (real CLI, real engine)', function () {
  this.timeout(600_000);
  let p: CliProject;
  const state = () => readFileSync(p.path('.platform', 'state', '.pulumi', 'stacks', 'platform', 'rt-01-race.json'), 'utf8');
  before(async () => {
    p = new CliProject();
    p.scenario({ 1: { dir: p.path('store'), content: 'v1', files: 2 } });
    const up = await p.run(['up', '--phase', '1', '--env', 'rt']);
    assert.equal(up.code, 0, up.stderr);
  });
  after(() => p?.dispose());

  it('no change behind the engine: no drift, exit 0', async () => {
    const before = state();
    const r = await p.run(['drift', '--env', 'rt']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^phase 1 race: no drift \(stack rt-01-race\)$/m);
    // Phases 2..4 have programs but no stack: skipped as not deployed, never created.
    assert.match(r.stderr, /phase 2 sweep: skipped \(not deployed \(stack rt-02-sweep\)\)/);
    assert.equal(state(), before, 'the checkpoint is untouched');
    assert.deepEqual(p.checkpoint('rt-02-sweep').resources, [], 'drift never creates a stack');
    const json = await p.run(['drift', '--env', 'rt', '--phase', '1', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const d = events(json.stdout).filter((e) => e.type === 'drift') as unknown as DriftEvent[];
    assert.deepEqual(d.map((e) => [e.phase, e.stack, e.resources.length]), [[1, 'rt-01-race', 0]]);
  });

  it('a file changed behind the engine: that resource and its properties, exit 6, nothing written to the stack', async () => {
    const cp = p.checkpoint('rt-01-race');
    const file0 = cp.resources.find((r) => r.urn.endsWith('::file-0'))!;
    const path0 = String(file0.outputs!.path);
    writeFileSync(path0, 'changed by hand, outside the CLI');
    const before = state();
    const r = await p.run(['drift', '--env', 'rt', '--phase', '1', '--json']);
    assert.equal(r.code, 6, r.stderr);
    const all = events(r.stdout);
    const d = all.filter((e) => e.type === 'drift') as unknown as DriftEvent[];
    assert.equal(d.length, 1);
    assert.deepEqual(
      d[0]!.resources.map((x) => [x.name, x.change, x.properties]),
      [['file-0', 'changed', ['content', 'size']]],
      JSON.stringify(d[0]),
    );
    assert.ok(!JSON.stringify(all).includes('changed by hand'), 'property values never appear, only names');
    const fin = all.at(-1)!;
    assert.equal(fin.type, 'run-finished');
    assert.equal(fin.exitCode, 6);
    assert.equal((fin.error as { code: string }).code, 'drift-found');
    assert.equal(state(), before, 'a refresh in preview mode writes nothing to the stack');
    assert.equal(readFileSync(path0, 'utf8'), 'changed by hand, outside the CLI', 'nor to the resource');
    const rec = JSON.parse(readFileSync(p.path('.platform', 'state', '.platform-records', 'rt', 'phase-01.json'), 'utf8')) as { drift?: { resources: unknown[] } };
    assert.equal(rec.drift?.resources.length, 1, 'the record keeps what drift found (status reads it)');

    // Plain output: the result on stdout, the error line on stderr.
    const plain = await p.run(['drift', '--env', 'rt', '--phase', '1']);
    assert.equal(plain.code, 6, plain.stderr);
    assert.match(plain.stdout, /^phase 1 race: 1 resource\(s\) changed outside the CLI \(stack rt-01-race\)\n {2}~ pulumi-nodejs:dynamic\/platform-test:FileResource file-0: changed \[content, size\]$/m);
    assert.match(plain.stderr, /^error: 1 resource\(s\) in env rt changed outside the CLI; review them/m);
  });

  it('a file deleted behind the engine: reported deleted; undone by hand: no drift', async () => {
    const file1 = p.checkpoint('rt-01-race').resources.find((r) => r.urn.endsWith('::file-1'))!;
    rmSync(String(file1.outputs!.path));
    const r = await p.run(['drift', '--env', 'rt', '--phase', 'race', '--json']);
    assert.equal(r.code, 6, r.stderr);
    const d = events(r.stdout).filter((e) => e.type === 'drift') as unknown as DriftEvent[];
    assert.deepEqual(
      d[0]!.resources.map((x) => [x.name, x.change]),
      [
        ['file-0', 'changed'],
        ['file-1', 'deleted'],
      ],
    );
    // Undone by hand (the same files, the content the program says): no drift again.
    writeFileSync(String(p.checkpoint('rt-01-race').resources.find((r) => r.urn.endsWith('::file-0'))!.outputs!.path), 'v1');
    writeFileSync(String(file1.outputs!.path), 'v1');
    const clean = await p.run(['drift', '--env', 'rt', '--phase', '1']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /^phase 1 race: no drift/m);
  });
});
