/**
 * The shared engine contract (test/engine-contract/suite.ts) against the real Pulumi engine: the
 * same test-only phases, run by the real CLI on a temporary file backend with a passphrase.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPulumiEngine } from '../../src/engine/pulumi/engine.js';
import { contractEnv } from '../helpers/env-fixtures.js';
import { contractPhases } from '../engine-contract/phases/index.js';
import { engineContract } from '../engine-contract/suite.js';
import { REPO_ROOT, requireEngineRoot } from './harness.js';

describe('real engine', function () {
  this.timeout(180_000);
  engineContract('pulumi', async () => {
    const pulumiRoot = requireEngineRoot();
    const dir = mkdtempSync(join(tmpdir(), 'platform-contract-'));
    writeFileSync(join(dir, 'passphrase'), `pp-${Math.random().toString(36).slice(2)}`, { mode: 0o600 });
    const base = contractEnv();
    const env = {
      ...base,
      backend: { url: `file://${join(dir, 'state')}` },
      secrets: { provider: 'passphrase', passphraseFile: join(dir, 'passphrase') },
      engine: 'pulumi' as const,
    };
    const engine = createPulumiEngine({ repoRoot: REPO_ROOT, cacheDir: join(dir, 'cache'), pulumiRoot });
    return { engine, env, phases: contractPhases(), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});
