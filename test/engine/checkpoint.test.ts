import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseCheckpoint, parseExport, readFileCheckpoint } from '../../src/engine/pulumi/checkpoint.js';
import { parseS3Backend } from '../../src/engine/pulumi/s3-checkpoint.js';

/**
 * The checkpoint reader against a checkpoint written by the real engine v3.260.0 (test phase 3:
 * two files and a secret output; long provider source trimmed): what a skip reads, strictly by
 * version, with no secret in plaintext anywhere.
 */
const FIXTURE = readFileSync(new URL('./fixtures/checkpoint-v3.json', import.meta.url), 'utf8');
type Cp = { version: number; features?: string[]; checkpoint: { latest: { resources: Array<Record<string, unknown> & { type: string; outputs?: Record<string, unknown> }>; pending_operations?: unknown[] } } };
const fixture = (): Cp => JSON.parse(FIXTURE) as Cp;

describe('checkpoint reader (file backend layout of pulumi v3.260.0)', () => {
  let dir: string;
  const stacks = () => join(dir, '.pulumi', 'stacks', 'platform');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cp-'));
    mkdirSync(stacks(), { recursive: true });
    writeFileSync(join(dir, '.pulumi', 'meta.yaml'), 'version: 1\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads outputs with the secret sealed, no pending operations, and a state hash', () => {
    writeFileSync(join(stacks(), 's.json'), FIXTURE);
    const r = readFileCheckpoint(dir, 'platform', 's');
    assert.ok('view' in r, JSON.stringify(r));
    assert.equal(r.view.exists, true);
    assert.deepEqual(r.view.pendingOperations, []);
    assert.deepEqual(r.view.outputs.label, { value: 'files:2', secret: false });
    assert.deepEqual(r.view.outputs.token, { value: undefined, secret: true, sealed: true });
    assert.ok(!JSON.stringify(r.view.outputs).includes('ciphertext'));
    assert.match(r.view.stateHash, /^[0-9a-f]{64}$/);
  });

  it('the hash ignores the manifest time and changes with any resource or pending operation', () => {
    const base = parseCheckpoint(FIXTURE, 'x');
    const later = fixture();
    (later.checkpoint.latest as unknown as { manifest: { time: string } }).manifest.time = '2030-01-01T00:00:00Z';
    const edited = fixture();
    edited.checkpoint.latest.resources[2]!.outputs!.size = 999;
    const pending = fixture();
    pending.checkpoint.latest.pending_operations = [{ resource: { urn: 'urn:x', type: 't' }, type: 'creating' }];
    const h = (t: string) => {
      const r = parseCheckpoint(t, 'x');
      assert.ok('view' in r);
      return r.view;
    };
    assert.ok('view' in base);
    assert.equal(h(JSON.stringify(later)).stateHash, base.view.stateHash);
    assert.notEqual(h(JSON.stringify(edited)).stateHash, base.view.stateHash);
    const p = h(JSON.stringify(pending));
    assert.notEqual(p.stateHash, base.view.stateHash);
    assert.deepEqual(p.pendingOperations, [{ urn: 'urn:x', type: 't', op: 'creating' }]);
  });

  it('reads the gzip variant (PULUMI_DIY_BACKEND_GZIP), the newest variant winning', () => {
    writeFileSync(join(stacks(), 's.json'), JSON.stringify({ ...fixture(), checkpoint: { stack: 's' } }));
    utimesSync(join(stacks(), 's.json'), new Date(2020, 1, 1), new Date(2020, 1, 1));
    writeFileSync(join(stacks(), 's.json.gz'), gzipSync(FIXTURE));
    const r = readFileCheckpoint(dir, 'platform', 's');
    assert.ok('view' in r);
    assert.equal(r.view.outputs.label?.value, 'files:2');
  });

  it('a stack with no checkpoint does not exist; an empty backend neither', () => {
    const r = readFileCheckpoint(dir, 'platform', 'nope');
    assert.deepEqual('view' in r && r.view.exists, false);
    const empty = mkdtempSync(join(tmpdir(), 'cp-empty-'));
    try {
      const e = readFileCheckpoint(empty, 'platform', 'nope');
      assert.deepEqual('view' in e && e.view.exists, false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('says why it cannot read: other versions, unknown features, legacy layout, zstd, not JSON', () => {
    const reason = (text: string) => {
      const r = parseCheckpoint(text, 'f');
      assert.ok('unreadable' in r, `read ${text.slice(0, 40)}`);
      return r.unreadable;
    };
    assert.match(reason(JSON.stringify({ ...fixture(), version: 2 })), /checkpoint version 2 is not one this CLI reads/);
    assert.match(reason(JSON.stringify({ ...fixture(), version: 5 })), /checkpoint version 5/);
    assert.match(reason(JSON.stringify({ ...fixture(), version: 4, features: ['snippets'] })), /feature\(s\) snippets/);
    assert.ok('view' in parseCheckpoint(JSON.stringify({ ...fixture(), version: 4 }), 'f'), 'version 4 without features reads');
    assert.match(reason('{"version":3,"checkpoint":{"stack":"s","latest":{"resources":[{"urn":1}]}}}'), /does not match its schema/);
    assert.match(reason('not json'), /not JSON/);

    writeFileSync(join(dir, '.pulumi', 'meta.yaml'), 'version: 0\n');
    const legacy = readFileCheckpoint(dir, 'platform', 's');
    assert.match('unreadable' in legacy ? legacy.unreadable : '', /layout version 0; this CLI reads version 1/);
    writeFileSync(join(dir, '.pulumi', 'meta.yaml'), 'version: 1\n');
    writeFileSync(join(stacks(), 's.json.zst'), 'zz');
    const zst = readFileCheckpoint(dir, 'platform', 's');
    assert.match('unreadable' in zst ? zst.unreadable : '', /zstd/);
  });

  it('`stack export` output (the one-CLI-call fallback) gives the same view as the file', () => {
    const cp = fixture();
    const fromFile = parseCheckpoint(FIXTURE, 'f');
    const fromExport = parseExport(JSON.stringify({ version: 3, deployment: cp.checkpoint.latest }));
    assert.ok('view' in fromFile);
    assert.deepEqual(fromExport, fromFile.view);
  });
});

describe('s3 backend URL for the checkpoint reader', () => {
  it('understands bucket, prefix, region and endpoint; refuses options it does not interpret', () => {
    assert.deepEqual(parseS3Backend('s3://state-bucket/teams/a?region=eu-west-1'), { bucket: 'state-bucket', prefix: 'teams/a', region: 'eu-west-1', endpoint: undefined, pathStyle: false });
    assert.deepEqual(parseS3Backend('s3://b?endpoint=127.0.0.1:5000&disable_https=true&s3ForcePathStyle=true'), { bucket: 'b', prefix: '', region: undefined, endpoint: 'http://127.0.0.1:5000', pathStyle: true });
    assert.deepEqual(parseS3Backend('s3://b?profile=ops'), { unreadable: 'backend URL option(s) profile are not interpreted by the checkpoint reader' });
  });
});
