/**
 * Hashes a phase's program sources: every file in its folder (programs/NN-slug/) and in
 * programs/shared/, by relative path and content, so editing a program or a shared helper changes
 * the fingerprint. Results are cached per process.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { folderName, type AnyPhase } from '../core/phase.js';
import type { SourceHasher } from '../core/ports.js';

function walk(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx|json|yaml|yml)$/.test(n)) out.push(p);
  }
  return out;
}

export class DirSourceHasher implements SourceHasher {
  private readonly cache = new Map<string, string>();
  constructor(private readonly programsDir: string) {}

  async hash(phase: AnyPhase): Promise<string> {
    const key = folderName(phase);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const h = createHash('sha256');
    for (const f of [...walk(join(this.programsDir, key)), ...walk(join(this.programsDir, 'shared'))]) {
      h.update(relative(this.programsDir, f)).update('\0').update(readFileSync(f)).update('\0');
    }
    const digest = h.digest('hex');
    this.cache.set(key, digest);
    return digest;
  }
}
