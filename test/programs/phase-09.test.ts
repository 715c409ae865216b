/**
 * Phase 9 under Pulumi mocks (dev and prod) with phase 1 and phase 8 outputs of their contracts'
 * shapes: the four responders (Node.js 22 arm64, the esbuild bundle as code with its sha256, DLQ,
 * X-Ray, KMS-encrypted environment, reserved concurrency, JSON logs to a KMS log group kept a
 * year or more), one rule per event source with exactly the pattern of patterns.ts (phase 8's vaults
 * in the backup rules), each targeting its responder with the responder's DLQ and retries, the
 * invoke permission for that rule only, DLQ policies for those rules only, least-privilege roles,
 * the quarantine group without rules, the idempotency table, the cleanup schedule and the alarms.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvConfig } from '../../src/core/env.js';
import { evaluateProgram, type CapturedResource, type Evaluation } from '../../src/engine/simulate/evaluate.js';
import { phase, phase9Outputs, type Phase9Outputs } from '../../programs/09-automation/phase.js';
import { eventPatterns, RULE_TARGETS, RULES } from '../../programs/09-automation/patterns.js';
import { NO_RESOURCE_LEVEL_ACTIONS } from '../../programs/09-automation/policies.js';
import { LAMBDA_NAMES } from '../../lambdas/bundle.js';
import { sampleUpstream } from '../config/upstream-samples.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { phase1OutputsFor, shippedEnv } from './phase-02-upstream.js';
import { byType } from './phase-02-run.js';

const phase8 = (env: EnvConfig) => ({
  ...sampleUpstream[8]!,
  backupVaultArns: { primary: `arn:aws:backup:${env.regions.primary}:${env.accountId}:backup-vault:platform-${env.name}`, dr: `arn:aws:backup:${env.regions.dr}:${env.accountId}:backup-vault:platform-${env.name}-dr` },
});
/** Phase 1's outputs with the finding sources and alerts topic phase 9 reads. */
const phase1 = (env: EnvConfig): Record<string, any> => ({
  ...phase1OutputsFor(env),
  alertsTopicArn: `arn:aws:sns:${env.regions.primary}:${env.accountId}:platform-${env.name}-alerts`,
  guardDutyDetectorId: '12abc34d567e8fa901bc2d34e56789f0',
  configRecorderName: `platform-${env.name}`,
});
const ctx = (env: EnvConfig) => ({ env, organization: organizationFor(env).config, upstream: { 1: phase1(env), 8: phase8(env) }, simulated: true });
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

describe('phase 9 (automation) inputs', () => {
  it('refuse missing phase 8 outputs, naming phase 8', () => {
    const c = ctx(shippedEnv('dev'));
    delete (c.upstream as Record<number, unknown>)[8];
    assert.throws(() => phase.inputs(c), (e: any) => e.code === 'dependency-check' && /phase 8/.test(e.message));
  });
  it('keep responder logs at least a year, the env longer when it says so', () => {
    assert.equal(phase.inputs(ctx(shippedEnv('dev'))).logRetentionDays, 365);
    assert.equal(phase.inputs(ctx(shippedEnv('prod'))).logRetentionDays, shippedEnv('prod').network.flowLogRetentionDays);
  });
});

