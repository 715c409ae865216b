/**
 * Where in a phase program an exception was thrown, from its stack: the first frame that is neither
 * Node's own (`node:`), a dependency's (`node_modules/`) nor the simulate engine's (this folder, in
 * src/ or dist/). Rules: V8's frame shapes `at fn (file:line:col)` and `at file:line:col`, with paths
 * or `file://` URLs; the result is `file:line`, relative to `root` when the file is under it.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const FRAME = /^\s*at (?:.*? \()?((?:file:\/\/)?[^\s()]+?):(\d+):\d+\)?$/;
const ENGINE = `${sep}engine${sep}simulate${sep}`;

export function programLocation(stack: string | undefined, root: string): string | undefined {
  for (const line of (stack ?? '').split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let file = m[1]!;
    if (file.startsWith('file://')) file = fileURLToPath(file);
    if (!isAbsolute(file) || file.includes(`${sep}node_modules${sep}`) || file.includes(ENGINE)) continue;
    const rel = relative(root, file);
    return `${rel.startsWith('..') || isAbsolute(rel) ? file : rel}:${m[2]}`;
  }
  return undefined;
}
