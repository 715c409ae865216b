/**
 * A bug in a phase program (an exception it did not mean to throw) through the CLI, as a user meets
 * it: one line naming the phase, "bug in the phase program" and the program's file:line, exit 1, no
 * stack trace and nothing applied; with --verbose the cause follows with the program's frames.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { REPO, Scratch } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/buggy-phase.mjs', import.meta.url));
const BUG_LINE = readFileSync(FIXTURE, 'utf8').split('\n').findIndex((l) => l.includes('config.owner.name')) + 1;

describe('CLI: a bug in a phase program', function () {
  this.timeout(180_000);
  const s = new Scratch();
  after(() => s.dispose());

  it('is one line naming the phase, the bug and its file:line, exit 1, no stack; nothing is applied', () => {
    const r = s.run(['up', '--phase', '1', '--env', 'local'], { PLATFORM_REGISTRY: FIXTURE });
    assert.equal(r.code, 1, r.stderr);
    const last = r.stderr.trim().split('\n').at(-1)!;
    assert.equal(
      last,
      `error: phase 1: bug in the phase program at ${FIXTURE}:${BUG_LINE} (stack local-01-buggy): Cannot read properties of undefined (reading 'name'); fix the program there; nothing was applied, the stack is as it was (run with --verbose for the stack trace)`,
    );
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace without --verbose');
    assert.doesNotMatch(r.stderr, /engine-failed|engine failed/);
    const outputs = s.run(['outputs', '--phase', '1', '--env', 'local', '--json'], { PLATFORM_REGISTRY: FIXTURE });
    assert.equal(outputs.code, 0, outputs.stderr);
    assert.deepEqual(JSON.parse(outputs.stdout).outputs, {}, 'nothing was applied');
  });

  it('--verbose adds the cause with the stack trace, whose first frame is the line of the bug', () => {
    const r = s.run(['up', '--phase', '1', '--env', 'local', '--verbose'], { PLATFORM_REGISTRY: FIXTURE });
    assert.equal(r.code, 1, r.stderr);
    const cause = r.stderr.slice(r.stderr.indexOf('\ncaused by: '));
    assert.match(cause, /^\ncaused by: TypeError: Cannot read properties of undefined \(reading 'name'\)\n/);
    const frames = cause.split('\n').filter((l) => /^\s+at /.test(l));
    assert.ok(frames[0]?.includes(`${FIXTURE}:${BUG_LINE}:`), `the first frame is the bug's line: ${frames[0]}`);
    assert.match(r.stderr, /^error: phase 1: bug in the phase program at .*; fix the program there; nothing was applied, the stack is as it was$/m);
  });

  it('a compiled program (dist/*.js with a linked source map, as npm run build writes it) is named by its .ts file and line', async () => {
    // The fixture in TypeScript, compiled like the CLI's own programs; under the repository so that
    // its imports (zod) resolve. The bug is on a line whose number differs in the compiled file.
    const dir = join(REPO, '.cache', `program-bug-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      const source = [
        "import { z } from 'zod';",
        '',
        'interface Config {',
        '  owner?: { name: string };',
        '}',
        '',
        'function ownerOf(config: Config): string {',
        '  return config.owner!.name; // the bug',
        '}',
        '',
        'export const phase = {',
        "  id: 1, slug: 'buggy', title: 'Fixture: a compiled program with a bug', module: import.meta.url, dependsOn: [],",
        '  inputs: () => ({}), outputs: z.object({ owner: z.string() }), secretOutputs: [],',
        '  loadProgram: async () => async () => ({ owner: ownerOf({}) }),',
        '};',
        'export const phases = [phase];',
      ].join('\n');
      const tsFile = join(dir, 'buggy-phase.ts');
      writeFileSync(tsFile, source);
      await build({ entryPoints: [tsFile], outdir: join(dir, 'dist'), format: 'esm', platform: 'node', sourcemap: 'linked', logLevel: 'silent' });
      const compiled = readFileSync(join(dir, 'dist', 'buggy-phase.js'), 'utf8');
      const bugLine = source.split('\n').findIndex((l) => l.includes('// the bug')) + 1;
      assert.notEqual(compiled.split('\n').findIndex((l) => l.includes('config.owner.name')) + 1, bugLine, 'the compiled line differs');
      const r = s.run(['up', '--phase', '1', '--env', 'local', '--verbose'], { PLATFORM_REGISTRY: join(dir, 'dist', 'buggy-phase.js') });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^error: phase 1: bug in the phase program at ${tsFile.replace(/[.]/g, '\\.')}:${bugLine} `, 'm'));
      const frames = r.stderr.slice(r.stderr.indexOf('\ncaused by: ')).split('\n').filter((l) => /^\s+at /.test(l));
      assert.ok(frames[0]?.includes(`${tsFile}:${bugLine}:`), `--verbose: the first frame is the .ts line: ${frames[0]}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a typed error the program throws on purpose keeps its code, message and hint (exit 2), not a bug', () => {
    const r = s.run(['up', '--phase', '2', '--env', 'local'], { PLATFORM_REGISTRY: FIXTURE });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').at(-1), "error: bucket name 'Bad_Name' is not a valid S3 bucket name; use lowercase letters, digits and hyphens");
    assert.doesNotMatch(r.stderr, /bug in the phase program/);
  });
});
