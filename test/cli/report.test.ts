import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, Scratch } from './helpers.js';

/** `platform report` through the built CLI, offline on `local`, and its bad input. */
describe('CLI: platform report', function () {
  this.timeout(600_000);
  const s = new Scratch();
  after(() => s.dispose());

  it('report -e local: Markdown and HTML under .platform/reports/, AWS sources said unavailable, checks and cost present', () => {
    // The report plans every phase offline (as `platform check` does): give it more than the helper's 180 s on a loaded machine.
    const p = spawnSync(process.execPath, [join(REPO, 'bin/platform.js'), 'report', '-e', 'local'], { cwd: s.dir, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1' }, timeout: 540_000 });
    const r = { code: p.status ?? -1, stdout: p.stdout, stderr: p.stderr };
    assert.equal(r.code, 0, r.stderr);
    const [md, html, summary] = r.stdout.trim().split('\n');
    assert.match(md!, /\/\.platform\/reports\/local-\d{8}T\d{6}Z\.md$/);
    assert.match(html!, /\/\.platform\/reports\/local-\d{8}T\d{6}Z\.html$/);
    assert.match(summary!, /^report local: gates of 0 phase\(s\), \d+ finding\(s\), Security Hub unavailable, GuardDuty unavailable, backups unavailable, DR backups unavailable, cost [\d.]+ USD\/month$/);
    assert.deepEqual(readdirSync(s.path('.platform/reports')).sort().map((f) => f.replace(/\d{8}T\d{6}Z/, 'T')), ['local-T.html', 'local-T.md'], 'no temporary file left');
    const text = readFileSync(md!, 'utf8');
    assert.match(text, /## Security Hub\n\nUnavailable: env local runs on the simulate engine: there is no AWS account to ask/);
    assert.match(text, /## Static checks\n\n\d+ rules over \d+ planned resources/);
    assert.match(text, /## Cost\n\n[\d,.]+ USD per month for what could be priced \(eu-west-1; price table: /);
    assert.match(text, /No phase has a record in this env/);
    assert.match(readFileSync(html!, 'utf8'), /^<!doctype html>/);
  });

  const cases: [string, string[], RegExp][] = [
    ['unknown env', ['report', '-e', 'locl'], /^error: unknown env 'locl'.*did you mean 'local'\?/],
    ['missing --env', ['report'], /^error: required option '-e, --env <name>' not specified/],
    ['an extra argument', ['report', '-e', 'local', 'now'], /^error: too many arguments for 'report'/],
  ];
  for (const [name, args, message] of cases) {
    it(`${name}: exit 2, one line, no report written`, () => {
      s.refuses(args, message);
    });
  }
});
