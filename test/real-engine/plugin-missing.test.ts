/**
 * `platform up --phase 0 --env local --engine pulumi` on this machine: the real phase 0 program needs
 * the AWS provider plugin, which is not installed and may not be downloaded. The engine must say
 * exactly that (plugin-missing, exit 2, the install command), not throw a stack trace.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ExitCode, type PlatformError } from '../../src/core/errors.js';
import { loadEnv } from '../../src/config/load-env.js';
import { loadOrganization } from '../../src/config/load-organization.js';
import { organizationTarget } from '../../src/core/organization.js';
import { phase } from '../../programs/00-organization/phase.js';
import { makeHarness, REPO_ROOT, rejection } from './harness.js';

describe('real engine: a missing provider plugin', function () {
  this.timeout(180_000);

  it('phase 0 of env local fails with plugin-missing naming aws and its version', async () => {
    const h = makeHarness();
    try {
      const local = await loadEnv(REPO_ROOT, 'local');
      const org = await loadOrganization(REPO_ROOT, { local: true });
      const env = { ...organizationTarget(org, local), backend: h.env.backend, secrets: h.env.secrets, engine: 'pulumi' as const };
      const inputs = phase.inputs({ env: local, organization: org, upstream: {}, simulated: false });
      const stack = { env: env.name, phase: phase.id, slug: phase.slug, name: `${env.name}-00-${phase.slug}` };
      const e = (await rejection(h.engine.up({ stack, env, phase, inputs, signal: new AbortController().signal, emit: (ev) => h.events.push(ev) }))) as PlatformError;
      assert.equal(e.code, 'plugin-missing', String(e));
      assert.equal(e.exitCode, ExitCode.Usage);
      assert.match(e.message, /the Pulumi provider plugin 'aws' v7\.48\.0 is not installed, and plugin downloads are off/);
      assert.match(e.hint!, /pulumi plugin install resource aws 7\.48\.0/);
      assert.ok(!/\n\s+at /.test(e.message), 'no stack trace in the message');
      assert.ok(!JSON.stringify(h.events).includes(join(REPO_ROOT, 'node_modules')), 'no internal paths in events');
    } finally {
      h.cleanup();
    }
  });
});
