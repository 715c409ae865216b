/**
 * Where things live. `.platform/` (git-ignored) holds the default file backend, the run journals, the
 * simulate engine's state and the locks. Phase records of real runs live beside the Pulumi state of
 * the env's backend (file folder or S3 bucket), so everyone sharing a backend sees one truth.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { PlatformError } from '../core/errors.js';
import type { EnvConfig } from '../core/env.js';

/** Where phase records live: beside the state they describe. */
export type RecordsLocation = { kind: 'file'; dir: string } | { kind: 's3'; url: string };

export interface StatePaths {
  root: string;
  platformDir: string;
  runsDir: string;
  locksDir: string;
  simulateDir: string;
  records: RecordsLocation;
}

/** The absolute folder of a file:// backend (relative paths are relative to the repo). */
export function fileBackendDir(repoRoot: string, url: string): string {
  const p = url.slice('file://'.length);
  return isAbsolute(p) ? p : resolve(repoRoot, p);
}

/**
 * Simulated runs keep their records with the simulated state, inside `.platform/simulate/<env>/`,
 * whatever the env's backend: a simulation of prod never writes to prod's backend. Real runs keep
 * them beside the Pulumi state in the env's backend (file:// folder or s3:// bucket).
 */
export function statePaths(repoRoot: string, env: EnvConfig, engine: 'simulate' | 'pulumi'): StatePaths {
  const platformDir = join(repoRoot, '.platform');
  const simulateDir = join(platformDir, 'simulate', env.name);
  const url = env.backend.url;
  let records: RecordsLocation;
  if (engine === 'simulate') records = { kind: 'file', dir: join(simulateDir, 'records') };
  else if (url.startsWith('file://')) records = { kind: 'file', dir: join(fileBackendDir(repoRoot, url), '.platform-records', env.name) };
  else if (url.startsWith('s3://')) records = { kind: 's3', url };
  else throw new PlatformError('config-invalid', `env ${env.name}: unsupported backend ${url}`, { value: url, hint: 'use file://<path> or s3://<bucket>[/prefix]' });
  return { root: repoRoot, platformDir, runsDir: join(platformDir, 'runs'), locksDir: join(platformDir, 'locks'), simulateDir, records };
}
