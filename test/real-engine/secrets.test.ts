/**
 * A canary secret through the real engine never appears in what the process writes to stdout or
 * stderr, in the events (the journal and --json are made from them), in error texts, in the
 * state/backups on disk, or in any process's argv sampled from /proc while the engine runs.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { maskOutputs } from '../../src/core/secrets.js';
import { makeHarness, rejection, type Harness } from './harness.js';
import { testPhase } from './fixtures/test-phases.js';

const CANARY = `canary-${Math.random().toString(36).slice(2)}-do-not-leak`;

/** Every readable /proc/<pid>/cmdline, NUL-separated args joined by spaces. */
function sampleArgv(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      out.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // the process ended between listing and reading
    }
  }
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

describe('real engine: a canary secret never leaks', function () {
  this.timeout(180_000);
  let h: Harness;
  after(() => { if (!process.env.KEEP_TMP) h?.cleanup(); });

  it('stays out of stdout, stderr, events, errors, files on disk and argv', async () => {
    h = makeHarness();
    const phase = testPhase(1, 'canary');
    const written: string[] = [];
    const origOut = process.stdout.write.bind(process.stdout);
    const origErr = process.stderr.write.bind(process.stderr);
    const capture = (orig: typeof origOut) =>
      ((chunk: unknown, ...rest: unknown[]) => {
        written.push(String(chunk));
        return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof origOut;
    process.stdout.write = capture(origOut);
    process.stderr.write = capture(origErr);
    const argv: string[] = [];
    const sampler = setInterval(() => argv.push(...sampleArgv()), 25);
    const errors: string[] = [];
    try {
      const inputs = { dir: join(h.dir, 'f'), content: 'v1', files: 2, delayMs: 1500, canary: CANARY };
      const up = await h.engine.up(h.request(phase, inputs));
      assert.equal(up.outputs!.token!.value, CANARY, 'the secret is usable by the program and the caller');
      assert.equal(up.outputs!.token!.secret, true);
      assert.equal(maskOutputs(up.outputs!).token, '[secret]');
      await h.engine.outputs(h.ref(phase), h.env);
      // A failing update with the canary in its inputs: the error text must not carry it.
      const e = await rejection(h.engine.up(h.request(phase, { ...inputs, fail: true, delayMs: 0 })));
      errors.push(String(e), JSON.stringify(e), String((e as Error).cause ?? ''));
      await h.engine.destroy(h.request(phase, {}));
    } finally {
      clearInterval(sampler);
      process.stdout.write = origOut;
      process.stderr.write = origErr;
    }
    assert.ok(argv.length > 100, `argv was sampled (${argv.length} samples)`);
    assert.ok(argv.some((a) => a.includes('pulumi') && a.includes(' up ')), 'the sampler saw the engine running');
    const haystacks: Record<string, string> = {
      'stdout/stderr': written.join(''),
      events: JSON.stringify(h.events),
      errors: errors.join('\n'),
      argv: argv.join('\n'),
      'state, backups and workspaces': [...filesUnder(h.backendDir), ...filesUnder(h.cacheDir)]
        .filter((f) => !f.includes(`${'/'}plugins${'/'}`))
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n'),
    };
    for (const [where, text] of Object.entries(haystacks)) {
      assert.ok(!text.includes(CANARY), `the canary leaked into ${where}`);
    }
    assert.ok(!haystacks.argv.includes(h.passphrase), 'the passphrase is never on a command line');
  });
});
