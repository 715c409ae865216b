/**
 * Where things live on disk. `.platform/` (git-ignored) holds the default file backend, the run
 * journals, the simulate engine's state and the locks. Phase records live beside the Pulumi state of
 * the env's backend (for a file backend, inside it), so everyone sharing a backend sees one truth.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { PlatformError } from '../core/errors.js';
import type { EnvConfig } from '../core/env.js';

export interface StatePaths {
  root: string;
  platformDir: string;
  runsDir: string;
  locksDir: string;
  simulateDir: string;
  backendDir: string;
  recordsDir: string;
}

export function backendDir(repoRoot: string, env: EnvConfig): string {
  const url = env.backend.url;
  if (!url.startsWith('file://')) {
    throw new PlatformError('usage', `env ${env.name} uses the backend ${url}; phase records on s3:// backends need the pulumi engine's S3 store, which this build does not have yet`, {
      value: url,
      hint: `use a file:// backend for env ${env.name}, or run with the pulumi engine`,
    });
  }
  const p = url.slice('file://'.length);
  return isAbsolute(p) ? p : resolve(repoRoot, p);
}

export function statePaths(repoRoot: string, env: EnvConfig): StatePaths {
  const platformDir = join(repoRoot, '.platform');
  const b = backendDir(repoRoot, env);
  return {
    root: repoRoot,
    platformDir,
    runsDir: join(platformDir, 'runs'),
    locksDir: join(platformDir, 'locks'),
    simulateDir: join(platformDir, 'simulate', env.name),
    backendDir: b,
    recordsDir: join(b, '.platform-records', env.name),
  };
}
