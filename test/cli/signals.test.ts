/**
 * A signal after the run is over ends the CLI with 130, whoever else listens for it. execa (the
 * Automation API's runner) holds signal-exit's SIGINT listener while an engine call is alive; when
 * that listener is the only one, signal-exit re-raises the signal and the process dies by SIGINT,
 * and when it is dropped, nothing listens. A double Ctrl-C in the kill sweep died so (exit "SIGINT"
 * instead of 130, fresh-clone CI 2026-11-30) because the wind-down handler was only installed when
 * no other listener was present. Real processes and real signals; the built CLI's module.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/wind-down.mjs', import.meta.url));

function signalAfterRun(sig: NodeJS.Signals, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (chunk.includes('ready')) child.kill(sig);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? String(code));
    });
  });
}

describe('CLI: a signal while the process winds down', function () {
  this.timeout(60_000);

  it('SIGINT exits 130 while signal-exit is the other listener (it would re-raise the signal)', async () => {
    assert.equal(await signalAfterRun('SIGINT', {}), '130');
  });

  it('SIGINT exits 130 after signal-exit dropped its listener (nothing else listens)', async () => {
    assert.equal(await signalAfterRun('SIGINT', { WIND_DOWN_DROP: '1' }), '130');
  });

  it('SIGTERM exits 130 in both cases', async () => {
    assert.equal(await signalAfterRun('SIGTERM', {}), '130');
    assert.equal(await signalAfterRun('SIGTERM', { WIND_DOWN_DROP: '1' }), '130');
  });
});
