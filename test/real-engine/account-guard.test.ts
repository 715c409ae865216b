/**
 * The account guard against the STS of a real AWS API emulator (moto server on loopback): a
 * matching account passes, a mismatch names both ids with exit 2, phase 0 checks the management
 * account, the deploy role is assumed first, and the real engine refuses before creating anything.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ExitCode, isPlatformError, type PlatformError } from '../../src/core/errors.js';
import { assertAccount, callerIdentity } from '../../src/engine/pulumi/account-guard.js';
import { makeEnv, makeOrg } from '../helpers/env-fixtures.js';
import { organizationTarget } from '../../src/core/organization.js';
import { makeHarness, rejection } from './harness.js';
import { testPhase } from './fixtures/test-phases.js';
import { motoSts, startMoto, type Moto } from './moto.js';

const MOTO_ACCOUNT = '123456789012'; // moto's default account

describe('account guard (moto STS)', function () {
  this.timeout(120_000);
  let moto: Moto;
  before(async () => {
    moto = await startMoto();
  });
  after(async () => moto?.stop());

  it('passes when the caller is in the env account', async () => {
    const env = makeEnv((e) => ({ ...e, accountId: MOTO_ACCOUNT }));
    const id = await assertAccount(env, 1, { sts: motoSts(moto.endpoint) });
    assert.equal(id.account, MOTO_ACCOUNT);
    assert.match(id.arn, /^arn:aws:(iam|sts)::123456789012:/);
  });

  it('refuses another account, naming both ids, with exit 2', async () => {
    const env = makeEnv((e) => ({ ...e, accountId: '111122223333' }));
    const e = (await rejection(assertAccount(env, 3, { sts: motoSts(moto.endpoint) }))) as PlatformError;
    assert.ok(isPlatformError(e) && e.code === 'account-mismatch', String(e));
    assert.equal(e.exitCode, ExitCode.Usage);
    assert.match(e.message, /account 123456789012, but stacks\/\w+\.yaml names account 111122223333 for phase 3/);
  });

  it('checks the management account for phase 0', async () => {
    // Phase 0 runs on the organization's target: its account is the organization file's management account.
    const env = makeEnv((e) => ({ ...e, accountId: MOTO_ACCOUNT }));
    const target = organizationTarget(makeOrg((o) => ({ ...o, managementAccountId: '444455556666' })), env);
    const e = (await rejection(assertAccount(target, 0, { sts: motoSts(moto.endpoint) }))) as PlatformError;
    assert.equal(e.code, 'account-mismatch');
    assert.match(e.message, /but stacks\/organization\.yaml names account 444455556666 for phase 0/);
  });

  it('checks the identity after assuming the deploy role', async () => {
    const env = makeEnv((e) => ({ ...e, accountId: '111122223333' }));
    const roleArn = 'arn:aws:iam::111122223333:role/platform-deployer';
    const id = await callerIdentity(env, { sts: motoSts(moto.endpoint), roleArn });
    assert.equal(id.account, '111122223333');
    assert.match(id.arn, /assumed-role\/platform-deployer\//);
    await assertAccount(env, 2, { sts: motoSts(moto.endpoint), roleArn });
  });

  it('says so when there are no usable credentials', async () => {
    const env = makeEnv((e) => ({ ...e, accountId: MOTO_ACCOUNT }));
    const e = (await rejection(assertAccount(env, 1, { sts: { endpoint: 'http://127.0.0.1:9', region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 } }))) as PlatformError;
    assert.equal(e.code, 'config-missing');
    assert.match(e.hint!, /platform doctor --env/);
  });

  it('stops the real engine before it creates anything', async () => {
    const h = makeHarness({
      beforeMutation: (env, stack) => assertAccount({ ...env, accountId: '111122223333' }, stack.phase, { sts: motoSts(moto.endpoint) }).then(() => undefined),
    });
    try {
      const phase = testPhase(1, 'guarded');
      const e = (await rejection(h.engine.up(h.request(phase, { dir: join(h.dir, 'f'), content: 'x' })))) as PlatformError;
      assert.equal(e.code, 'account-mismatch');
      assert.equal((await h.engine.info(h.ref(phase), h.env)).exists, false, 'no stack was created');
    } finally {
      h.cleanup();
    }
  });
});
