/**
 * Loads `stacks/<env>.yaml`, validates it against the env schema and the cross-field rules, and turns
 * every failure into one PlatformError line naming the file, the position and path inside it, and
 * what is allowed. Reads only; never writes or creates anything.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvConfigSchema, EnvNameSchema, type EnvConfig } from '../core/env.js';
import { PlatformError } from '../core/errors.js';
import { RESERVED_ENV_NAMES } from '../core/organization.js';
import { crossFieldProblems } from './cross-field.js';
import { closest } from './edit-distance.js';
import { parseConfigSource } from './parse-config.js';

/** Folder of env files, relative to the repo root. */
export const STACKS_DIR = 'stacks';
const SCHEMA_HINT = 'the schema is EnvConfigSchema in src/core/env.ts';

/**
 * Env names with a file in `stacks/`, sorted. Files whose base name is not a valid env name are
 * ignored, and so are the organization files (`organization.yaml`, `organization.local.yaml`).
 */
export async function listEnvs(repoRoot: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(join(repoRoot, STACKS_DIR));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new PlatformError('config-invalid', `${STACKS_DIR}/ cannot be read (${code ?? 'error'})`, {
      value: join(repoRoot, STACKS_DIR),
      hint: 'check that it is a readable folder',
      cause: e,
    });
  }
  return entries
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .filter((n) => EnvNameSchema.safeParse(n).success && !RESERVED_ENV_NAMES.includes(n))
    .sort();
}

function envListHint(envs: readonly string[], suggestion?: string): string {
  const found = envs.length > 0 ? `envs in ${STACKS_DIR}/: ${envs.join(', ')}` : `no env files in ${STACKS_DIR}/`;
  return suggestion ? `${found}; did you mean '${suggestion}'?` : found;
}

/**
 * What a user most likely meant by a name that is not a valid env name: `LOCAL`, `local.yaml`,
 * `stacks/local.yaml`, `./stacks/Local.yml` all mean `local`. Only names that exist are suggested.
 */
export function envNameSuggestion(name: string, envs: readonly string[]): string | undefined {
  const base = name.trim().split(/[\\/]/).at(-1)!.replace(/\.ya?ml$/i, '').toLowerCase();
  if (envs.includes(base)) return base;
  return base.length > 0 ? closest(base, envs) : undefined;
}

/**
 * The validated config of env `name` from `<repoRoot>/stacks/<name>.yaml`.
 * Throws PlatformError: 'unknown-env' (bad or unknown name), 'config-missing' (no env files at all),
 * 'config-invalid' (YAML syntax, schema or cross-field problem).
 */
export async function loadEnv(repoRoot: string, name: string): Promise<EnvConfig> {
  const envs = await listEnvs(repoRoot);
  if (!EnvNameSchema.safeParse(name).success) {
    throw new PlatformError('unknown-env', `invalid env name '${name}': expected lower-case letters, digits and dashes (at most 16)`, {
      value: name,
      hint: envListHint(envs, envNameSuggestion(name, envs)),
    });
  }
  if (RESERVED_ENV_NAMES.includes(name)) {
    throw new PlatformError('unknown-env', `'${name}' is not an env: the name is reserved for the organization (stacks/organization.yaml)`, {
      value: name,
      hint: envListHint(envs),
    });
  }
  const file = `${STACKS_DIR}/${name}.yaml`;
  if (envs.length === 0) {
    throw new PlatformError('config-missing', `${file} not found: there are no env files in ${join(repoRoot, STACKS_DIR)}`, {
      value: file,
      hint: `create ${file} (copy stacks/dev.yaml from the platform repo and edit it); ${SCHEMA_HINT}`,
    });
  }
  if (!envs.includes(name)) {
    throw new PlatformError('unknown-env', `unknown env '${name}'`, { value: name, hint: envListHint(envs, closest(name, envs)) });
  }

  let source: string;
  try {
    source = await readFile(join(repoRoot, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') {
      throw new PlatformError('config-missing', `${file} not found`, { value: file, hint: envListHint(envs), cause: e });
    }
    throw new PlatformError('config-invalid', `${file}: cannot be read (${code})`, { value: file, hint: 'check that it is a readable file', cause: e });
  }
  return parseEnvSource(source, file, name);
}

/** Validates the text of an env file; `file` is how it is named in errors, `name` the env it must hold. */
export function parseEnvSource(source: string, file: string, name: string): EnvConfig {
  return parseConfigSource(source, file, EnvConfigSchema, (env) => crossFieldProblems(env, name), SCHEMA_HINT);
}
