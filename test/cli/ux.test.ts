/**
 * What a newcomer meets first (review newcomer-ux.md, section 5): the CLI basics, preview with values,
 * the confirmation of `up` on the real engine, verdicts and exit codes that agree, locks that never
 * strand a user, and one clear line for every bad input to the new commands and options.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { REPO, Scratch } from './helpers.js';

const CLI = join(REPO, 'bin/platform.js');

function oneErrorLine(stderr: string, re: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  assert.match(lines[0]!, re);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

describe('CLI: the basics', function () {
  this.timeout(120_000);
  const s = new Scratch();
  after(() => s.dispose());

  it('--version, -V and `version` print the package version (exit 0)', () => {
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    for (const a of [['--version'], ['-V'], ['version']]) {
      const r = s.run(a);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `platform ${version}\n`);
    }
  });
  it('no arguments prints the help with examples (not silence)', () => {
    const r = s.run([]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: platform/);
    assert.match(r.stdout, /Examples:\n {2}\$ platform up --all --env local/);
    assert.match(r.stdout, /npx platform/);
  });
  /** The commands `platform --help` lists (so a new command is covered without editing this test). */
  const commands = () => {
    const help = s.run(['--help']).stdout;
    const section = help.slice(help.indexOf('Commands:'));
    const names = [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    assert.ok(names.includes('up') && names.includes('drift'), names.join(' '));
    return names;
  };
  it('every command has examples in its help', () => {
    for (const c of commands()) {
      const r = s.run([c, '--help']);
      assert.equal(r.code, 0, c);
      assert.match(r.stdout, /\nExamples:\n {2}\$ platform /, `${c} --help has examples`);
    }
  });
  it("bash completion knows every command and each command's own options", () => {
    const script = s.run(['completion', 'bash']).stdout;
    for (const c of commands()) {
      const line = new RegExp(`^ {4}${c}\\) opts="([^"]*)"`, 'm').exec(script);
      assert.ok(line, `completion has no case for '${c}'`);
      const offered = new Set(line[1]!.split(' '));
      const help = s.run([c, '--help']).stdout;
      const options = help.slice(help.indexOf('Options:'), help.indexOf('Examples:'));
      const flags = [...options.matchAll(/^ {2}((?:-[a-zA-Z], )?--[a-z][a-z-]*)/gm)].flatMap((m) => m[1]!.split(', ')).filter((f) => f !== '--help' && f !== '-h');
      const missing = flags.filter((f) => !offered.has(f));
      assert.deepEqual(missing, [], `completion of '${c}' lacks ${missing.join(' ')}`);
    }
  });
  it('commander errors read as one clean line: no line break before "did you mean", no ".;"', () => {
    const r = s.run(['upp', '--all', '--env', 'local']);
    assert.equal(r.code, 2);
    oneErrorLine(r.stderr, /^error: unknown command 'upp'; did you mean up\?; run platform --help for usage$/);
    const o = s.run(['up', '--all', '--env', 'local', '--output', 'yaml']);
    oneErrorLine(o.stderr, /Allowed choices are fancy, plain, json; run platform --help/);
  });
  it('short flags -e, -p, -y work', () => {
    const r = s.run(['preview', '-p', '0', '-e', 'local']);
    assert.equal(r.code, 0, r.stderr);
    const d = s.run(['destroy', '-p', '0', '-e', 'local', '-y']);
    assert.equal(d.code, 0, d.stderr);
  });
  it('completion bash|zsh|fish prints a script; bash accepts it and completes commands', () => {
    for (const sh of ['bash', 'zsh', 'fish']) {
      const r = s.run(['completion', sh]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /platform/);
    }
    const script = s.run(['completion', 'bash']).stdout;
    const b = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(platform up --e); COMP_CWORD=2; _platform; echo "\${COMPREPLY[@]}"; COMP_WORDS=(platform des); COMP_CWORD=1; _platform; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    assert.deepEqual(b.stdout.trim().split('\n'), ['--env --engine --expect-no-changes'.replace(' --expect-no-changes', ''), 'destroy']);
  });
  it('completion with an unknown shell: exit 2, one line naming it and the shells', () => {
    const r = s.run(['completion', 'powershell']);
    assert.equal(r.code, 2);
    oneErrorLine(r.stderr, /^error: unknown shell 'powershell'; use one of bash, zsh, fish/);
    assert.deepEqual(s.stateListing().filter((l) => !l.startsWith('/runs/') && !l.startsWith('/simulate/')), []);
  });
});

