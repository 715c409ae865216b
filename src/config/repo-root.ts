/**
 * Finds the platform repository's root: the nearest folder, from a start folder upwards, that holds a
 * `Pulumi.yaml` whose project `name` is `platform`. Other Pulumi projects on the way are skipped.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { PlatformError } from '../core/errors.js';

/** The project name in the root Pulumi.yaml. */
export const PROJECT_NAME = 'platform';

async function isPlatformRoot(dir: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(join(dir, 'Pulumi.yaml'), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return false; // none here: keep walking up
    throw new PlatformError('usage', `${join(dir, 'Pulumi.yaml')} cannot be read (${code ?? 'error'})`, {
      value: join(dir, 'Pulumi.yaml'),
      hint: 'check its permissions',
      cause: e,
    });
  }
  try {
    const doc: unknown = parse(text);
    return typeof doc === 'object' && doc !== null && (doc as { name?: unknown }).name === PROJECT_NAME;
  } catch {
    return false; // a malformed Pulumi.yaml is not ours
  }
}

/** Absolute path of the repo root at or above `startDir`; PlatformError 'usage' when there is none. */
export async function findRepoRoot(startDir: string): Promise<string> {
  let dir = resolve(startDir);
  for (;;) {
    if (await isPlatformRoot(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new PlatformError('usage', `not inside the platform repository: no Pulumi.yaml with name: ${PROJECT_NAME} at or above ${resolve(startDir)}`, {
    value: resolve(startDir),
    hint: 'run platform from the repository (or a folder inside it)',
  });
}
