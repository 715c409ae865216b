/**
 * Where in a phase program an exception was thrown, from its stack: the first frame that is neither
 * Node's own (`node:`), a dependency's (`node_modules/`) nor the simulate engine's (this folder, in
 * src/ or dist/). Rules: V8's frame shapes `at fn (file:line:col)` and `at file:line:col`, with paths
 * or `file://` URLs; the result is `file:line`, relative to `root` when the file is under it.
 *
 * `mapStack` turns compiled frames (dist/*.js with a linked source map, as `npm run build` writes
 * them) back into the TypeScript file and line, only when an error is reported. The worker does not
 * turn on Node's source-map stack traces for the whole evaluation: @pulumi/pulumi formats a stack for
 * every promise and resource, and mapping each of those cost about a quarter of a phase's CPU.
 */
import { SourceMap } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const FRAME = /^(\s*at (?:.*? \()?)((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)(\)?)$/;
const ENGINE = `${sep}engine${sep}simulate${sep}`;
const MAPPING_URL = /\/\/# sourceMappingURL=(\S+)\s*$/;

function frameFile(raw: string): string {
  return raw.startsWith('file://') ? fileURLToPath(raw) : raw;
}

function isProgramFrame(file: string): boolean {
  return isAbsolute(file) && !file.includes(`${sep}node_modules${sep}`) && !file.includes(ENGINE);
}

export function programLocation(stack: string | undefined, root: string): string | undefined {
  for (const line of (stack ?? '').split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const file = frameFile(m[2]!);
    if (!isProgramFrame(file)) continue;
    const rel = relative(root, file);
    return `${rel.startsWith('..') || isAbsolute(rel) ? file : rel}:${m[3]}`;
  }
  return undefined;
}

interface LoadedMap {
  map: SourceMap;
  /** Where the map's relative `sources` are resolved from. */
  base: URL;
}

const loaded = new Map<string, LoadedMap | null>();

/** The source map a compiled file links to (`//# sourceMappingURL=`, a file or a data: URL), or null. */
function sourceMapOf(file: string): LoadedMap | null {
  if (loaded.has(file)) return loaded.get(file)!;
  let found: LoadedMap | null = null;
  try {
    const text = readFileSync(file, 'utf8');
    const url = MAPPING_URL.exec(text.slice(-4096))?.[1];
    if (url) {
      if (url.startsWith('data:')) {
        const payload = Buffer.from(url.slice(url.indexOf(',') + 1), url.includes(';base64,') ? 'base64' : 'utf8').toString('utf8');
        found = { map: new SourceMap(JSON.parse(payload)), base: pathToFileURL(file) };
      } else {
        const mapFile = resolve(dirname(file), decodeURIComponent(url));
        found = { map: new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))), base: pathToFileURL(mapFile) };
      }
    }
  } catch {
    // No readable map: the frame stays as the compiled file's; never a guess.
    found = null;
  }
  loaded.set(file, found);
  return found;
}

/**
 * The stack with every frame outside node_modules/ that has a source map rewritten to its original
 * file, line and column; other frames, and frames without a map, are left as they are.
 */
export function mapStack(stack: string | undefined): string | undefined {
  if (!stack) return stack;
  return stack
    .split('\n')
    .map((line) => {
      const m = FRAME.exec(line);
      if (!m) return line;
      const file = frameFile(m[2]!);
      // Dependencies ship their own maps or none; ours (the engine's frames too) are mapped for --verbose.
      if (!isAbsolute(file) || file.includes(`${sep}node_modules${sep}`) || !/\.(c|m)?js$/.test(file)) return line;
      const sm = sourceMapOf(file);
      if (!sm) return line;
      const entry = sm.map.findEntry(Number(m[3]) - 1, Number(m[4]) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
      if (entry.originalSource === undefined || entry.originalLine === undefined) return line;
      const original = new URL(entry.originalSource, sm.base);
      const originalFile = original.protocol === 'file:' ? fileURLToPath(original) : original.href;
      return `${m[1]}${originalFile}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}${m[5]}`;
    })
    .join('\n');
}