describe('CLI: preview with values, drift checks, outputs', function () {
  this.timeout(180_000);
  const s = new Scratch();
  before(() => {
    const r = s.run(['up', '--phase', '0..1', '--env', 'local']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => s.dispose());

  it('preview --diff shows old -> new values; --expect-no-changes exits 6 on a change, 0 without', () => {
    const clean = s.run(['preview', '--phase', '1', '--env', 'local', '--expect-no-changes']);
    assert.equal(clean.code, 0, clean.stderr);
    const file = s.path('stacks/local.yaml');
    const before = readFileSync(file, 'utf8');
    writeFileSync(file, before.replace(/flowLogRetentionDays: \d+/, 'flowLogRetentionDays: 90'));
    try {
      const d = s.run(['preview', '--phase', '1', '--env', 'local', '--diff']);
      assert.equal(d.code, 0, d.stderr);
      assert.match(d.stderr, /~ aws:cloudwatch\/logGroup:LogGroup network-flow-logs \[retentionInDays\]\n {6}retentionInDays: \d+ -> 90\n/);
      const plainPreview = s.run(['preview', '--phase', '1', '--env', 'local']);
      assert.doesNotMatch(plainPreview.stderr, /-> 90/, 'values only with --diff');
      const drift = s.run(['preview', '--phase', '1', '--env', 'local', '--expect-no-changes']);
      assert.equal(drift.code, 6, drift.stderr);
      assert.match(drift.stderr.trim().split('\n').at(-1)!, /^error: the preview found changes in env local, and --expect-no-changes was given; /);
    } finally {
      writeFileSync(file, before);
    }
  });

  it('--quiet: a first deploy in plain output shows the phase summary and no line per resource (newcomer review §5 item 9)', () => {
    const q = new Scratch();
    try {
      const loud = q.run(['up', '--phase', '0', '--env', 'local', '-y', '--output', 'plain']);
      assert.equal(loud.code, 0, loud.stderr);
      assert.match(loud.stderr, /^ {2}\+ aws:\S+ \S+/m, 'without --quiet every created resource has a line');
      q.run(['destroy', '--phase', '0', '--env', 'local', '-y']);
      const quiet = q.run(['up', '--phase', '0', '--env', 'local', '-y', '--output', 'plain', '--quiet']);
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.doesNotMatch(quiet.stderr, /^ {2}[+~-] (?!gate )/m, 'no resource line (gate lines stay)');
      assert.match(quiet.stderr, /^phase 0 organization: \+\d+ ~0 -0/m, 'the phase summary stays');
    } finally {
      q.dispose();
    }
  });
  it('outputs --phase N NAME prints the whole bare value; an unknown name: exit 2 with the closest', () => {
    const v = s.run(['outputs', '--phase', '1', '--env', 'local', 'vpcId']);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^vpc-[0-9a-f]+\n$/);
    const all = s.run(['outputs', '--phase', '1', '--env', 'local']);
    assert.doesNotMatch(all.stdout, /…/, 'stdout values are never cut');
    const bad = s.run(['outputs', '--phase', '1', '--env', 'local', 'vpcid']);
    assert.equal(bad.code, 2);
    oneErrorLine(bad.stderr, /^error: phase 1 \(foundation\) has no output 'vpcid'; did you mean 'vpcId'\? outputs: /);
  });

  it('outputs of a phase without a program says so (never "deploy it first: platform up" that would fail)', () => {
    const r = s.run(['outputs', '--phase', '9', '--env', 'local'], { PLATFORM_REGISTRY: new URL('./fixtures/programless-registry.mjs', import.meta.url).pathname });
    assert.equal(r.code, 2);
    oneErrorLine(r.stderr, /^error: phase 9 \(automation\) has no program yet, so it has no outputs; phases with programs: 0, 1, 2/);
  });

  it('up --outputs-file writes every deployed phase\'s masked outputs atomically; a bad path: exit 2 before any change', () => {
    const r = s.run(['up', '--phase', '0..1', '--env', 'local', '--outputs-file', 'out.json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(readFileSync(s.path('out.json'), 'utf8')) as { env: string; phases: Record<string, { simulated: boolean; outputs: Record<string, unknown> }> };
    assert.equal(doc.env, 'local');
    assert.deepEqual(Object.keys(doc.phases), ['0', '1']);
    assert.match(String(doc.phases['1']!.outputs.vpcId), /^vpc-/);
    assert.equal(doc.phases['1']!.simulated, true);
    assert.deepEqual(readdirSync(s.dir).filter((f) => f.endsWith('.tmp')), []);
    const listing = s.stateListing();
    for (const [bad, why] of [['no/such/dir/out.json', /folder .*no\/such\/dir does not exist/], ['stacks', /it is a folder/]] as const) {
      const b = s.run(['up', '--phase', '0..1', '--env', 'local', '--outputs-file', bad]);
      assert.equal(b.code, 2);
      oneErrorLine(b.stderr, new RegExp(`^error: invalid --outputs-file '${bad}': ${why.source}; name a file in an existing folder`));
      assert.deepEqual(s.stateListing(), listing, 'nothing changed');
    }
  });

  it('destroy over never-deployed phases says "not deployed" on stdout, never "unchanged"', () => {
    const r = s.run(['destroy', '--all', '--env', 'local', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /phase 2 cluster: skipped \(not deployed\)/);
    assert.match(r.stdout, /phase 10 hardening: skipped \(not deployed\)/);
    assert.doesNotMatch(r.stdout, /unchanged/);
  });
});

describe('CLI: up on the real engine asks first', function () {
  this.timeout(120_000);
  const s = new Scratch();
  after(() => s.dispose());

  it('off a terminal without --yes: exit 2 before any change, naming --yes; the error is the last line', () => {
    const r = s.run(['up', '--phase', '0..1', '--env', 'dev'], { CI: 'true' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr.trim().split('\n').at(-1)!, /^error: up needs confirmation: phases 0 \(organization\), 1 \(foundation\) of env dev \(pulumi engine\); pass --yes \(-y\) to confirm when not on a terminal/);
    assert.ok(!existsSync(s.path('.platform/locks')), 'no lock taken');
    assert.ok(!existsSync(s.path('.platform/simulate')) && !existsSync(s.path('.platform/pulumi')), 'no state');
  });
  it('--engine simulate on dev does not ask (nothing real changes)', () => {
    const r = s.run(['up', '--phase', '0', '--env', 'dev', '--engine', 'simulate']);
    assert.equal(r.code, 0, r.stderr);
  });
});

describe('CLI: locks', function () {
  this.timeout(180_000);
  const s = new Scratch();
  after(() => s.dispose());
  const lockFile = (stack: string) => s.path('.platform/locks', `${stack}.lock`);
  const plant = (stack: string, holder: object) => {
    mkdirSync(s.path('.platform/locks'), { recursive: true });
    writeFileSync(lockFile(stack), JSON.stringify(holder) + '\n');
  };

  it('`up --all | head -1` with --json: no lock left, no stack trace, exit 130 (stopped gracefully)', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" up --all --env local --force --json 2>err.txt | head -1 >/dev/null; echo "rc=\${PIPESTATUS[0]}"`], {
      cwd: s.dir,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
    });
    const err = readFileSync(s.path('err.txt'), 'utf8');
    assert.doesNotMatch(err, /EPIPE|\n\s+at |Unhandled/, err);
    assert.match(r.stdout, /rc=130/);
    assert.ok(!existsSync(s.path('.platform/locks')), 'no lock file left');
  });

  it('unlock: no lock -> exit 0 saying so; bad phase -> exit 2', () => {
    const r = s.run(['unlock', '--phase', '1', '--env', 'local']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /stack local-01-foundation is not locked; nothing to do/);
    const bad = s.run(['unlock', '--phase', '1..2', '--env', 'local']);
    assert.equal(bad.code, 2);
    oneErrorLine(bad.stderr, /^error: unlock takes one phase, got '1\.\.2'; use --phase N/);
  });

  it('unlock of a holder on another host: shows holder and age; off a terminal needs --yes (exit 2, lock kept); --yes removes it', () => {
    const at = new Date(Date.now() - 3 * 3600_000).toISOString();
    plant('local-01-foundation', { pid: 4242, host: 'ci-runner-7', runId: 'r-1', purpose: 'up', at });
    const refused = s.run(['unlock', '--phase', '1', '--env', 'local']);
    assert.equal(refused.code, 2);
    oneErrorLine(refused.stderr, /^error: unlock needs confirmation: stack local-01-foundation is locked by pid 4242 on ci-runner-7 \(run r-1, up, locked 3h00m ago, at .*\); make sure that run is over, then pass --yes/);
    assert.ok(existsSync(lockFile('local-01-foundation')), 'the lock stays');
    const up = s.run(['up', '--phase', '0..1', '--env', 'local']);
    assert.equal(up.code, 4, 'a run still meets that lock');
    const ok = s.run(['unlock', '--phase', '1', '--env', 'local', '--yes']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /removed the lock of local-01-foundation \(held by pid 4242 on ci-runner-7/);
    assert.ok(!existsSync(lockFile('local-01-foundation')));
  });

  it('unlock never removes a live holder on this host (exit 4); a dead one on this host is cleared', () => {
    plant('local-01-foundation', { pid: process.pid, host: hostname(), runId: 'r-live', purpose: 'up', at: new Date().toISOString() });
    const live = s.run(['unlock', '--phase', '1', '--env', 'local', '--yes']);
    assert.equal(live.code, 4);
    oneErrorLine(live.stderr, new RegExp(`^error: stack local-01-foundation is locked by a live run: pid ${process.pid} on `));
    assert.ok(existsSync(lockFile('local-01-foundation')));
    const dead = spawnSync(process.execPath, ['-e', '0']);
    plant('local-01-foundation', { pid: dead.pid, host: hostname(), runId: 'r-dead', purpose: 'up', at: new Date().toISOString() });
    const cleared = s.run(['unlock', '--phase', '1', '--env', 'local']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.match(cleared.stdout, /cleared the lock of local-01-foundation left by pid \d+/);
    assert.ok(!existsSync(lockFile('local-01-foundation')));
  });
});

describe('CLI: verdicts and exit codes agree', function () {
  this.timeout(180_000);
  const s = new Scratch();
  after(() => s.dispose());

  it('check with warnings only exits 0 ("warning only"); blocking findings exit 1 with an error: line', () => {
    const warn = s.run(['check', '--phase', '1', '--env', 'local']);
    assert.match(warn.stdout, /; warning only\n$/);
    assert.equal(warn.code, 0, warn.stderr);
    assert.equal(warn.stderr, '');
    const json = s.run(['check', '--phase', '1', '--env', 'local', '--json']);
    const doc = JSON.parse(json.stdout) as { type: string; verdict: string; exitCode: number };
    assert.deepEqual([doc.type, doc.verdict, doc.exitCode, json.code], ['check', 'warn', 0, 0]);
    const file = s.path('stacks/local.yaml');
    const before = readFileSync(file, 'utf8');
    writeFileSync(file, before.replace(/blockOnViolation: false/, 'blockOnViolation: true'));
    try {
      const block = s.run(['check', '--phase', '1', '--env', 'local']);
      assert.equal(block.code, 1);
      assert.match(block.stdout, /blocking: env local blocks on violations\n$/);
      oneErrorLine(block.stderr, /^error: static checks failed in env local: \d+ finding\(s\)/);
    } finally {
      writeFileSync(file, before);
    }
  });

  it('doctor on a simulate env does not fail on the Pulumi CLI or passphrase it does not need (exit 0, summary line)', () => {
    const r = s.run(['doctor', '--env', 'local'], { PLATFORM_PULUMI_ROOT: '', PULUMI_CONFIG_PASSPHRASE: '', PULUMI_CONFIG_PASSPHRASE_FILE: '' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /PASS engine: not needed: env local runs the simulate engine/);
    assert.match(r.stdout, /\ndoctor: \d+ passed, 0 failed\n$/);
  });
});
