/**
 * Phase 2 through the simulate engine, as `platform up --phase 2 --env local` runs it: the phase
 * module is imported in a fresh worker process with plain JSON inputs built from the shipped
 * `local` env and phase-1 outputs; the stack's outputs pass the phase-2 contract, the kubeconfig
 * is reported secret and never stored in plain text, and a second `up` changes nothing.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlatformEvent } from '../../src/core/events.js';
import { stackName } from '../../src/core/phase.js';
import type { StackRef } from '../../src/core/ports.js';
import { builtCode } from '../helpers/built.js';
import { phase, phase2Outputs } from '../../programs/02-cluster/phase.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { phase1OutputsFor, shippedEnv } from './phase-02-upstream.js';

describe('phase 2 (cluster) under the simulate engine, local env', function () {
  this.timeout(180_000);
  const env = shippedEnv('local');
  const stack: StackRef = { env: env.name, phase: 2, slug: phase.slug, name: stackName(env.name, phase) };
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'platform-p2-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('deploys with outputs that pass the contract, keeps the kubeconfig secret, and is idempotent', async () => {
    const stateDir = join(dir, 'simulate', env.name);
    // The built engine and phase module, as the CLI runs them (the worker on plain Node).
    const built = await builtCode();
    const engine = built.createSimulateEngine({ stateDir });
    const inputs = phase.inputs({ env, organization: organizationFor(env).config, upstream: { 1: phase1OutputsFor(env) }, simulated: true });
    const events: PlatformEvent[] = [];
    const req = { stack, env, phase: built.phases.find((p) => p.id === 2)!, inputs, signal: new AbortController().signal, emit: (e: PlatformEvent) => events.push(e) };

    const first = await engine.up(req);
    assert.ok(first.changes.create > 50, `creates the cluster and its add-ons (${first.changes.create})`);
    const outputs = await engine.outputs(stack, env);
    const plain = Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, (v as { value: unknown }).value]));
    const parsed = phase2Outputs.parse(plain);
    assert.equal(parsed.clusterName, env.cluster.name);
    assert.equal((outputs.kubeconfig as { secret: boolean }).secret, true);
    assert.equal((outputs.clusterName as { secret: boolean }).secret, false);

    const files = await readdir(stateDir);
    const state = await readFile(join(stateDir, files.find((f) => f.startsWith(stack.name))!), 'utf8');
    assert.ok(!state.includes(parsed.kubeconfig), 'the kubeconfig is not stored in plain text');
    assert.ok(!JSON.stringify(events).includes(parsed.kubeconfig), 'nor emitted in events');

    const second = await engine.up(req);
    assert.equal(second.changes.create + second.changes.update + second.changes.replace + second.changes.delete, 0);
  });
});
