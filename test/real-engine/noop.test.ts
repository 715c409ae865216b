import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { parse, stringify } from 'yaml';
import { CliProject } from './cli-harness.js';
import { SpawnLog } from './spawn-log.js';
import { startMoto, type Moto } from './moto.js';

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

/**
 * Compressed checkpoints, as Pulumi writes them on request: gzip is read directly (still no Pulumi
 * process); zstd is not read by this CLI, so the decision takes one `pulumi stack export` per stack
 * (after the once-per-process `version`), never `--show-secrets`, and the journal says why.
 */
describe('no-op up on the real engine: gzip and zstd checkpoints', function () {
  this.timeout(600_000);
  let p: CliProject;
  let log: SpawnLog;
  const up = async (extra: NodeJS.ProcessEnv, args: string[] = []) => {
    log.clear();
    const r = await p.run(['up', '--phase', '3', '--env', 'rt', ...args], { PLATFORM_PULUMI_ROOT: log.root, ...extra });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const journal = p.journals().at(-1)!;
    const status = journal.find((e) => e.type === 'phase-status' && e.phase === 3 && ['succeeded', 'skipped'].includes(String(e.status)))?.status;
    return { status, spawns: log.lines(), journal };
  };
  before(() => {
    p = new CliProject();
    log = new SpawnLog(p.dir, p.engineRoot);
    writeFileSync(p.path('canary'), 'gz-canary-value\n', { mode: 0o600 });
    p.scenario({ 3: { dir: p.path('store3'), content: 'z', files: 1, canaryFile: p.path('canary') } });
  });
  after(() => p?.dispose());

  it('gzip: read directly, no Pulumi process', async () => {
    const gz = { PULUMI_DIY_BACKEND_GZIP: 'true' };
    assert.equal((await up(gz)).status, 'succeeded');
    assert.ok(readdirSync(p.path('.platform', 'state', '.pulumi', 'stacks', 'platform')).includes('rt-03-canary.json.gz'));
    const noop = await up(gz);
    assert.equal(noop.status, 'skipped');
    assert.deepEqual(noop.spawns, []);
  });

  it('zstd: one stack export (plus version once), stated in the journal', async () => {
    const zst = { PULUMI_DIY_BACKEND_ZSTD: 'true' };
    assert.equal((await up(zst, ['--force'])).status, 'succeeded');
    assert.ok(readdirSync(p.path('.platform', 'state', '.pulumi', 'stacks', 'platform')).includes('rt-03-canary.json.zst'));
    const noop = await up(zst);
    assert.equal(noop.status, 'skipped');
    assert.deepEqual(noop.spawns.map((l) => l.replace(/ --non-interactive/, '')), ['version', 'stack export --stack rt-03-canary']);
    const said = noop.journal.filter((e) => e.type === 'diagnostic').map((e) => String(e.message));
    assert.ok(said.some((m) => /read stack rt-03-canary with one Pulumi CLI call: .*rt-03-canary\.json\.zst is zstd-compressed/.test(m)), said.join('\n'));
  });
});

/**
 * The same on an `s3://` backend (moto on loopback): the engine keeps its checkpoint in the bucket,
 * the CLI reads it with the AWS SDK, and a no-op `up` starts no Pulumi process.
 */
describe('no-op up on the real engine: s3 backend', function () {
  this.timeout(600_000);
  let p: CliProject;
  let log: SpawnLog;
  let moto: Moto;
  let aws: NodeJS.ProcessEnv;
  before(async () => {
    moto = await startMoto();
    const s3 = new S3Client({ endpoint: moto.endpoint, region: 'eu-west-1', forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await s3.send(new CreateBucketCommand({ Bucket: 'noop-state', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    s3.destroy();
    p = new CliProject();
    log = new SpawnLog(p.dir, p.engineRoot);
    const envFile = p.path('stacks', 'rt.yaml');
    const env = parse(readFileSync(envFile, 'utf8')) as Record<string, unknown>;
    env.backend = { url: `s3://noop-state/teams/rt?region=eu-west-1&endpoint=${moto.endpoint}&use_path_style=true` };
    writeFileSync(envFile, stringify(env));
    writeFileSync(p.path('canary'), 's3-canary-value\n', { mode: 0o600 });
    p.scenario({ 3: { dir: p.path('store3'), content: 's', files: 1, canaryFile: p.path('canary') } });
    aws = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'eu-west-1', PLATFORM_AWS_ENDPOINT: moto.endpoint, PLATFORM_PULUMI_ROOT: log.root };
  });
  after(async () => {
    p?.dispose();
    await moto?.stop();
  });

  it('reads the checkpoint from the bucket: no Pulumi process for the skip', async () => {
    const first = await p.run(['up', '--phase', '3', '--env', 'rt'], aws);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    log.clear();
    const r = await p.run(['up', '--phase', '3', '--env', 'rt'], aws);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /phase 3 canary: skipped \(unchanged since/);
    assert.deepEqual(log.lines(), []);
  });
});