for (const name of ['dev', 'prod'] as const) {
  describe(`phase 9 (automation) program, ${name}`, function () {
    this.timeout(180_000);
    const env = shippedEnv(name);
    const p1 = phase1(env);
    const logsKey = p1.kmsKeyArns.logs as string;
    let ev: Evaluation;
    let out: Phase9Outputs;
    before(async () => {
      const inputs = phase.inputs(ctx(env));
      const program = await phase.loadProgram!();
      const stack = `${env.name}-09-automation`;
      ev = await evaluateProgram({ stack, synthetic: { accountId: env.accountId, region: env.regions.primary, stack }, program: () => program(inputs) });
      out = phase9Outputs.parse(ev.outputs);
    });
    const fnByName = (n: string) => byType(ev, 'aws:lambda/function:Function').find((f) => f.name === n)!;
    const queueOf = (n: string) => byType(ev, 'aws:sqs/queue:Queue').find((q) => q.name === `${n}-dlq`)!;

    it('four responders: Node.js 22 on arm64, the bundle with its hash, DLQ, X-Ray, KMS environment, reserved concurrency, JSON logs', async () => {
      const fns = byType(ev, 'aws:lambda/function:Function');
      assert.deepEqual(fns.map((f) => f.name).sort(), [...LAMBDA_NAMES].sort());
      for (const f of fns) {
        const i = f.inputs as any;
        assert.equal(i.runtime, 'nodejs22.x');
        assert.deepEqual(i.architectures, ['arm64']);
        assert.equal(i.handler, 'index.handler');
        assert.equal(i.name, `platform-${env.name}-${f.name}`);
        const dir = (await i.code.path) as string; // a pulumi.asset.FileArchive
        assert.ok(existsSync(join(dir, 'index.mjs')), `${dir}/index.mjs written`);
        assert.equal(createHash('sha256').update(readFileSync(join(dir, 'index.mjs'))).digest('base64'), i.sourceCodeHash, 'code hash is the bundle');
        assert.equal(i.deadLetterConfig.targetArn, (queueOf(f.name).state as any).arn);
        assert.match(i.deadLetterConfig.targetArn, new RegExp(`:platform-${env.name}-${f.name}-dlq$`));
        assert.deepEqual(i.tracingConfig, { mode: 'Active' });
        assert.equal(i.kmsKeyArn, logsKey);
        assert.ok(i.reservedConcurrentExecutions >= 1 && i.reservedConcurrentExecutions <= 5);
        assert.deepEqual(i.loggingConfig, { logFormat: 'JSON', logGroup: `/aws/lambda/platform-${env.name}-${f.name}` });
        assert.equal(i.environment.variables.PLATFORM_ENV, env.name);
        assert.ok(f.provider?.includes('pulumi:providers:aws::aws-env'));
      }
      const ar = fnByName('alert-responder').inputs as any;
      assert.match(ar.environment.variables.QUARANTINE_SECURITY_GROUP_ID, /^sg-/);
      assert.equal(ar.environment.variables.QUARANTINE_VPC_ID, p1.vpcId);
      assert.equal((fnByName('backup-watcher').inputs as any).environment.variables.BACKUP_VAULT_ARNS, `${phase8(env).backupVaultArns.primary},${phase8(env).backupVaultArns.dr}`);
      for (const c of byType(ev, 'aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig')) {
        assert.equal((c.inputs as any).maximumRetryAttempts, 2);
        assert.equal((c.inputs as any).maximumEventAgeInSeconds, 3600);
      }
    });

    it('log groups kept a year or more, encrypted with the logs key; DLQs encrypted with it, kept 14 days', () => {
      const groups = byType(ev, 'aws:cloudwatch/logGroup:LogGroup');
      assert.equal(groups.length, 4);
      for (const g of groups) {
        assert.ok(Number((g.inputs as any).retentionInDays) >= 365);
        assert.equal((g.inputs as any).kmsKeyId, logsKey);
      }
      const qs = byType(ev, 'aws:sqs/queue:Queue');
      assert.equal(qs.length, 4);
      for (const q of qs) {
        assert.equal((q.inputs as any).kmsMasterKeyId, logsKey);
        assert.equal((q.inputs as any).messageRetentionSeconds, 1_209_600);
      }
    });

    it('one rule per event source with exactly its pattern, ENABLED, targeting its responder with DLQ and retries; invoke permission for that rule only', () => {
      const want = eventPatterns({ backupVaultArns: phase8(env).backupVaultArns });
      const rules = byType(ev, 'aws:cloudwatch/eventRule:EventRule');
      assert.deepEqual(rules.map((r) => r.name).sort(), [...RULES].sort());
      const targets = byType(ev, 'aws:cloudwatch/eventTarget:EventTarget');
      const perms = byType(ev, 'aws:lambda/permission:Permission');
      for (const r of RULES) {
        const rule = rules.find((x) => x.name === r)!;
        assert.deepEqual(JSON.parse((rule.inputs as any).eventPattern), want[r]);
        assert.equal((rule.inputs as any).state, 'ENABLED');
        const ruleArn = out.ruleArns[r];
        const t = targets.filter((x) => (x.inputs as any).rule === `platform-${env.name}-${r}`);
        assert.equal(t.length, 1, `${r}: one target`);
        const fn = RULE_TARGETS[r];
        assert.equal((t[0]!.inputs as any).arn, out.functionArns[fn]);
        assert.equal((t[0]!.inputs as any).deadLetterConfig.arn, out.dlqArns[fn]);
        assert.deepEqual((t[0]!.inputs as any).retryPolicy, { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 3600 });
        const p = perms.filter((x) => (x.inputs as any).sourceArn === ruleArn);
        assert.equal(p.length, 1, `${r}: one permission`);
        assert.equal((p[0]!.inputs as any).principal, 'events.amazonaws.com');
        assert.equal((p[0]!.inputs as any).function, `platform-${env.name}-${fn}`);
        assert.equal((p[0]!.inputs as any).sourceAccount, env.accountId);
      }
      for (const qp of byType(ev, 'aws:sqs/queuePolicy:QueuePolicy')) {
        const d = JSON.parse((qp.inputs as any).policy);
        const fn = qp.name.replace(/-dlq-policy$/, '');
        const mine = RULES.filter((r) => RULE_TARGETS[r] === fn).map((r) => out.ruleArns[r]).sort();
        assert.deepEqual(list(d.Statement[0].Condition.ArnEquals['aws:SourceArn']).sort(), mine, `${fn}: DLQ open to its own rules only`);
        assert.deepEqual(d.Statement[0].Principal, { Service: 'events.amazonaws.com' });
      }
    });

    it('roles: Lambda of this account only; Resource "*" only for actions without resource-level permissions; quarantine and tags scoped', () => {
      const roles = byType(ev, 'aws:iam/role:Role');
      const policies = byType(ev, 'aws:iam/rolePolicy:RolePolicy');
      for (const fn of LAMBDA_NAMES) {
        const role = roles.find((r) => r.name === `${fn}-role`)!;
        const trust = JSON.parse((role.inputs as any).assumeRolePolicy);
        assert.deepEqual(trust.Statement[0].Principal, { Service: 'lambda.amazonaws.com' });
        assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { 'aws:SourceAccount': env.accountId } });
        const doc = JSON.parse((policies.find((p) => p.name === `${fn}-policy`)!.inputs as any).policy);
        for (const s of doc.Statement) {
          assert.equal(s.Effect, 'Allow');
          for (const a of list(s.Action) as string[]) assert.ok(!a.includes('*'), `${fn}: wildcard action ${a}`);
          if (list(s.Resource).includes('*')) for (const a of list(s.Action)) assert.ok((NO_RESOURCE_LEVEL_ACTIONS as readonly string[]).includes(a as string), `${fn}: ${a} on "*"`);
        }
        const actions = doc.Statement.flatMap((s: any) => list(s.Action));
        assert.ok(!actions.some((a: string) => a.startsWith('iam:')), `${fn}: no IAM actions`);
        if (fn === 'backup-watcher') assert.ok(!actions.some((a: string) => a.startsWith('ec2:')), 'the backup watcher has no EC2 access');
      }
      const ar = JSON.parse((policies.find((p) => p.name === 'alert-responder-policy')!.inputs as any).policy);
      const q = ar.Statement.find((s: any) => s.Sid === 'QuarantineInterfaces');
      assert.ok(list(q.Resource).some((r: any) => /:security-group\/sg-/.test(String(r))), 'only the quarantine group may be assigned');
      assert.deepEqual(ar.Statement.find((s: any) => s.Sid === 'TagInstancesWithOwnKeys').Condition, { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['platform:quarantined-by-finding', 'platform:pre-quarantine-groups'] } });
      const cl = JSON.parse((policies.find((p) => p.name === 'cleanup-policy')!.inputs as any).policy);
      assert.deepEqual(cl.Statement.find((s: any) => s.Sid === 'DeleteOwnSnapshots').Condition, { StringEquals: { 'aws:ResourceTag/platform:env': env.name } });
      assert.deepEqual(cl.Statement.find((s: any) => s.Sid === 'DeleteCsiVolumes').Condition, { Null: { 'aws:ResourceTag/kubernetes.io/created-for/pvc/name': 'false' } });
    });

    it('the quarantine group has no rules and lives in the primary VPC; the idempotency table is KMS-encrypted with TTL and PITR', () => {
      const [sg] = byType(ev, 'aws:ec2/securityGroup:SecurityGroup') as CapturedResource[];
      assert.equal((sg!.inputs as any).vpcId, p1.vpcId);
      assert.deepEqual((sg!.inputs as any).ingress, []);
      assert.deepEqual((sg!.inputs as any).egress, []);
      const [t] = byType(ev, 'aws:dynamodb/table:Table');
      const ti = t!.inputs as any;
      assert.deepEqual(ti.serverSideEncryption, { enabled: true, kmsKeyArn: logsKey });
      assert.deepEqual(ti.ttl, { attributeName: 'expiresAt', enabled: true });
      assert.deepEqual(ti.pointInTimeRecovery, { enabled: true });
      assert.equal(ti.deletionProtectionEnabled, name === 'prod');
    });

    it('the cleanup schedule: ENABLED daily on the cleanup function, retries, DLQ, a role trusting Scheduler of this account that may only invoke it', () => {
      const [s] = byType(ev, 'aws:scheduler/schedule:Schedule');
      const si = s!.inputs as any;
      assert.equal(si.state, 'ENABLED');
      assert.equal(si.scheduleExpression, 'cron(30 4 * * ? *)');
      assert.equal(si.target.arn, out.functionArns.cleanup);
      assert.equal(si.target.deadLetterConfig.arn, out.dlqArns.cleanup);
      assert.deepEqual(JSON.parse(si.target.input), { dryRun: false });
      const role = byType(ev, 'aws:iam/role:Role').find((r) => r.name === 'cleanup-scheduler')!;
      assert.deepEqual(JSON.parse((role.inputs as any).assumeRolePolicy).Statement[0].Principal, { Service: 'scheduler.amazonaws.com' });
      const pol = JSON.parse((byType(ev, 'aws:iam/rolePolicy:RolePolicy').find((p) => p.name === 'cleanup-scheduler')!.inputs as any).policy);
      assert.deepEqual(pol.Statement.find((x: any) => x.Sid === 'InvokeCleanup').Resource, out.functionArns.cleanup);
    });

    it('alarms on errors, throttles and DLQ depth of every responder, to the alerts topic; outputs by the contract', () => {
      const alarms = byType(ev, 'aws:cloudwatch/metricAlarm:MetricAlarm');
      assert.equal(alarms.length, 12);
      for (const a of alarms) {
        assert.deepEqual((a.inputs as any).alarmActions, [p1.alertsTopicArn]);
        assert.equal((a.inputs as any).threshold, 0);
      }
      assert.equal(out.alarmArns.length, 12);
      assert.deepEqual(Object.keys(out.ruleArns).sort(), [...RULES].sort());
      assert.deepEqual(Object.keys(out.functionArns).sort(), [...LAMBDA_NAMES].sort());
    });
  });
}
