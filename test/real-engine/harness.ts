/**
 * Shared setup of the real-engine suite: a temporary file backend with a passphrase file, a fresh
 * cache folder (PULUMI_HOME, workspaces), the real adapter, and event capture. If the engine binary
 * is missing the suite fails with the command that builds it: it never skips.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EnvConfig } from '../../src/core/env.js';
import type { PlatformEvent } from '../../src/core/events.js';
import { stackName, type AnyPhase } from '../../src/core/phase.js';
import type { EngineRequest, StackRef } from '../../src/core/ports.js';
import { createPulumiEngine, type CreatePulumiEngineOptions, type PulumiEngine } from '../../src/engine/pulumi/engine.js';
import { findEngineRoot } from '../../src/engine/pulumi/settings.js';
import { makeEnv } from '../helpers/env-fixtures.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/** The engine root, or a thrown Error telling how to build it (the suite must fail, not skip). */
export function requireEngineRoot(): string {
  const root = findEngineRoot({ repoRoot: REPO_ROOT, cacheDir: join(REPO_ROOT, '.cache') });
  if (!root) {
    throw new Error(
      'real-engine suite: no Pulumi engine found. Build it with `scripts/install-pulumi-engine.sh` ' +
        '(or set PLATFORM_PULUMI_ROOT to a folder holding bin/pulumi).',
    );
  }
  // The suite's crash tests rely on our provider launcher (exec + parent watch), not the SDK's.
  const launcher = join(root, 'bin', 'pulumi-resource-pulumi-nodejs');
  const ours = readFileSync(join(REPO_ROOT, 'scripts', 'pulumi-engine', 'pulumi-resource-pulumi-nodejs'), 'utf8');
  if (!existsSync(launcher) || readFileSync(launcher, 'utf8') !== ours) {
    throw new Error(`real-engine suite: ${launcher} is not our dynamic-provider launcher; run \`scripts/install-pulumi-engine.sh\` (it installs it)`);
  }
  return root;
}

export interface Harness {
  dir: string;
  backendDir: string;
  cacheDir: string;
  passphrase: string;
  env: EnvConfig;
  engine: PulumiEngine;
  events: PlatformEvent[];
  ref(phase: AnyPhase): StackRef;
  request(phase: AnyPhase, inputs: unknown, signal?: AbortSignal): EngineRequest;
  /** A second adapter instance on the same backend (another "process" in spirit). */
  another(extra?: Partial<CreatePulumiEngineOptions>): PulumiEngine;
  cleanup(): void;
}

export function makeHarness(extra: Partial<CreatePulumiEngineOptions> = {}): Harness {
  const pulumiRoot = requireEngineRoot();
  const dir = mkdtempSync(join(tmpdir(), 'platform-real-engine-'));
  const backendDir = join(dir, 'state');
  const cacheDir = join(dir, 'cache');
  const passphrase = `pp-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, 'passphrase'), passphrase, { mode: 0o600 });
  const env = makeEnv((e) => ({
    ...e,
    name: 'rt',
    backend: { url: `file://${backendDir}` },
    secrets: { provider: 'passphrase', passphraseFile: join(dir, 'passphrase') },
    engine: 'pulumi',
  }));
  const events: PlatformEvent[] = [];
  const make = (more: Partial<CreatePulumiEngineOptions> = {}) =>
    createPulumiEngine({ repoRoot: REPO_ROOT, cacheDir, pulumiRoot, ...extra, ...more });
  const engine = make();
  const ref = (phase: AnyPhase): StackRef => ({ env: env.name, phase: phase.id, slug: phase.slug, name: stackName(env.name, phase) });
  return {
    dir,
    backendDir,
    cacheDir,
    passphrase,
    env,
    engine,
    events,
    ref,
    request: (phase, inputs, signal) => ({
      stack: ref(phase),
      env,
      phase,
      inputs,
      signal: signal ?? new AbortController().signal,
      emit: (e) => events.push(e),
    }),
    another: (more) => make(more),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Rejection of a promise, for asserting on errors. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the operation to fail, and it succeeded');
}

/**
 * Resolves once the checkpoint of `stack` in a file backend records a pending operation on the
 * resource named `name` (the engine writes it just before the step starts; its event may come first).
 */
export async function untilPending(backendDir: string, stack: string, name: string, timeoutMs = 60_000): Promise<void> {
  const file = join(backendDir, '.pulumi', 'stacks', 'platform', `${stack}.json`);
  const t0 = Date.now();
  for (;;) {
    try {
      if (existsSync(file)) {
        const ops = (JSON.parse(readFileSync(file, 'utf8')) as { checkpoint?: { latest?: { pending_operations?: Array<{ resource: { urn: string } }> } } }).checkpoint?.latest?.pending_operations ?? [];
        if (ops.some((o) => o.resource.urn.endsWith(`::${name}`))) return;
      }
    } catch {
      // being rewritten: read again
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`no pending operation on ${name} in ${stack} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
