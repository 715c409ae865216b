/**
 * Where the engine runs: the `pulumi` binary, PULUMI_HOME, the backend URL and the secrets provider,
 * resolved from the env file and the process environment. Pure resolution plus file-existence
 * checks; nothing here talks to Pulumi.
 *
 * Rules:
 * - `file://<relative>` backends resolve against the repo root to an absolute `file://` URL; the
 *   engine gets it with `metadata=skip` (see {@link engineBackendUrl}).
 * - The passphrase never goes on argv: it reaches the CLI as PULUMI_CONFIG_PASSPHRASE_FILE (the env
 *   file's `secrets.passphraseFile`, or the caller's PULUMI_CONFIG_PASSPHRASE_FILE) or, failing that,
 *   the caller's PULUMI_CONFIG_PASSPHRASE passed through the child's environment.
 * - The engine's children get a `platform` shim first on PATH (platform-shim.ts: phase 2's kubeconfig
 *   runs `platform eks-token`), the only file this module writes.
 * - The engine root is PLATFORM_PULUMI_ROOT, else the newest build in `<repo>/.cache/pulumi-engine`
 *   (scripts/install-pulumi-engine.sh), else a `pulumi` on PATH.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { EnvConfig } from '../../core/env.js';
import { PlatformError } from '../../core/errors.js';
import { platformShimDir } from './platform-shim.js';

/** Options of {@link createPulumiEngine}; also used by doctor and repair. */
export interface PulumiEngineOptions {
  /** The platform repository root (holds Pulumi.yaml, package-lock.json, stacks/). */
  repoRoot: string;
  /** A folder we own for PULUMI_HOME and per-stack workspaces (git-ignored). */
  cacheDir: string;
  /** Overrides the engine root (`<root>/bin/pulumi`). Default: PLATFORM_PULUMI_ROOT or the cache. */
  pulumiRoot?: string;
  /** The environment to read PULUMI_CONFIG_PASSPHRASE(_FILE) and PATH from. Default: process.env. */
  processEnv?: NodeJS.ProcessEnv;
}

export const INSTALL_HINT =
  'run `scripts/install-pulumi-engine.sh` (builds it from Go modules) or install the Pulumi CLI ' +
  '(https://www.pulumi.com/docs/install/), then `platform doctor`';

/** Minimum CLI version we accept (the adapter relies on `--event-log` over gRPC and `stack export`). */
export const MIN_CLI_VERSION = '3.205.0';

/** The engine root holding `bin/pulumi`, or undefined when none is found. */
export function findEngineRoot(opts: PulumiEngineOptions): string | undefined {
  const penv = opts.processEnv ?? process.env;
  const explicit = opts.pulumiRoot ?? penv.PLATFORM_PULUMI_ROOT;
  if (explicit) return resolve(explicit);
  const cache = join(opts.repoRoot, '.cache', 'pulumi-engine');
  const lockVersion = sdkVersion(opts.repoRoot);
  const candidates: string[] = [];
  if (lockVersion) {
    candidates.push(`v${lockVersion}`);
    const chosen = join(cache, `CHOSEN-v${lockVersion}`);
    if (existsSync(chosen)) candidates.push(`v${readFileSync(chosen, 'utf8').trim()}`);
  }
  if (existsSync(cache)) {
    const built = readdirSync(cache).filter((d) => /^v\d+\.\d+\.\d+$/.test(d));
    built.sort((a, b) => compareVersions(b.slice(1), a.slice(1)));
    candidates.push(...built);
  }
  for (const c of candidates) if (existsSync(join(cache, c, 'bin', 'pulumi'))) return join(cache, c);
  for (const dir of (penv.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'pulumi'))) return resolve(dir, '..');
  }
  return undefined;
}

/** The @pulumi/pulumi version in the repo's package-lock.json. */
export function sdkVersion(repoRoot: string): string | undefined {
  try {
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages?: Record<string, { version?: string }>;
    };
    return lock.packages?.['node_modules/@pulumi/pulumi']?.version;
  } catch {
    return undefined;
  }
}

/** Numeric X.Y.Z comparison (pre-release tags ignored). */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.-]/).map(Number);
  const pb = b.replace(/^v/, '').split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The backend URL from the env file with `file://` made absolute. */
