#!/usr/bin/env node
// Entry point: the compiled CLI (npm run build). Kept tiny so `platform --help` starts fast; the
// module compile cache (Node >= 22.1) saves a third of the import time on every later start.
import module from 'node:module';

// The project runs on the Node 22 that `npm ci` installs (the npm package `node`); an older system
// Node gets one line naming the fix instead of a confusing failure deep in a run (exit 2, nothing done).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `error: platform needs Node >= 22.12, and this is Node ${process.versions.node} (${process.execPath}); ` +
      'run it as `npx platform ...` (or `npm run -s platform -- ...`), which uses the Node 22 that `npm ci` installed in node_modules\n',
  );
  process.exit(2);
}

module.enableCompileCache?.();
const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(process.argv);
