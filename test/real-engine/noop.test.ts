import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliProject } from './cli-harness.js';
import { SpawnLog } from './spawn-log.js';

/**
 * A no-op `up` on the real engine (issue 21), through the built CLI over the test phases
 * (3 canary: a secret output `token`; 4 consumer: its inputs read that token), file backend:
 * - unchanged phases are decided from the checkpoint alone: no Pulumi CLI process at all (counted by
 *   a logging `pulumi` in front of the real one), so no `stack output --show-secrets`;
 * - a dependent that does run reads its upstream's secrets then, and gets the real value;
 * - a stack edited behind the CLI's back (its checkpoint changed) runs again.
 */
describe('no-op up on the real engine (CLI, file backend)', function () {
  this.timeout(600_000);
  let p: CliProject;
  let log: SpawnLog;
  const canary = `canary-${Math.random().toString(36).slice(2, 10)}`;
  const phaseRuns = (journal: Array<{ type: string } & Record<string, unknown>>) =>
    Object.fromEntries(journal.filter((e) => e.type === 'phase-status' && ['succeeded', 'skipped', 'failed'].includes(String(e.status))).map((e) => [e.phase, e.status]));
  const up = async () => {
    log.clear();
    const r = await p.run(['up', '--phase', '3..4', '--env', 'rt'], { PLATFORM_PULUMI_ROOT: log.root });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(!(r.stdout + r.stderr).includes(canary), 'the canary appeared in the output');
    return { ...r, phases: phaseRuns(p.journals().at(-1)!), spawns: log.lines() };
  };
  const scenario = (consumerContent: string) =>
    p.scenario({ 3: { dir: p.path('store3'), content: 'c', files: 2, canaryFile: p.path('canary') }, 4: { dir: p.path('store4'), content: consumerContent, files: 1 } });

  before(() => {
    p = new CliProject();
    log = new SpawnLog(p.dir, p.engineRoot);
    writeFileSync(p.path('canary'), `${canary}\n`, { mode: 0o600 });
    scenario('d');
  });
  after(() => p?.dispose());

  it('skips unchanged phases without starting the Pulumi CLI (no --show-secrets, no version)', async () => {
    const first = await up();
    assert.deepEqual(first.phases, { 3: 'succeeded', 4: 'succeeded' });
    assert.ok(first.spawns.length > 0, 'the logging pulumi saw no process: the count below would prove nothing');
    const rec = JSON.parse(readFileSync(p.path('.platform', 'state', '.platform-records', 'rt', 'phase-03.json'), 'utf8')) as { stateHash?: string };
    assert.match(rec.stateHash ?? '', /^[0-9a-f]{64}$/, 'the record keeps the state hash of the last up');

    const noop = await up();
    assert.deepEqual(noop.phases, { 3: 'skipped', 4: 'skipped' });
    assert.deepEqual(noop.spawns, [], `a no-op up started the Pulumi CLI: ${noop.spawns.join(' | ')}`);
  });

  it('a dependent that runs reads its upstream secret then (once), and gets the real value', async () => {
    scenario('d2');
    const r = await up();
    assert.deepEqual(r.phases, { 3: 'skipped', 4: 'succeeded' });
    const secretReads = r.spawns.filter((l) => l.includes('--show-secrets')).map((l) => /--stack (\S+)/.exec(l)?.[1]);
    // rt-03 because phase 4 consumes its token; rt-04 because the Automation API reads what its up made.
    assert.deepEqual([...new Set(secretReads)].sort(), ['rt-03-canary', 'rt-04-consumer'], r.spawns.join('\n'));
    assert.equal(secretReads.filter((s) => s === 'rt-03-canary').length, 1, 'the upstream secret was read more than once');
    const files = readdirSync(p.path('store4')).map((f) => readFileSync(join(p.path('store4'), f), 'utf8'));
    assert.ok(files.some((c) => c.includes(`size:${canary.length}`)), `phase 4 did not get the real token: ${files.join(' | ')}`);
  });

  it('a stack whose checkpoint changed behind the CLI runs again; its unchanged dependent is still skipped', async () => {
    const file = p.path('.platform', 'state', '.pulumi', 'stacks', 'platform', 'rt-03-canary.json');
    const cp = JSON.parse(readFileSync(file, 'utf8')) as { checkpoint: { latest: { resources: Array<{ type: string; outputs?: Record<string, unknown> }> } } };
    const root = cp.checkpoint.latest.resources.find((r) => r.type === 'pulumi:pulumi:Stack')!;
    assert.equal(root.outputs!.label, 'files:2');
    root.outputs!.label = 'edited behind the CLI';
    writeFileSync(file, JSON.stringify(cp, null, 4));

    const r = await up();
    assert.deepEqual(r.phases, { 3: 'succeeded', 4: 'skipped' });
    assert.equal(p.checkpoint('rt-03-canary').resources.length > 0, true);
    const again = JSON.parse(readFileSync(file, 'utf8')) as typeof cp;
    assert.equal(again.checkpoint.latest.resources.find((x) => x.type === 'pulumi:pulumi:Stack')!.outputs!.label, 'files:2', 'the run restored what the program declares');
  });
});
