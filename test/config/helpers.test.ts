import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPlatformError } from '../../src/core/errors.js';
import { cidrRange, cidrsOverlap } from '../../src/config/cross-field.js';
import { closest, editDistance } from '../../src/config/edit-distance.js';
import { findRepoRoot } from '../../src/config/repo-root.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('edit distance and suggestions', () => {
  it('counts inserts, deletes and substitutions', () => {
    assert.equal(editDistance('stg', 'stg'), 0);
    assert.equal(editDistance('stgg', 'stg'), 1);
    assert.equal(editDistance('prd', 'prod'), 1);
    assert.equal(editDistance('dve', 'dev'), 2);
    assert.equal(editDistance('', 'dev'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('suggests only a plausible typo', () => {
    assert.equal(closest('stgg', ['dev', 'local', 'prod', 'stg']), 'stg');
    assert.equal(closest('prd', ['dev', 'local', 'prod', 'stg']), 'prod');
    assert.equal(closest('x', ['dev', 'local', 'prod', 'stg']), undefined);
    assert.equal(closest('qa', ['dev', 'prod']), undefined);
    assert.equal(closest('anything', []), undefined);
  });
});

describe('CIDR ranges', () => {
  it('computes the first and last address', () => {
    assert.deepEqual(cidrRange('10.0.0.0/8'), [0x0a000000, 0x0affffff]);
    assert.deepEqual(cidrRange('255.255.255.255/32'), [0xffffffff, 0xffffffff]);
    assert.deepEqual(cidrRange('0.0.0.0/0'), [0, 0xffffffff]);
  });

  it('detects overlap, containment and adjacency correctly', () => {
    assert.equal(cidrsOverlap('10.10.0.0/16', '10.11.0.0/16'), false);
    assert.equal(cidrsOverlap('10.10.0.0/16', '10.10.128.0/17'), true);
    assert.equal(cidrsOverlap('10.0.0.0/8', '10.200.0.0/16'), true);
    assert.equal(cidrsOverlap('192.168.0.0/24', '192.168.1.0/24'), false);
    assert.equal(cidrsOverlap('0.0.0.0/0', '203.0.113.0/28'), true);
  });
});

describe('findRepoRoot', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'platform-root-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('finds this repository from a folder inside it', async () => {
    assert.equal(await findRepoRoot(join(repoRoot, 'test', 'config')), repoRoot);
  });

  it('walks past a Pulumi.yaml of another project to the platform one', async () => {
    await writeFile(join(tmp, 'Pulumi.yaml'), 'name: platform\nruntime: nodejs\n');
    await mkdir(join(tmp, 'other', 'deep'), { recursive: true });
    await writeFile(join(tmp, 'other', 'Pulumi.yaml'), 'name: something-else\nruntime: nodejs\n');
    assert.equal(await findRepoRoot(join(tmp, 'other', 'deep')), tmp);
  });

  it('fails with a usage error and a hint outside any platform repo', async () => {
    await writeFile(join(tmp, 'Pulumi.yaml'), 'name: not-platform\n');
    try {
      await findRepoRoot(tmp);
      assert.fail('should have thrown');
    } catch (e) {
      assert.ok(isPlatformError(e));
      assert.equal(e.code, 'usage');
      assert.equal(e.message, `not inside the platform repository: no Pulumi.yaml with name: platform at or above ${tmp}`);
      assert.equal(e.hint, 'run platform from the repository (or a folder inside it)');
    }
  });
});
