/** Values captured under mocks become plain JSON (assets, resource references, odd scalars). */
import assert from 'node:assert/strict';
import * as pulumi from '@pulumi/pulumi';
import { toPlain } from '../../src/engine/simulate/plain.js';

describe('simulate plain values', () => {
  it('keeps an asset or archive recognisable so a changed path or text shows in a diff', async () => {
    assert.deepEqual(await toPlain(new pulumi.asset.FileAsset('lambdas/a.zip')), { asset: { path: 'lambdas/a.zip' } });
    assert.deepEqual(await toPlain(new pulumi.asset.StringAsset('hello')), { asset: { text: 'hello' } });
    assert.deepEqual(await toPlain(new pulumi.asset.AssetArchive({ 'index.js': new pulumi.asset.StringAsset('x') })), {
      archive: { assets: { 'index.js': { asset: { text: 'x' } } } },
    });
  });

  it('drops functions and undefined members, stringifies bigint and dates, keeps array positions', async () => {
    const plain = await toPlain({ f: () => 1, u: undefined, big: 10n, at: new Date(0), list: [1, undefined, 'x'], inf: Infinity });
    assert.deepEqual(plain, { big: '10', at: '1970-01-01T00:00:00.000Z', list: [1, null, 'x'], inf: 'Infinity' });
    assert.equal(JSON.stringify(JSON.parse(JSON.stringify(plain))), JSON.stringify(plain));
  });
});
