// `npm run bench` must fail when a target is missed (issue 13, item 4), and the ink host it measures
// must be the one the CLI loads: React's production build.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');
const run = (args: string[]) =>
  spawnSync(process.execPath, [join(repo, 'bench', 'run.mjs'), ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 });

describe('npm run bench: a missed target fails the run', function () {
  this.timeout(180_000);

  it('a forced miss (--target help=0.01) exits 1 and names the benchmark', () => {
    const r = run(['--only', 'help', '--target', 'help=0.01']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^MISS help: .*target <= 0\.01x/m);
    assert.match(r.stdout, /1 target\(s\) missed: help/);
  });

  it('the same benchmark with a bar it meets exits 0', () => {
    const r = run(['--only', 'help', '--target', 'help=1000']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ok {3}help: /m);
    assert.match(r.stdout, /all targets met/);
  });

  it('bad arguments: one line naming the value and the choices, exit 2, nothing measured', () => {
    for (const [args, text] of [
      [['--only', 'speed'], /^bench: --only speed: no such benchmark; one of help, eks-token, noop, dag, engine-noop, ui, checks, cdc$/],
      [['--target', 'help=fast'], /^bench: --target help=fast: expected name=number/],
      [['--fast'], /^bench: --fast: unknown argument/],
    ] as const) {
      const r = run([...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr.trim(), text);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.equal(r.stdout, '');
    }
  });
});

describe('bench/ui.mjs judges the ink host with its frames drawn', function () {
  this.timeout(120_000);

  it('draws the frames a 15 fps terminal gets and fails a bar it cannot meet', async () => {
    const { runUiBench } = await import(join(repo, 'bench', 'ui.mjs'));
    const miss = await runUiBench({ resourceEvents: 400, rounds: 1, maxCoreShare: 0 });
    // 400 resource events 10 ms apart: a 2 s run, so 30 frames at 15 fps.
    assert.equal(miss.drawn.frames, 30);
    assert.ok(miss.drawn.ms > 0);
    assert.equal(miss.ok, false);
    const met = await runUiBench({ resourceEvents: 400, rounds: 1, maxCoreShare: 1e9 });
    assert.equal(met.ok, true);
  });
});

describe('the CLI loads the ink host with React production build', function () {
  this.timeout(60_000);

  const probe = (env: NodeJS.ProcessEnv) => {
    const code = `
      import { createRequire } from 'node:module';
      const { loadInkHost } = await import(${JSON.stringify(join(repo, 'dist', 'src', 'ui', 'ink', 'load.js'))});
      const create = await loadInkHost();
      // Node lexes both branches of React's entry for its export names (cache entries not run): count only modules that ran.
      const cache = createRequire(import.meta.url).cache;
      const loaded = Object.keys(cache).filter((k) => cache[k].loaded).filter((k) => /[\\\\/]react(-reconciler)?[\\\\/]cjs[\\\\/]/.test(k)).map((k) => k.split(/[\\\\/]/).slice(-1)[0]).sort();
      console.log(JSON.stringify({ fn: typeof create, loaded, nodeEnv: process.env.NODE_ENV ?? null }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: repo, encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { fn: string; loaded: string[]; nodeEnv: string | null };
  };

  it('production React and reconciler, and NODE_ENV left unset for what the CLI starts', () => {
    const env = { ...process.env };
    delete env.NODE_ENV;
    const r = probe(env);
    assert.equal(r.fn, 'function');
    assert.ok(r.loaded.length > 0, 'no React module was loaded');
    assert.deepEqual(r.loaded.filter((f) => f.includes('development')), [], `development builds loaded: ${r.loaded.join(', ')}`);
    assert.ok(r.loaded.includes('react-reconciler.production.js'), r.loaded.join(', '));
    assert.equal(r.nodeEnv, null);
  });

  it("a user's own NODE_ENV=development is respected", () => {
    const r = probe({ ...process.env, NODE_ENV: 'development' });
    assert.ok(r.loaded.includes('react-reconciler.development.js'), r.loaded.join(', '));
    assert.equal(r.nodeEnv, 'development');
  });
});
