#!/usr/bin/env node
// Entry point: the compiled CLI (npm run build). Kept tiny so `platform --help` starts fast.
import('../dist/src/cli/main.js').then((m) => m.main(process.argv)).then((code) => { process.exitCode = code; });
