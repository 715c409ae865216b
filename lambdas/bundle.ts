/**
 * Bundles each responder with esbuild into one ES module (`index.mjs`, handler `index.handler`)
 * for the Node.js 22 Lambda runtime on arm64. The AWS SDK v3 clients are bundled, not taken from
 * the runtime, so the deployed code runs the SDK versions the tests ran. Output is deterministic
 * (same sources, same bytes) and cached per process; the phase 9 program ships it as an asset and
 * its sha256 as the function's code hash.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The responders, by the name phase 9 uses for the function (and its role, DLQ, alarms). */
export const LAMBDAS = {
  'alert-responder': 'alert-responder.ts',
  'backup-watcher': 'backup-watcher.ts',
  'interruption-responder': 'interruption-responder.ts',
  cleanup: 'cleanup.ts',
} as const;
export type LambdaName = keyof typeof LAMBDAS;
export const LAMBDA_NAMES = Object.keys(LAMBDAS) as LambdaName[];

export interface Bundle {
  name: LambdaName;
  code: string;
  bytes: number;
  /** base64 sha256 of the code (Lambda's CodeSha256 form). */
  sha256: string;
}

/** The repository root: the nearest folder above this file with a package.json (works from src and dist). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('lambdas/bundle: no package.json above this file');
    dir = up;
  }
  return dir;
}

const cache = new Map<LambdaName, Promise<Bundle>>();

export function bundleLambda(name: LambdaName): Promise<Bundle> {
  let p = cache.get(name);
  if (!p) {
    p = (async () => {
      const { build } = await import('esbuild');
      const root = repoRoot();
      const out = await build({
        entryPoints: [join(root, 'lambdas', 'src', LAMBDAS[name])],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'node',
        target: 'node22',
        minify: true,
        legalComments: 'none',
        // Some SDK dependencies still call require(): give the ES module one.
        banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
        logLevel: 'silent',
      });
      const code = out.outputFiles[0]!.text;
      return { name, code, bytes: Buffer.byteLength(code), sha256: createHash('sha256').update(code).digest('base64') };
    })();
    cache.set(name, p);
  }
  return p;
}

/**
 * Writes the bundle to `.platform/lambda-bundles/<name>-<hash>/index.mjs` (content-addressed, so a
 * change of code is a new folder and a diff; writing it again is a no-op) and returns the folder,
 * which the program ships as the function's FileArchive.
 */
export async function bundleFolder(name: LambdaName): Promise<{ dir: string; bundle: Bundle }> {
  const bundle = await bundleLambda(name);
  const hex = Buffer.from(bundle.sha256, 'base64').toString('hex').slice(0, 16);
  const dir = join(repoRoot(), '.platform', 'lambda-bundles', `${name}-${hex}`);
  if (!existsSync(join(dir, 'index.mjs'))) {
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.index.mjs.${process.pid}`);
    writeFileSync(tmp, bundle.code);
    renameSync(tmp, join(dir, 'index.mjs'));
  }
  return { dir, bundle };
}
