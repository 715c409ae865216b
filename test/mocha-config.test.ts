/**
 * A stray `.only` must fail the run instead of silently shrinking it: every mocha config the suites
 * use (npm test, test:engine, test:cluster, ... and CI through them) sets forbid-only, and mocha
 * really refuses a spec with `it.only` under the default config.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

describe('mocha configuration', function () {
  this.timeout(60_000);

  it('every .mocharc*.json forbids .only, and package.json runs mocha only through them', () => {
    const configs = readdirSync(root).filter((f) => /^\.mocharc.*\.json$/.test(f));
    assert.ok(configs.includes('.mocharc.json'), configs.join(', '));
    for (const f of configs) assert.equal(JSON.parse(readFileSync(join(root, f), 'utf8'))['forbid-only'], true, `${f} sets forbid-only`);
    const scripts: Record<string, string> = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
    for (const [name, cmd] of Object.entries(scripts)) {
      for (const m of cmd.matchAll(/--config (\S+)/g)) assert.ok(configs.includes(m[1]!), `${name} uses ${m[1]}, which is checked here`);
      assert.ok(!/--no-forbid-only/.test(cmd), `${name} turns forbid-only off`);
    }
  });

  it('a spec with it.only fails the run under the default config, parallel (as npm test runs) and serial', () => {
    const dir = mkdtempSync(join(root, 'test', '.tmp-only-'));
    try {
      const spec = join(dir, 'only.test.ts');
      writeFileSync(spec, "it.only('focused', () => {});\nit('other', () => {});\n");
      const mocha = (...args: string[]) =>
        spawnSync(process.execPath, [join(root, 'node_modules/mocha/bin/mocha.js'), ...args, spec], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      // npm test runs files in parallel (.mocharc.json), where mocha refuses `.only` outright.
      const parallel = mocha();
      assert.notEqual(parallel.status, 0, parallel.stdout + parallel.stderr);
      assert.match(parallel.stdout + parallel.stderr, /`\.only` is not supported in parallel mode/);
      // One file run serially (--no-parallel, as when debugging a test) meets forbid-only.
      const serial = mocha('--no-parallel');
      assert.notEqual(serial.status, 0, serial.stdout + serial.stderr);
      assert.match(serial.stdout + serial.stderr, /`\.only` forbidden by --forbid-only/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
