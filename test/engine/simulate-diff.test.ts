/** The simulate engine's pure diff: ops per URN, replace rules, secret hashing, order. */
import assert from 'node:assert/strict';
import {
  canonicalJson,
  changedKeys,
  diffResources,
  forcesReplacement,
  toStoredInputs,
  type StoredResource,
} from '../../src/engine/simulate/diff.js';

function res(type: string, name: string, inputs: Record<string, unknown>, secretInputs: string[] = []): StoredResource {
  return { urn: `urn:pulumi:s::platform::${type}::${name}`, type, name, custom: true, id: `id-${name}`, inputs: toStoredInputs(inputs, secretInputs), secretInputs };
}

const SUBNET = 'aws:ec2/subnet:Subnet';
const BUCKET = 'aws:s3/bucket:Bucket';
const NS = 'kubernetes:core/v1:Namespace';

describe('simulate diff', () => {
  it('an update carries old -> new values of the changed properties; secret inputs are masked on both sides', () => {
    const old = [res(BUCKET, 'logs', { bucket: 'logs-1', retention: 7, token: 's3cr3t-old' }, ['token'])];
    const next = [res(BUCKET, 'logs', { bucket: 'logs-1', retention: 30, token: 's3cr3t-new' }, ['token'])];
    const [op] = diffResources(old, next);
    assert.equal(op!.op, 'update');
    assert.deepEqual(op!.changes, [
      { path: 'retention', old: 7, new: 30 },
      { path: 'token', old: '[secret]', new: '[secret]', secret: true },
    ]);
    assert.ok(!JSON.stringify(op).includes('s3cr3t'));
  });

  it('plans create, update, replace, same and delete by URN, with the changed property names', () => {
    const old = [
      res(SUBNET, 'a', { cidrBlock: '10.0.0.0/24', tags: { team: 'x' } }),
      res(SUBNET, 'b', { cidrBlock: '10.0.1.0/24', tags: { team: 'x' } }),
      res(BUCKET, 'logs', { bucket: 'logs-1', forceDestroy: false }),
      res(BUCKET, 'gone', { bucket: 'gone-1' }),
    ];
    const next = [
      res(SUBNET, 'a', { cidrBlock: '10.0.0.0/24', tags: { team: 'y' } }),
      res(SUBNET, 'b', { cidrBlock: '10.0.9.0/24', tags: { team: 'x' } }),
      res(BUCKET, 'logs', { bucket: 'logs-1', forceDestroy: false }),
      res(BUCKET, 'new', { bucket: 'new-1' }),
    ];
    assert.deepEqual(
      diffResources(old, next).map((o) => [o.name, o.op, o.diffs]),
      [
        ['a', 'update', ['tags']],
        ['b', 'replace', ['cidrBlock']],
        ['logs', 'same', undefined],
        ['new', 'create', undefined],
        ['gone', 'delete', undefined],
      ],
    );
  });

  it('deletes come last, in reverse registration order', () => {
    const old = ['one', 'two', 'three'].map((n) => res(BUCKET, n, { bucket: n }));
    const ops = diffResources(old, [res(BUCKET, 'keep', { bucket: 'keep' })]);
    assert.deepEqual(ops.map((o) => `${o.op}:${o.name}`), ['create:keep', 'delete:three', 'delete:two', 'delete:one']);
  });

  it('replaces on the paths of the generated table (or replaceOnChanges) only; nested paths only on their own change', () => {
    assert.equal(forcesReplacement('any:module:Type', { name: 'a' }, { name: 'b' }), false, 'no blanket `name` rule');
    assert.equal(forcesReplacement('any:module:Type', { name: 'a' }, { name: 'b' }, ['name']), true, 'replaceOnChanges');
    assert.equal(forcesReplacement('any:module:Type', { size: 1 }, { size: 2 }, ['*']), true, 'replaceOnChanges: *');
    assert.equal(forcesReplacement(NS, { metadata: { name: 'a', labels: { x: '1' } } }, { metadata: { name: 'a', labels: { x: '2' } } }), false);
    assert.equal(forcesReplacement(NS, { metadata: { name: 'a' } }, { metadata: { name: 'b' } }), true);
    assert.equal(forcesReplacement(SUBNET, { availabilityZone: 'eu-west-1a' }, { availabilityZone: 'eu-west-1b' }), true);
    assert.equal(forcesReplacement(BUCKET, { forceDestroy: false }, { forceDestroy: true }), false);
  });

  it('compares deeply and ignores key order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: 2 } }), canonicalJson({ a: { c: 2, d: [1, { x: 2, y: 1 }] }, b: 1 }));
    assert.deepEqual(changedKeys({ a: [1, 2], b: 'x' }, { a: [2, 1], b: 'x', c: null }), ['a', 'c']);
    assert.deepEqual(changedKeys({ a: 1, gone: true }, { a: 1 }), ['gone']);
  });

  it('stores secret inputs as hashes that still reveal a change, never the value', () => {
    const before = res('t:m:T', 'db', { password: 'hunter2-secret', size: 1 }, ['password']);
    assert.ok(!JSON.stringify(before).includes('hunter2-secret'));
    assert.deepEqual(Object.keys(before.inputs.password as object), ['secretSha256']);
    const same = res('t:m:T', 'db', { password: 'hunter2-secret', size: 1 }, ['password']);
    const changed = res('t:m:T', 'db', { password: 'hunter3-secret', size: 1 }, ['password']);
    assert.equal(diffResources([before], [same])[0]!.op, 'same');
    assert.deepEqual(diffResources([before], [changed])[0]!.diffs, ['password']);
  });
});