export function backendUrl(env: EnvConfig, repoRoot: string): string {
  const url = env.backend.url;
  if (!url.startsWith('file://')) return url;
  const path = url.slice('file://'.length);
  return `file://${isAbsolute(path) ? path : resolve(repoRoot, path)}`;
}

/**
 * The backend URL the engine is given: a `file://` backend gets `metadata=skip`. Without it, gocloud's
 * fileblob driver (Pulumi's file backend) writes a `.attrs` sidecar beside every file it writes (the
 * checkpoint, its `.bak`, history, backups, lock files) with create-truncate-then-write, which is not
 * atomic: an engine killed in between (our parent-death SIGKILL, a forced stop, the OOM killer) leaves
 * an empty sidecar, and every later read of the checkpoint fails with `failed to load checkpoint: EOF`.
 * The files themselves are written to a temporary file and renamed (atomic), and fileblob reads a
 * file without a sidecar as plain bytes, which is all Pulumi needs (fileblob.go, attrs.go in gocloud.dev).
 */
export function engineBackendUrl(env: EnvConfig, repoRoot: string): string {
  const url = backendUrl(env, repoRoot);
  if (!url.startsWith('file://') || /[?&]metadata=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}metadata=skip`;
}

/** The local folder of a `file://` backend, else undefined. */
export function backendDir(env: EnvConfig, repoRoot: string): string | undefined {
  const url = backendUrl(env, repoRoot);
  return url.startsWith('file://') ? url.slice('file://'.length) : undefined;
}

/** The `secretsProvider` for `stack init`: `passphrase` or the awskms URL. */
export function secretsProvider(env: EnvConfig): string {
  return env.secrets.provider;
}

/**
 * Environment variables for every CLI invocation. Throws PlatformError('passphrase') when the env uses
 * the passphrase provider and no passphrase source exists.
 */
export function engineEnv(env: EnvConfig, opts: PulumiEngineOptions, engineRoot: string): Record<string, string> {
  const penv = opts.processEnv ?? process.env;
  const vars: Record<string, string> = {
    PULUMI_BACKEND_URL: engineBackendUrl(env, opts.repoRoot),
    PULUMI_HOME: join(opts.cacheDir, 'pulumi-home'),
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    PULUMI_SKIP_CONFIRMATIONS: 'true',
    // The language host and the dynamic-provider launcher need our Node (22) first on PATH; the
    // Kubernetes provider runs the kubeconfig's `platform eks-token` through the shim.
    PATH: [join(engineRoot, 'bin'), platformShimDir(opts.cacheDir), dirnameOf(process.execPath), penv.PATH ?? ''].filter((d) => d !== undefined).join(delimiter),
    // The dynamic-provider launcher resolves @pulumi/pulumi from its cwd; make ours findable anywhere.
    NODE_PATH: [join(opts.repoRoot, 'node_modules'), penv.NODE_PATH ?? ''].filter(Boolean).join(delimiter),
  };
  if (env.secrets.provider === 'passphrase') {
    if (env.secrets.passphraseFile) {
      const file = resolve(opts.repoRoot, env.secrets.passphraseFile);
      if (!existsSync(file)) {
        throw new PlatformError('passphrase', `the passphrase file named in stacks/${env.name}.yaml does not exist`, {
          value: file,
          hint: 'create it (mode 0600) or remove secrets.passphraseFile and set PULUMI_CONFIG_PASSPHRASE_FILE',
        });
      }
      vars.PULUMI_CONFIG_PASSPHRASE_FILE = file;
    } else if (penv.PULUMI_CONFIG_PASSPHRASE_FILE) {
      vars.PULUMI_CONFIG_PASSPHRASE_FILE = resolve(penv.PULUMI_CONFIG_PASSPHRASE_FILE);
    } else if (penv.PULUMI_CONFIG_PASSPHRASE !== undefined) {
      vars.PULUMI_CONFIG_PASSPHRASE = penv.PULUMI_CONFIG_PASSPHRASE;
    } else {
      throw new PlatformError('passphrase', `env '${env.name}' encrypts secrets with a passphrase, and none is set`, {
        value: env.name,
        hint: 'set PULUMI_CONFIG_PASSPHRASE_FILE (preferred) or PULUMI_CONFIG_PASSPHRASE, or secrets.passphraseFile in the env file',
      });
    }
  }
  return vars;
}

function dirnameOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/')) || '/';
}
