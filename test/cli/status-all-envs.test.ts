/**
 * `platform status --all-envs` (issue 19, item 5) through the built CLI on the simulate engine: a
 * matrix of phases by env (every env file in stacks/), each cell the deployed version (program-source
 * hash), fresh/stale, gates, drift when known and promotable in prod; `--json` one line per cell; an
 * env that cannot be read keeps its column with the reason and decides the exit code; bad input is
 * one line, exit 2, nothing changed.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync, rmSync } from 'node:fs';
import { Scratch } from './helpers.js';

interface Cell {
  type: 'cell';
  env: string;
  phase: number;
  deployed?: boolean;
  version?: string;
  freshness?: string;
  gates?: string;
  promotable?: string;
}

describe('CLI: status --all-envs', function () {
  this.timeout(600_000);
  const s = new Scratch();
  after(() => s.dispose());
  const sim = ['--engine', 'simulate'];
  const cells = (stdout: string) =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Cell | { type: 'summary'; exitCode: number });

  it('shows every env side by side: versions, freshness, gates, promotable; --json per cell', () => {
    const empty = s.run(['status', '--all-envs', ...sim]);
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /^phase\s+dev \(simulate\)\s+local \(simulate\)\s+prod \(simulate\)\s+stg \(simulate\)$/m);
    assert.match(empty.stdout, /^ 1 foundation\s+-\s+-\s+-\s+-$/m, 'nothing deployed, and prod has nothing to promote yet');

    for (const args of [['up', '--phase', '0..1', '--env', 'stg'], ['up', '--phase', '1', '--env', 'prod']]) {
      const r = s.run([...args, '--yes', ...sim]);
      assert.equal(r.code, 0, r.stderr);
    }
    const r = s.run(['status', '--all-envs', ...sim]);
    assert.equal(r.code, 0, r.stderr);
    const row = r.stdout.split('\n').find((l) => l.startsWith(' 1 foundation'))!;
    const version = /([0-9a-f]{8}) fresh gates skipped/.exec(row)?.[1];
    assert.ok(version, row);
    // dev, local: not deployed; prod and stg: the same sources, so the same version.
    assert.match(row, new RegExp(`^ 1 foundation\\s+-\\s+-\\s+${version} fresh gates skipped\\s+${version} fresh gates skipped$`));

    const json = s.run(['status', '--all-envs', '--json', ...sim]);
    assert.equal(json.code, 0, json.stderr);
    const all = cells(json.stdout);
    const prod1 = all.find((c) => c.type === 'cell' && c.env === 'prod' && c.phase === 1) as Cell;
    assert.deepEqual([prod1.deployed, prod1.version, prod1.freshness, prod1.gates, prod1.promotable], [true, version, 'fresh', 'skipped', 'already']);
    const prod2 = all.find((c) => c.type === 'cell' && c.env === 'prod' && c.phase === 2) as Cell;
    assert.deepEqual([prod2.deployed, prod2.promotable], [false, 'no'], 'stg never deployed phase 2');
    assert.deepEqual(all.at(-1), { type: 'summary', envs: ['dev', 'local', 'prod', 'stg'].map((env) => ({ env, engine: 'simulate' })), exitCode: 0 });
  });

  it('an env that cannot be read keeps its column with the reason, and its exit code', () => {
    writeFileSync(s.path('stacks', 'broken.yaml'), 'name: broken\nregions: [eu-west-1\n');
    try {
      const r = s.run(['status', '--all-envs', ...sim]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stdout, /^phase\s+broken \(simulate\)\s+dev \(simulate\)/m);
      assert.match(r.stdout, /^ 1 foundation\s+unreadable\s+-/m);
      assert.match(r.stdout, /^env broken could not be read: /m);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^error: .*broken\.yaml/);
    } finally {
      rmSync(s.path('stacks', 'broken.yaml'));
    }
  });

  const bad: [string, string[], RegExp][] = [
    ['--all-envs with --env', ['status', '--all-envs', '--env', 'stg'], /^error: --all-envs and --env stg given together; use --env <name> for one env, or --all-envs for every env in stacks\/$/],
    ['neither --env nor --all-envs', ['status'], /^error: required option '-e, --env <name>' not specified; name the env \(platform status --env stg\), or pass --all-envs for every env$/],
  ];
  for (const [name, args, message] of bad) {
    it(`bad input: ${name}: one line, exit 2, nothing changed`, () => {
      s.refuses(args, message, { quietStdout: true });
    });
  }
});
