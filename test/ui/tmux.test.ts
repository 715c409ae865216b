/**
 * The real-terminal test: the main job (`platform up --all --env local`, the built CLI) runs inside
 * tmux on an 80x40 pane, and the test reads the screen the way a person would, at several points:
 * while phases run (header, live rows, key help), and at the end (finished rows, summary, verdict,
 * exit code), with NO_COLOR honoured and no line wider than the terminal.
 *
 * It needs tmux (Debian: `apt-get install -y tmux`) and the built CLI (`npm run build`; `npm test`
 * builds first). The run happens in a temporary root (a copy of Pulumi.yaml plus the repo's stacks/),
 * so its `.platform/` state starts empty and stays out of the repository. It polls the pane with real
 * time (a terminal has no fake clock), bounded by a deadline.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const nodeBin = join(repo, 'node_modules', '.bin');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const built = existsSync(join(repo, 'dist', 'src', 'cli', 'main.js'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SGR_COLOR = /\u001b\[[0-9;]*(3[0-79]|9[0-7]|38;[0-9;]+)m/;

describe('ink UI in a real terminal (tmux)', function () {
  this.timeout(180_000);
  const socket = `platform-ui-test-${process.pid}`;
  let root = '';
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

  before(function () {
    if (!hasTmux) this.skip(); // reported as pending: tmux is not installed (apt-get install -y tmux)
    assert.ok(built, 'the CLI is not built: run npm run build');
    root = mkdtempSync(join(tmpdir(), 'platform-tmux-'));
    copyFileSync(join(repo, 'Pulumi.yaml'), join(root, 'Pulumi.yaml'));
    symlinkSync(join(repo, 'stacks'), join(root, 'stacks'));
  });

  after(() => {
    if (hasTmux) spawnSync('tmux', ['-L', socket, 'kill-server']);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const start = (session: string, args = 'up --all --env local', width = 80) => {
    const cmd = [
      `cd '${root}'`,
      `export PATH='${nodeBin}':"$PATH" NO_COLOR=1 TERM=xterm-256color`,
      'unset CI',
      `node '${join(repo, 'bin', 'platform.js')}' ${args}`,
      'echo PLATFORM_EXIT=$?',
      'sleep 600',
    ].join('; ');
    tmux('new-session', '-d', '-s', session, '-x', String(width), '-y', '40', cmd);
  };

  /** Captures the pane (with its scrollback; -J joins lines tmux wrapped) until `until` holds. */
  const watch = async (session: string, until: (screen: string) => boolean, captures: string[] = []) => {
    const deadline = Date.now() + 150_000;
    let screen = '';
    while (Date.now() < deadline) {
      screen = tmux('capture-pane', '-p', '-J', '-t', session, '-S', '-');
      if (captures.at(-1) !== screen) captures.push(screen);
      if (until(screen)) return screen;
      await sleep(50);
    }
    assert.fail(`timed out waiting on the pane; last screen:\n${screen}`);
  };
  const LIVE = /^\s*\S\s+(\d\d [a-z-]+|phase \d+)\s+(checking deps|running|verifying gates)/m;

  it('shows live rows while phases run, then the finished rows, the summary and the verdict', async () => {
    start('ui');
    const captures: string[] = [];
    const screen = await watch('ui', (s) => /PLATFORM_EXIT=\d+/.test(s), captures);
    const live = captures.filter((c) => !c.includes('PLATFORM_EXIT='));

    // while running: the header, a live phase row with its status, and the key help
    const running = live.filter((c) => LIVE.test(c));
    assert.ok(running.length > 0, `no capture showed a running phase; captures:\n${live.join('\n---\n')}`);
    assert.match(running[0]!, /^platform up · env local · simulate · 11 phases/m);
    assert.match(running[0]!, /q cancel · v more details/);
    // at some point a phase had finished (printed once, above) while a later one was still live
    assert.ok(
      live.some((c) => /^✔ (00 organization|phase 0)\s+succeeded/m.test(c) && /(running|checking deps|verifying gates)/.test(c)),
      'no capture showed phase 0 done while another phase was still live',
    );

    // the end: every phase with a result, the summary, the verdict, the exit code
    assert.match(screen, /PLATFORM_EXIT=0/);
    const summary = screen.slice(screen.indexOf('Summary'));
    assert.ok(screen.includes('Summary'), `no summary on screen:\n${screen}`);
    for (let id = 0; id <= 10; id++) {
      const label = `(${String(id).padStart(2, '0')} [a-z-]+|phase ${id})`;
      assert.match(summary, new RegExp(`^(✔|↷) ${label}\\s+(succeeded|skipped)`, 'm'), `phase ${id} has no result line`);
    }
    assert.match(summary, /^✔ (00 organization|phase 0)\s+succeeded\s+\S+\s+\+\d+/m, 'phase 0 shows its duration and creates');
    assert.match(summary, /\(simulated values\)/);
    assert.match(summary, /^Done in \S+: \d+ succeeded(, \d+ skipped)? \(exit 0\)$/m);
    assert.doesNotMatch(screen, /q cancel/, 'the key help is gone once the run is over');
    // -J joined the lines tmux wrapped, so a row wider than the pane shows up here as a long line
    for (const line of screen.split('\n')) assert.ok([...line].length <= 80, `wider than 80 columns: ${line}`);

    // NO_COLOR: the pane, read with its attributes, has no colour
    const withAttributes = tmux('capture-pane', '-p', '-e', '-t', 'ui', '-S', '-');
    assert.doesNotMatch(withAttributes, SGR_COLOR);
  });

  it('q cancels the run gracefully: phases end cancelled, the verdict says so, exit 130', async () => {
    rmSync(join(root, '.platform'), { recursive: true, force: true }); // a fresh run, not skipped-unchanged
    start('cancel');
    await watch('cancel', (s) => LIVE.test(s) || /PLATFORM_EXIT=/.test(s));
    tmux('send-keys', '-t', 'cancel', 'q');
    const screen = await watch('cancel', (s) => /PLATFORM_EXIT=\d+/.test(s));
    assert.match(screen, /PLATFORM_EXIT=130/);
    const summary = screen.slice(screen.indexOf('Summary'));
    assert.match(summary, /^■ (\d\d [a-z-]+|phase \d+)\s+cancelled/m);
    assert.match(summary, /^Cancelled in \S+: .*\d+ cancelled.* \(exit 130\)$/m);
    assert.match(summary, /^Next: platform up /m);
  });

  it('at 60 columns: the static-check warnings and each gate line are on screen, nothing wider than 60, the summary once', async () => {
    start('narrow', 'up --phase 0..2 --env local --force', 60);
    const screen = await watch('narrow', (s) => /PLATFORM_EXIT=\d+/.test(s));
    assert.match(screen, /PLATFORM_EXIT=0/);
    const flat = screen.replace(/\s+/g, ' ');
    assert.match(flat, /warning: HIGH phase 2 eks:index:Cluster "cluster" endpointPublicAccess/);
    assert.match(flat, /↷ gates: \d+ skipped: simulate engine: no live resources to look at — simulated/);
    assert.equal(screen.split(/^Summary$/m).length - 1, 1, 'one summary');
    assert.equal(screen.split(/^Done in /m).length - 1, 1, 'one verdict');
    // -J joins lines tmux wrapped: a line longer than 60 here would have been drawn past the edge
    for (const line of screen.split('\n')) assert.ok([...line].length <= 60, `wider than 60 columns: ${line}`);
  });
});
