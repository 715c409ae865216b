/**
 * The simulate engine: the shared engine contract (temp-dir state), then what only this engine
 * promises: its state file (atomic writes, schema version, corrupt-file errors, no plaintext secret
 * inputs), the in-flight marker a killed run leaves behind, and its own error mapping.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isPlatformError, type PlatformError } from '../../src/core/errors.js';
import type { PlatformEvent } from '../../src/core/events.js';
import { stackName, type AnyPhase } from '../../src/core/phase.js';
import type { StackRef } from '../../src/core/ports.js';
import { STATE_SCHEMA_VERSION, StateStore, type SimStackState } from '../../src/engine/simulate/state-store.js';
import { engineContract } from '../engine-contract/suite.js';
import { contractEnv } from '../helpers/env-fixtures.js';
import { defaultRecords, type ContractPhases } from '../engine-contract/phases/index.js';
import { builtContract, builtUrl, type BuiltContract } from '../helpers/built.js';

// The built engine and the built contract phases, as the CLI runs them (workers on plain Node).
engineContract('simulate', async () => {
  const built = await builtContract();
  const dir = await mkdtemp(join(tmpdir(), 'platform-sim-'));
  return {
    engine: built.createSimulateEngine({ stateDir: join(dir, 'simulate', 'ct') }),
    env: contractEnv('ct'),
    phases: built.contractPhases(),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('simulate engine', function () {
  let dir: string;
  let stateDir: string;
  const env = contractEnv('ct');
  let createSimulateEngine: BuiltContract['createSimulateEngine'];
  let phases: ContractPhases;
  let exitingPhase: AnyPhase;
  before(async () => {
    const built = await builtContract();
    createSimulateEngine = built.createSimulateEngine;
    phases = built.contractPhases();
    exitingPhase = (await built.fixture('exiting-phase')).phase as AnyPhase;
  });
  const ref = (phase: AnyPhase): StackRef => ({ env: env.name, phase: phase.id, slug: phase.slug, name: stackName(env.name, phase) });
  const fileOf = (phase: AnyPhase) => join(stateDir, `${stackName(env.name, phase)}.json`);
  const request = (phase: AnyPhase, inputs: unknown, events: PlatformEvent[] = [], signal = new AbortController().signal) => ({
    stack: ref(phase),
    env,
    phase,
    inputs,
    signal,
    emit: (e: PlatformEvent) => events.push(e),
  });
  const codeOf = (code: string) => (e: unknown) => isPlatformError(e) && e.code === code;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'platform-sim-'));
    stateDir = join(dir, 'simulate', 'ct');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('state file', () => {
    it('keeps one versioned file per stack, mode 0600, with no temp files left behind', async () => {
      const engine = createSimulateEngine({ stateDir });
      await engine.up(request(phases.records, { records: defaultRecords() }));
      assert.deepEqual(await readdir(stateDir), [`${stackName(env.name, phases.records)}.json`]);
      const state = JSON.parse(await readFile(fileOf(phases.records), 'utf8'));
      assert.equal(state.schemaVersion, STATE_SCHEMA_VERSION);
      assert.equal(state.stack, 'ct-01-contract-records');
      assert.equal(state.lastResult, 'succeeded');
      assert.deepEqual(state.pendingOperations, []);
      assert.ok(state.resources.some((r: { name: string }) => r.name === 'a'));
      assert.equal((await stat(fileOf(phases.records))).mode & 0o777, 0o600);
    });

    it('keeps secret inputs only as hashes; the secret output is stored flagged', async () => {
      const engine = createSimulateEngine({ stateDir });
      const password = 'pw-State-91b2e0';
      await engine.up(request(phases.secrets, { password }));
      const state = JSON.parse(await readFile(fileOf(phases.secrets), 'utf8'));
      const credential = state.resources.find((r: { name: string }) => r.name === 'credential');
      assert.deepEqual(credential.secretInputs, ['content']);
      assert.match(credential.inputs.content.secretSha256, /^[0-9a-f]{64}$/);
      assert.ok(!JSON.stringify(state.resources).includes(password), 'no plaintext secret input in the state');
      assert.deepEqual(state.outputs.token, { value: `token:${password}`, secret: true });
      const changedSecret = await engine.up(request(phases.secrets, { password: `${password}-2` }));
      assert.equal(changedSecret.changes.update, 1, 'a changed secret is still detected through its hash');
    });

    it('writes atomically: concurrent readers never see a partial file', async () => {
      const store = new StateStore(stateDir);
      const big = (n: number): SimStackState => ({
        schemaVersion: STATE_SCHEMA_VERSION,
        stack: 'ct-01-big',
        createdAt: new Date(0).toISOString(),
        updatedAt: new Date(n).toISOString(),
        resources: Array.from({ length: 2000 }, (_, i) => ({
          urn: `urn:pulumi:ct-01-big::platform::test:index:Thing::t${i}`,
          type: 'test:index:Thing',
          name: `t${i}`,
          custom: true,
          id: `id-${n}-${i}`,
          inputs: { payload: 'x'.repeat(64) },
          secretInputs: [],
        })),
        outputs: { n: { value: n, secret: false } },
        pendingOperations: [],
      });
      await store.write(big(0));
      let writing = true;
      const writer = (async () => {
        for (let n = 1; n <= 15; n++) await store.write(big(n));
        writing = false;
      })();
      let reads = 0;
      while (writing) {
        const s = await store.read('ct-01-big'); // throws recovery-needed on a torn file
        assert.equal(s!.resources.length, 2000);
        reads++;
      }
      await writer;
      assert.ok(reads > 0);
      assert.equal((await store.read('ct-01-big'))!.outputs.n!.value, 15);
      assert.deepEqual((await readdir(stateDir)).filter((f) => f.endsWith('.tmp')), []);
    });

    it('a corrupt state file is a recovery-needed error naming the file, for every operation', async () => {
      const engine = createSimulateEngine({ stateDir });
      await mkdir(stateDir, { recursive: true });
      await writeFile(fileOf(phases.records), '{"schemaVersion": 1, "stack": "ct-01-contract-rec');
      const names = (e: unknown) =>
        isPlatformError(e) && e.code === 'recovery-needed' && e.message.includes(fileOf(phases.records)) && e.value === fileOf(phases.records) && !!e.hint;
      await assert.rejects(engine.info(ref(phases.records), env), names);
      await assert.rejects(engine.outputs(ref(phases.records), env), names);
      await assert.rejects(engine.up(request(phases.records, { records: defaultRecords() })), names);
      await assert.rejects(engine.destroy(request(phases.records, undefined)), names);
      assert.equal(await readFile(fileOf(phases.records), 'utf8'), '{"schemaVersion": 1, "stack": "ct-01-contract-rec', 'left as it was');
    });

    it('an unknown schema version or a malformed field is refused with the reason', async () => {
      const engine = createSimulateEngine({ stateDir });
      await mkdir(stateDir, { recursive: true });
      await writeFile(fileOf(phases.records), JSON.stringify({ schemaVersion: 99, stack: 'ct-01-contract-records' }));
      await assert.rejects(engine.info(ref(phases.records), env), (e: unknown) => codeOf('recovery-needed')(e) && /schemaVersion is 99/.test((e as Error).message));
      const good = { schemaVersion: 1, stack: 'ct-01-contract-records', createdAt: 'x', updatedAt: 'x', resources: [], outputs: {}, pendingOperations: 'none' };
      await writeFile(fileOf(phases.records), JSON.stringify(good));
      await assert.rejects(engine.info(ref(phases.records), env), (e: unknown) => codeOf('recovery-needed')(e) && /pendingOperations/.test((e as Error).message));
    });
  });

  describe('in-flight marker', () => {
    it('a run killed mid-update leaves the stack in-progress with pending operations; the next up clears them', async function () {
      const engine = createSimulateEngine({ stateDir });
      await engine.up(request(phases.slow, { delayMs: 0 }));
      const script = fileURLToPath(new URL('./fixtures/run-slow-up.ts', import.meta.url));
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
      const child = spawn(process.execPath, ['--import', tsx, script, stateDir, '600000'], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        // Real waiting: another process writes the marker; poll it (bounded), no clock to fake.
        const deadline = Date.now() + 30_000;
        let info = await engine.info(ref(phases.slow), env);
        while (info.lastResult !== 'in-progress' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          info = await engine.info(ref(phases.slow), env);
        }
        assert.equal(info.lastResult, 'in-progress', 'the marker was written');
      } finally {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
      const killed = await engine.info(ref(phases.slow), env);
      assert.equal(killed.lastResult, 'in-progress');
      assert.deepEqual(killed.pendingOperations, [
        { urn: 'urn:pulumi:ct-05-contract-slow::platform::pulumi:pulumi:Stack::platform-ct-05-contract-slow', type: 'pulumi:pulumi:Stack', op: 'update' },
      ]);
      assert.equal((await engine.outputs(ref(phases.slow), env)).waitedMs!.value, 0, 'the last good outputs are kept');
      const events: PlatformEvent[] = [];
      await engine.up(request(phases.slow, { delayMs: 1 }, events));
      const warning = events.find((e) => e.type === 'diagnostic');
      assert.ok(warning && warning.type === 'diagnostic' && warning.severity === 'warning' && /1 pending operation/.test(warning.message), JSON.stringify(warning));
      const after = await engine.info(ref(phases.slow), env);
      assert.equal(after.lastResult, 'succeeded');
      assert.deepEqual(after.pendingOperations, []);
    });
  });

  describe('errors', () => {
    it("a program's exception is a bug in the program with its file:line; the stack trace only with verbose", async () => {
      const quiet = await createSimulateEngine({ stateDir })
        .up(request(phases.failing, { fail: true }))
        .then(() => assert.fail('resolved'), (e: PlatformError) => e);
      assert.equal(quiet.code, 'program-bug');
      const file = fileURLToPath(new URL('../engine-contract/phases/failing.ts', import.meta.url));
      const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('throw new Error(FAILURE_MESSAGE)')) + 1;
      const at = `${relative(process.cwd(), file)}:${line}`;
      assert.equal(quiet.message, `phase 4: bug in the phase program at ${at} (stack ct-04-contract-failing): contract phase failed on purpose`);
      assert.equal(quiet.value, at);
      assert.equal(quiet.cause, undefined);
      const loud = await createSimulateEngine({ stateDir, verbose: true })
        .up(request(phases.failing, { fail: true }))
        .then(() => assert.fail('resolved'), (e: PlatformError) => e);
      assert.match(String((loud.cause as Error).stack), /failing\.ts/);
    });

    it('a worker that exits without replying is engine-failed, never a success', async () => {
      const engine = createSimulateEngine({ stateDir });
      const err = await engine.up(request(exitingPhase, { code: 3 })).then(() => assert.fail('resolved'), (e: PlatformError) => e);
      assert.equal(err.code, 'engine-failed');
      assert.match(err.message, /exited \(code 3\) without a result/);
      assert.match(String((err.cause as Error).message), /exiting on purpose/);
      assert.equal((await engine.info(ref(exitingPhase), env)).lastResult, 'failed');
    });

    it('a module without a `phase` export is engine-failed naming the module', async () => {
      const engine = createSimulateEngine({ stateDir });
      const moduleUrl = builtUrl('test/engine/fixtures/no-export-phase.ts');
      const err = await engine.preview(request({ ...phases.slow, module: moduleUrl }, { delayMs: 0 })).then(() => assert.fail('resolved'), (e: PlatformError) => e);
      assert.equal(err.code, 'engine-failed');
      assert.ok(err.message.includes(moduleUrl) && /no 'phase' export/.test(err.message), err.message);
    });

    it('an evaluation past the timeout is killed and fails', async () => {
      const engine = createSimulateEngine({ stateDir, timeoutMs: 1_500 });
      const err = await engine.up(request(phases.slow, { delayMs: 600_000 })).then(() => assert.fail('resolved'), (e: PlatformError) => e);
      assert.equal(err.code, 'engine-failed');
      assert.match(err.message, /timed out after 1500 ms/);
      const info = await engine.info(ref(phases.slow), env);
      assert.equal(info.lastResult, 'failed');
      assert.deepEqual(info.pendingOperations, []);
    });

    it('destroy of a missing stack is stack-not-found and creates nothing', async () => {
      const engine = createSimulateEngine({ stateDir });
      await assert.rejects(engine.destroy(request(phases.records, undefined)), codeOf('stack-not-found'));
      assert.equal((await engine.info(ref(phases.records), env)).exists, false);
    });
  });

  describe('planned resources', () => {
    it('lists every registered resource with its URN, masks secret inputs and drops the dynamic provider code', async () => {
      const engine = createSimulateEngine({ stateDir });
      const result = await engine.preview(request(phases.secrets, { password: 'pw-Plan-33aa' }));
      const byName = Object.fromEntries(result.resources!.map((r) => [r.name, r]));
      assert.equal(byName['platform-ct-02-contract-secrets']!.type, 'pulumi:pulumi:Stack');
      const credential = byName.credential!;
      assert.equal(credential.urn, 'urn:pulumi:ct-02-contract-secrets::platform::pulumi-nodejs:dynamic:Resource::credential');
      assert.equal(credential.phase, 2);
      assert.deepEqual(credential.inputs, { name: 'credential', content: '[secret]' });
      assert.deepEqual(credential.secretInputs, ['content']);
    });
  });
});
