/**
 * Streams as users meet them (the built CLI, real processes, a real pty from `script`):
 * - stdout is the results channel in every mode: with the ink UI on a terminal, a pipe on stdout
 *   gets the summary (`platform up ... | tee log`), and the terminal (stderr) does not draw it;
 * - the ink UI is never drawn where it cannot be: `--output fancy` with stderr not a terminal, and
 *   `TERM=dumb` on a terminal, give plain lines (no cursor movement), the former with a warning line.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, Scratch } from './helpers.js';

const CLI = join(REPO, 'bin/platform.js');
const hasScript = spawnSync('script', ['--version']).status === 0;
/** Cursor movement, erase and cursor show/hide: what a frame-drawing UI writes and a line UI never does. */
const CURSOR = /\u001b\[(\d*[ABCDGHJK]|\?25[lh]|\d*;\d*H)/;
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('CLI streams: results on stdout, ink only where it can be drawn', function () {
  this.timeout(240_000);
  let s: Scratch;
  beforeEach(() => {
    s = new Scratch();
  });
  afterEach(() => s.dispose());

  /** Runs `shell` (a command line) on a pty; returns what the terminal received. */
  const onPty = (shell: string, env: NodeJS.ProcessEnv) => {
    const base = { ...process.env };
    delete base.CI;
    delete base.NO_COLOR;
    const r = spawnSync('script', ['-qec', shell, '/dev/null'], { cwd: s.dir, encoding: 'utf8', env: { ...base, ...env }, timeout: 180_000 });
    return { code: r.status ?? -1, screen: r.stdout };
  };

  it('ink on a terminal: a pipe on stdout gets the summary, the terminal draws progress only', function () {
    if (!hasScript) this.skip(); // reported as pending: util-linux `script` is not installed
    const out = s.path('results.txt');
    const { screen } = onPty(`${q(process.execPath)} ${q(CLI)} up -p 0 -e local | cat > ${q(out)}`, { TERM: 'xterm-256color', COLUMNS: '100' });
    assert.match(screen, CURSOR, `baseline: the ink UI drew frames on the terminal:\n${screen}`);
    assert.match(screen, /00 organization/);
    assert.ok(existsSync(out));
    const results = readFileSync(out, 'utf8');
    assert.match(results, /^Summary$/m, results);
    assert.match(results, /00 organization\s+succeeded/);
    assert.match(results, /Done in .*: 1 succeeded \(exit 0\)/);
    assert.ok(!results.includes('\u001b'), 'no escape sequence in the pipe');
    assert.doesNotMatch(screen, /Summary|Done in /, 'the results are not drawn on the terminal');
  });

  it('TERM=dumb on a terminal: plain lines, no cursor movement', function () {
    if (!hasScript) this.skip();
    const { code, screen } = onPty(`${q(process.execPath)} ${q(CLI)} up -p 0 -e local`, { TERM: 'dumb' });
    assert.equal(code, 0, screen);
    assert.doesNotMatch(screen, CURSOR, screen);
    assert.match(screen, /phase 0 organization: succeeded/, 'the plain host wrote its lines');
    assert.match(screen, /^done in /m);
  });

  it('--output fancy with stderr not a terminal: plain lines, one warning naming why, results on stdout', () => {
    const r = s.run(['up', '-p', '0', '-e', 'local', '--output', 'fancy'], { CI: '' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: --output fancy needs a terminal that can move the cursor \(stderr is not a terminal\); showing plain lines$/m);
    assert.doesNotMatch(r.stderr, CURSOR);
    assert.match(r.stderr, /phase 0 organization: succeeded/);
    assert.match(r.stdout, /phase 0 organization: succeeded\n/);
    assert.match(r.stdout, /^done in /m);
  });
});
