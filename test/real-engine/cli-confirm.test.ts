/**
 * `up` on the real engine asks before any change (issue 12): off a terminal without --yes it exits 2
 * with the state untouched; on a terminal (a pty from `script`) it shows the plan with old -> new
 * values, asks, and "n" leaves the stack as it was while "y" applies it.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './harness.js';
import { CliProject } from './cli-harness.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

/** Runs `platform <args>` on a pty; answers `answer` once the question is on screen. */
function onTerminal(p: CliProject, args: string[], answer: string): Promise<{ code: number | null; screen: string }> {
  const cli = [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'bin', 'platform.js'), ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', cli, '/dev/null'], { cwd: p.dir, env: p.env(), stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let answered = false;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    screen += d;
    if (!answered && /\[y\/N\] /.test(screen)) {
      answered = true;
      child.stdin.write(`${answer}\r`);
    }
  });
  // A question that never comes must fail the test with the screen, not hang it.
  const stop = setTimeout(() => child.kill('SIGKILL'), 240_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(stop);
      resolve({ code, screen: screen.replace(/\r/g, '') });
    }),
  );
}

describe('the CLI on the real engine: up asks before any change', function () {
  this.timeout(600_000);
  let p: CliProject;
  let store: string;
  before(async () => {
    p = new CliProject();
    store = mkdtempSync(join(tmpdir(), 'rt-confirm-'));
    p.scenario({ 1: { dir: store, content: 'first' } });
    const first = await p.run(['up', '--phase', '1', '--env', 'rt']); // the harness adds --yes
    assert.equal(first.code, 0, first.stderr);
  });
  after(() => {
    p.dispose();
    rmSync(store, { recursive: true, force: true });
  });

  it('off a terminal without --yes: exit 2 before any change (no lock, no preview, state untouched)', async () => {
    p.scenario({ 1: { dir: store, content: 'second' } });
    const before = JSON.stringify(p.checkpoint('rt-01-race'));
    const runs = readdirSync(p.path('.platform', 'runs')).length;
    const r = await p.run(['up', '--phase', '1', '--env', 'rt'], {}, { ask: true });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /error: up needs confirmation: phases 1 \(race\) of env rt \(pulumi engine\); pass --yes \(-y\)/);
    assert.equal(JSON.stringify(p.checkpoint('rt-01-race')), before);
    assert.ok(!existsSync(p.path('.platform', 'locks')));
    const journal = p.journals().at(-1)!;
    assert.equal(readdirSync(p.path('.platform', 'runs')).length, runs + 1);
    assert.ok(!journal.some((e) => e.type === 'resource-op'), 'nothing was even previewed');
    assert.equal(readFileSync(join(store, readdirSync(store)[0]!), 'utf8'), 'first');
  });

  it('on a terminal: shows old -> new values and asks; "n" changes nothing (exit 130), "y" applies', async function () {
    if (!hasScript) this.skip();
    p.scenario({ 1: { dir: store, content: 'second' } });
    const before = JSON.stringify(p.checkpoint('rt-01-race'));
    const no = await onTerminal(p, ['up', '--phase', '1', '--env', 'rt'], 'n');
    assert.match(no.screen, /~ .*file-0 \[content\]\n\s+content: "first" -> "second"\n/, no.screen);
    assert.match(no.screen, /Apply to env rt: 1 to update\? \[y\/N\]/);
    assert.equal(no.code, 130, no.screen);
    assert.equal(JSON.stringify(p.checkpoint('rt-01-race')), before, 'declined: the stack is as it was');
    const yes = await onTerminal(p, ['up', '--phase', '1', '--env', 'rt'], 'y');
    assert.equal(yes.code, 0, yes.screen);
    assert.equal(readFileSync(join(store, readdirSync(store)[0]!), 'utf8'), 'second');
  });
});
