/**
 * A `platform` command for the engine's children. Phase 2's kubeconfig runs `platform eks-token`
 * (programs/shared/kubeconfig.ts); the Pulumi Kubernetes provider execs it with the engine's PATH,
 * where `platform` may not be installed (a checkout run through `npm run`). This writes
 * `<cacheDir>/bin/platform`, a shell script that runs this very CLI on this very Node, and returns
 * its folder for the front of PATH. Rewritten only when its content changes.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `bin/platform.js` of this package, from the built (`dist/src/engine/pulumi/`) or source (`src/engine/pulumi/`) location. */
export function platformEntry(): string | undefined {
  for (const rel of ['../../../../bin/platform.js', '../../../bin/platform.js']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return undefined;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The folder holding the `platform` shim (created or refreshed), or undefined when the CLI entry is not found. */
export function platformShimDir(cacheDir: string, nodePath: string = process.execPath): string | undefined {
  const entry = platformEntry();
  if (!entry) return undefined;
  const dir = join(cacheDir, 'bin');
  const file = join(dir, 'platform');
  const script = `#!/bin/sh\n# Written by platform (src/engine/pulumi/platform-shim.ts): the kubeconfig's \`platform eks-token\` for the engine.\nexec ${quote(nodePath)} ${quote(entry)} "$@"\n`;
  if (existsSync(file) && readFileSync(file, 'utf8') === script) return dir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, script, { mode: 0o755 });
  chmodSync(file, 0o755);
  return dir;
}
