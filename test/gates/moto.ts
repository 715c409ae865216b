/**
 * The moto AWS emulator for gate tests: uses MOTO_PORT when .ci/run already started one, otherwise
 * starts one with scripts/start-moto.sh and stops it after the suite. In a parallel mocha worker
 * (npm test) each worker has its own, whatever MOTO_PORT says (see startMoto). If moto cannot be
 * started the suite fails loudly; it is never skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Moto {
  endpoint: string;
  /** Clears every emulated resource. */
  reset(): Promise<void>;
  stop(): void;
}

export const TEST_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'moto-test-secret-not-real' };

/** In a parallel mocha worker: that worker's own moto, started once and stopped when the worker exits. */
let perWorker: Promise<Moto> | undefined;

export async function startMoto(): Promise<Moto> {
  // Parallel mocha (.mocharc.json) runs two spec files at once in two worker processes. A moto shared
  // between them (MOTO_PORT from .ci/run) would be reset by one file in the middle of the other's
  // test, so each worker starts its own and its files use it one after another, as in a serial run.
  if (process.env.MOCHA_WORKER_ID !== undefined) {
    perWorker ??= launchMoto(undefined).then((m) => {
      process.once('exit', () => m.stop());
      return m;
    });
    const m = await perWorker;
    return { ...m, stop() {} };
  }
  return launchMoto(process.env.MOTO_PORT);
}

async function launchMoto(running: string | undefined): Promise<Moto> {
  let port = running;
  let pid: number | undefined;
  let dir: string | undefined;
  if (!port) {
    dir = mkdtempSync(join(tmpdir(), 'moto-'));
    const script = fileURLToPath(new URL('../../scripts/start-moto.sh', import.meta.url));
    try {
      port = execFileSync('bash', [script], { env: { ...process.env, MOTO_PID_FILE: join(dir, 'pid') }, encoding: 'utf8', timeout: 180_000 }).trim();
    } catch (e) {
      throw new Error(`could not start the moto AWS emulator with scripts/start-moto.sh: ${(e as Error).message}`);
    }
    pid = Number(readFileSync(join(dir, 'pid'), 'utf8').trim());
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    async reset() {
      const r = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!r.ok) throw new Error(`moto reset failed: HTTP ${r.status}`);
    },
    stop() {
      if (pid) {
        try {
          process.kill(pid);
        } catch {
          /* already gone */
        }
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SDK client config for moto (region, endpoint, fake credentials). */
export function motoConfig(moto: Moto, region = 'eu-west-1') {
  return { region, endpoint: moto.endpoint, credentials: TEST_CREDENTIALS, forcePathStyle: true };
}
