/**
 * The esbuild bundles phase 9 deploys: each builds, is deterministic, loads as the Node.js 22 ES
 * module Lambda runs (`index.handler`), and the bundled backup watcher and interruption responder,
 * configured only through the environment the program sets (plus moto's endpoint), handle a
 * documented sample event end to end (the notification arrives; the replay adds none). Sizes are
 * printed (reported, not asserted against a time).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleLambda, LAMBDA_NAMES, type LambdaName } from '../../lambdas/bundle.js';
import { createLogger, redact } from '../../lambdas/src/shared/log.js';
import { startMoto, TEST_CREDENTIALS, type Moto } from '../gates/moto.js';
import { backupJobFailed, spotInterruption } from '../../programs/09-automation/sample-events.js';
import { buildWorld, REGION, type World } from './world.js';

describe('lambda bundles (esbuild)', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'p9-bundles-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const load = async (name: LambdaName) => {
    const b = await bundleLambda(name);
    const file = join(dir, name, 'index.mjs');
    rmSync(join(dir, name), { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(file, b.code);
    return (await import(pathToFileURL(file).href)) as { handler: (e: unknown) => Promise<any> };
  };

  it('each function bundles to one ES module exporting handler; sizes reported', async () => {
    const sizes: string[] = [];
    for (const n of LAMBDA_NAMES) {
      const b = await bundleLambda(n);
      assert.ok(b.bytes > 10_000, `${n} bundle has the SDK in it`);
      assert.ok(b.bytes < 10 * 1024 * 1024, `${n} under 10 MiB`);
      const m = await load(n);
      assert.equal(typeof m.handler, 'function', `${n} exports handler`);
      sizes.push(`${n} ${(b.bytes / 1024).toFixed(0)} KiB`);
    }
    console.log(`      bundle sizes (minified ESM, SDK v3 included): ${sizes.join(', ')}`);
  });

  it('is deterministic: the same sources give the same bytes and hash', async () => {
    const a = await bundleLambda('backup-watcher');
    // A fresh import of the module has a fresh cache: bundle again through a copy of the builder.
    const again = await import(`../../lambdas/bundle.js?again=${Date.now()}`);
    const b = await again.bundleLambda('backup-watcher');
    assert.equal(b.sha256, a.sha256);
  });

  describe('bundled handlers on moto, configured by environment only', () => {
    let moto: Moto;
    let w: World;
    const saved = { ...process.env };
    before(async () => {
      moto = await startMoto();
      await moto.reset();
      w = await buildWorld(moto);
      Object.assign(process.env, {
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        ALERTS_TOPIC_ARN: w.topicArn,
        IDEMPOTENCY_TABLE: w.table,
        PLATFORM_ENV: 'dev',
        BACKUP_VAULT_ARNS: 'arn:aws:backup:us-east-1:123456789012:backup-vault:platform-dev',
      });
    });
    after(() => {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      moto?.stop();
    });

    it('backup watcher: the sample failure notifies once', async () => {
      const m = await load('backup-watcher');
      const e = backupJobFailed('arn:aws:backup:us-east-1:123456789012:backup-vault:platform-dev');
      assert.equal((await m.handler(e)).action, 'notified');
      assert.equal((await m.handler(e)).duplicate, true);
      assert.equal((await w.notifications()).length, 1);
    });

    it('interruption responder: the sample spot warning tags and notifies once', async () => {
      const m = await load('interruption-responder');
      const { instanceId } = await w.instance();
      const r = await m.handler(spotInterruption(instanceId));
      assert.equal(r.instances[0].action, 'tagged-and-notified');
      await m.handler(spotInterruption(instanceId));
      assert.equal((await w.notifications()).length, 1);
    });

    it('a missing setting fails the invocation by name', async () => {
      delete process.env.ALERTS_TOPIC_ARN;
      const m = await load('backup-watcher');
      await assert.rejects(m.handler(backupJobFailed('x')), /environment variable ALERTS_TOPIC_ARN is not set/);
    });
  });
});

describe('lambda logs', () => {
  it('redact secret-named keys at any depth and keep the rest', () => {
    const lines: string[] = [];
    const log = createLogger('t', {}, (l) => lines.push(l));
    log.info('x', { finding: { accessKeyDetails: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's3cr3t', sessionToken: 'tok' } }, headers: { Authorization: 'Bearer abc' }, password: 'p' });
    const out = lines.join('\n');
    for (const secret of ['s3cr3t', 'tok', 'Bearer abc', '"p"']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    assert.ok(out.includes('AKIAEXAMPLE'), 'access key ids are identifiers, kept');
    assert.deepEqual(redact({ a: [{ token: 1 }] }), { a: [{ token: '[redacted]' }] });
  });
});
