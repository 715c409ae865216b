/**
 * Bad input to the team-mode commands and options (issue 19): one line on stderr naming the value
 * and the fix, the documented exit code (docs/exit-codes.md), no stack trace, and no state changed
 * (.platform/ untouched, no file written).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO, Scratch } from './helpers.js';

/** A registry in which phase 9 has no program (every real phase has one). */
const PROGRAMLESS = new URL('./fixtures/programless-registry.mjs', import.meta.url).pathname;

describe('CLI: bad input to team-mode commands', function () {
  this.timeout(120_000);
  const s = new Scratch();
  after(() => s.dispose());

  const cases: [string, string[], number, RegExp, NodeJS.ProcessEnv?][] = [
    ['drift on the simulate env', ['drift', '--env', 'local'], 2, /^error: env local runs on the simulate engine here: nothing real can drift there; run drift against an env deployed with the real engine \(engine: pulumi in stacks\/local\.yaml, no --engine simulate\)$/],
    ['drift --engine simulate', ['drift', '--env', 'prod', '--engine', 'simulate'], 2, /^error: env prod runs on the simulate engine here: nothing real can drift there; /],
    ['drift --phase 11', ['drift', '--env', 'local', '--phase', '11'], 2, /^error: .*'11'.*; /],
    ['drift of a phase without a program', ['drift', '--env', 'local', '--phase', '9'], 2, /^error: phase 9 \(\S+\) has no program yet: there is nothing deployed to drift; name phases that have a program/, { PLATFORM_REGISTRY: PROGRAMLESS }],
    ['drift without --env', ['drift'], 2, /^error: required option '-e, --env <name>' not specified/],
    ['pipeline for the simulate env', ['pipeline', '--env', 'local'], 2, /^error: env local uses the simulate engine: a pipeline deploys real envs only; pick an env whose file says engine: pulumi/],
    ['pipeline --out into a missing folder', ['pipeline', '--env', 'prod', '--out', 'no/such/dir/p.yml'], 2, /^error: invalid --out 'no\/such\/dir\/p\.yml': folder .*no\/such\/dir does not exist; name a file in an existing folder/],
    ['pipeline --out a folder', ['pipeline', '--env', 'prod', '--out', 'stacks'], 2, /^error: invalid --out 'stacks': it is a folder; /],
    ['pipeline without --env', ['pipeline'], 2, /^error: required option '-e, --env <name>' not specified/],
  ];

  for (const [name, args, code, message, env] of cases) {
    it(`${name}: exit ${code}, one line, nothing changed`, () => {
      const r = s.run(args, env);
      assert.equal(r.code, code, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
      assert.match(lines[0]!, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.deepEqual(s.stateListing(), []);
      assert.equal(r.stdout, '');
    });
  }

  it("the committed workflows' drift job calls the drift command as it exists (its options parse and reach the run)", () => {
    for (const env of ['dev', 'stg', 'prod']) {
      const wf = parse(readFileSync(join(REPO, '.github', 'workflows', `platform-${env}.yml`), 'utf8')) as { jobs: Record<string, { steps: Array<{ run?: string }> }> };
      const line = wf.jobs.drift!.steps.map((st) => st.run ?? '').find((r) => r.startsWith('npx platform drift'));
      assert.ok(line, `platform-${env}.yml has a drift step`);
      const args = line.replace(/^npx platform /, '').replace(/\s*>.*$/, '').split(/\s+/);
      // Here on the simulate engine: the run is refused where a real env's would start, past parsing.
      const r = s.run([...args, '--engine', 'simulate']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stdout, new RegExp(`"code":"usage","message":"env ${env} runs on the simulate engine here: nothing real can drift there"`));
    }
  });

  it('pipeline --out writes the workflow; stdout stays empty', () => {
    const r = s.run(['pipeline', '--env', 'stg', '--out', 'wf.yml']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(s.path('wf.yml')));
    assert.equal(r.stdout, '');
  });
});
