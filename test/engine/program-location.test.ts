/** programLocation: the file:line of a program's exception, from V8 stack frames. */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mapStack, programLocation } from '../../src/engine/simulate/program-location.js';

describe('programLocation', () => {
  const root = '/repo';

  it("skips Node's, dependencies' and the engine's frames, and gives the first program frame relative to the root", () => {
    const stack = [
      "TypeError: Cannot read properties of undefined (reading 'name')",
      '    at node:internal/process/task_queues:105:5',
      '    at Object.apply (/repo/node_modules/@pulumi/pulumi/output.js:250:31)',
      '    at ownerOf (/repo/programs/shared/naming.ts:12:20)',
      '    at program (/repo/programs/01-foundation/index.ts:40:3)',
    ].join('\n');
    assert.equal(programLocation(stack, root), 'programs/shared/naming.ts:12');
  });

  it('reads file:// URLs and anonymous frames; the engine (src or dist) never counts as the program', () => {
    const stack = [
      'Error: x',
      '    at evaluateProgram (/repo/dist/src/engine/simulate/evaluate.js:70:9)',
      '    at file:///elsewhere/fixtures/buggy-phase.mjs:8:23',
    ].join('\n');
    assert.equal(programLocation(stack, root), '/elsewhere/fixtures/buggy-phase.mjs:8', 'outside the root: absolute');
  });

  it('no program frame (or no stack) gives undefined, never a guess', () => {
    assert.equal(programLocation('Error: x\n    at node:internal/main:1:1\n    at /repo/src/engine/simulate/worker.ts:3:1', root), undefined);
    assert.equal(programLocation(undefined, root), undefined);
  });

  it("mapStack leaves frames it cannot map as they are: no source map, a dependency's file, Node's own", () => {
    const noMap = fileURLToPath(new URL('../cli/fixtures/buggy-phase.mjs', import.meta.url));
    const stack = ['Error: x', `    at ownerOf (${noMap}:9:23)`, '    at Object.apply (/repo/node_modules/@pulumi/pulumi/output.js:250:31)', '    at node:internal/process/task_queues:105:5'].join('\n');
    assert.equal(mapStack(stack), stack);
    assert.equal(mapStack(undefined), undefined);
  });
});
