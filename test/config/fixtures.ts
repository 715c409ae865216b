/**
 * Test fixtures for env loading: YAML text of an env, throwaway repos in the OS temp folder, and a
 * snapshot of a folder. The env data itself is `validEnv` / `validOrganization` in
 * test/helpers/env-fixtures.ts (independent of the shipped stacks/ files, so exact line numbers in
 * expected errors stay stable).
 */
import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** YAML text of an env object, laid out the same way every time. */
export function toYaml(env: unknown): string {
  return stringify(env, { lineWidth: 0 });
}

/** A temp repo whose stacks/ holds the given files (name -> text). Returns its root. */
export async function tempRepo(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'platform-config-'));
  await writeFile(join(root, 'Pulumi.yaml'), 'name: platform\nruntime: nodejs\n');
  if (Object.keys(files).length > 0) await mkdir(join(root, 'stacks'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, 'stacks', name), text);
  return root;
}

export async function removeRepo(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

/** Every path under `dir` with its size and mtime, to prove that nothing was written. */
export async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const p = join(d, entry.name);
      const s = await stat(p);
      out.push(`${p} ${s.size} ${s.mtimeMs}`);
      if (entry.isDirectory()) await walk(p);
    }
  }
  await walk(dir);
  return out.sort();
}
