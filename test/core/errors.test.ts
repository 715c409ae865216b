import { strict as assert } from 'node:assert';
import { isPlatformError, PlatformError } from '../../src/core/errors.js';
import { builtUrl } from '../helpers/built.js';

/**
 * isPlatformError recognises a PlatformError from another copy of src/core/errors (the built dist/
 * beside the sources: the engine tests run the built engine and check its errors with the sources'
 * predicate), where `instanceof` sees another class; a look-alike is not one.
 */
describe('isPlatformError', () => {
  it("accepts the built copy's PlatformError, which instanceof refuses", async () => {
    const built = (await import(builtUrl('src/core/errors.ts'))) as typeof import('../../src/core/errors.js');
    const e = new built.PlatformError('usage', 'from dist');
    assert.equal(e instanceof PlatformError, false, 'two copies, two classes');
    assert.equal(isPlatformError(e), true);
    assert.equal(built.isPlatformError(new PlatformError('usage', 'from src')), true);
  });

  it('refuses an Error, or an object shaped like a PlatformError without its mark', () => {
    assert.equal(isPlatformError(new Error('x')), false);
    assert.equal(isPlatformError({ name: 'PlatformError', code: 'usage', exitCode: 2, message: 'x' }), false);
    assert.equal(isPlatformError(Object.assign(new Error('x'), { code: 'usage' })), false);
    assert.equal(isPlatformError(undefined), false);
    assert.equal(isPlatformError('PlatformError'), false);
  });
});
