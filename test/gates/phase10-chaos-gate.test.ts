/**
 * The chaos gate against a loopback AWS endpoint answering FIS (REST JSON: POST /experiments,
 * GET and DELETE /experiments/{id}) and CloudWatch (JSON 1.0: DescribeAlarms, DescribeAlarmHistory)
 * with responses in the services' wire format (shaped after the FIS and CloudWatch API references:
 * no real account was available to record from), through the real AWS probe (SigV4-signed FIS
 * calls, the SDK's CloudWatch client). The cluster reads (Deployments, Nodes) are answered by a
 * stand-in whose state changes as the experiment runs. Time is the fake clock's.
 */
import { strict as assert } from 'node:assert';
import { AwsReplay, type AwsRoute } from './aws-replay.js';
import { createAwsProbe } from '../../src/gates/probes/aws.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { runGate10 } from './phase10-fixtures.js';

const ACCT = '222222222222';
const ALARM = 'stg-slo-ingress-no-healthy-target';
const EXP = 'EXP9w8Yb2cTqL4hZ1v';
const T0 = 1_764_500_000;
const json = (body: unknown, status = 200) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
const amzJson = (body: unknown) => ({ status: 200, contentType: 'application/x-amz-json-1.0', body: JSON.stringify(body) });

function experiment(status: string, reason: string, actionStatus: string) {
  return {
    experiment: {
      id: EXP,
      arn: `arn:aws:fis:eu-west-1:${ACCT}:experiment/${EXP}`,
      experimentTemplateId: 'EXTterminate0001',
      roleArn: `arn:aws:iam::${ACCT}:role/platform-stg-fis-experiments`,
      state: { status, reason },
      targets: { 'cluster-nodes': { resourceType: 'aws:ec2:instance', selectionMode: 'COUNT(1)' } },
      actions: { 'terminate-one-node': { actionId: 'aws:ec2:terminate-instances', state: { status: actionStatus, reason: '' } } },
      stopConditions: [{ source: 'aws:cloudwatch:alarm', value: `arn:aws:cloudwatch:eu-west-1:${ACCT}:alarm:${ALARM}` }],
      creationTime: T0,
      startTime: T0 + 1,
      ...(['completed', 'stopped', 'failed'].includes(status) ? { endTime: T0 + 95 } : {}),
      tags: { 'platform:gate': 'chaos' },
    },
  };
}

function routes(o: { alarmState?: string; gets: Array<[string, string, string]>; history?: unknown[] }): AwsRoute[] {
  return [
    { service: 'monitoring', operation: 'DescribeAlarms', responses: [amzJson({ MetricAlarms: [{ AlarmName: ALARM, AlarmArn: `arn:aws:cloudwatch:eu-west-1:${ACCT}:alarm:${ALARM}`, StateValue: o.alarmState ?? 'OK', StateReason: o.alarmState === 'INSUFFICIENT_DATA' ? 'Insufficient Data: 2 datapoints were unknown.' : 'Threshold Crossed: 2 datapoints were not less than the threshold (1.0).', StateUpdatedTimestamp: T0 - 3600 }], CompositeAlarms: [] })] },
    { service: 'monitoring', operation: 'DescribeAlarmHistory', responses: [amzJson({ AlarmHistoryItems: o.history ?? [] })] },
    { service: 'fis', method: 'POST', path: '^/experiments$', responses: [json(experiment('initiating', 'Experiment is initiating.', 'pending'))] },
    { service: 'fis', method: 'GET', path: `^/experiments/${EXP}$`, responses: o.gets.map(([s, r, a]) => json(experiment(s, r, a))) },
    { service: 'fis', method: 'DELETE', path: `^/experiments/${EXP}$`, responses: [json(experiment('stopping', 'Experiment is stopping.', 'running'))] },
  ];
}

/**
 * A cluster whose app Rollout (phase 5 delivers every service as an Argo Rollout; no Deployments in
 * the app namespace) loses a replica while the experiment runs and gets it back `recoverAfter` reads
 * later. `empty`: no workload at all. `staleStatus`: the Rollout's status keeps saying 2 available
 * while its pods say otherwise (the controllers not caught up). `noMatchLabels`: a selector by
 * matchExpressions only.
 */
function cluster(recoverAfter: number, opts: { empty?: boolean; staleStatus?: boolean; noMatchLabels?: boolean } = {}) {
  let reads = 0;
  const down = () => reads > 1 && reads <= 1 + recoverAfter;
  const pod = (i: number, ready: boolean) => ({ metadata: { name: `catalog-${i}`, labels: { 'app.kubernetes.io/name': 'catalog' } }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
  return {
    list: async (kind: string) => {
      if (kind === 'Node') return [1, 2, 3].map((i) => ({ metadata: { name: `n${i}` }, status: { conditions: [{ type: 'Ready', status: i === 3 && down() ? 'False' : 'True' }] } }));
      // The pods (read after the Rollout in the same look): the second is not Ready while down.
      if (kind === 'Pod') return opts.empty ? [] : [pod(1, true), pod(2, !down()), { metadata: { name: 'other', labels: { 'app.kubernetes.io/name': 'cart' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }];
      if (kind === 'Deployment' || opts.empty) return [];
      assert.equal(kind, 'Rollout');
      reads++;
      const available = down() && !opts.staleStatus ? 1 : 2;
      const selector = opts.noMatchLabels ? { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['catalog'] }] } : { matchLabels: { 'app.kubernetes.io/name': 'catalog' } };
      return [{ metadata: { name: 'catalog' }, spec: { replicas: 2, selector }, status: { availableReplicas: available } }];
    },
  } as unknown as Probes['k8s'];
}

describe('phase 10 chaos gate against recorded-shape FIS and CloudWatch answers', function () {
  this.timeout(60_000);
  let replay: AwsReplay | undefined;
  afterEach(async () => {
    await replay?.stop();
    replay = undefined;
  });
  const probesFor = async (r: AwsRoute[], k8s: Probes['k8s']): Promise<Partial<Probes>> => {
    replay = new AwsReplay(r);
    const endpoint = await replay.start();
    return { aws: createAwsProbe({ region: 'eu-west-1', endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }, maxAttempts: 1 }), k8s };
  };
  const fisCalls = () => replay!.calls.filter((c) => c.service === 'fis').map((c) => `${c.method} ${c.path}`);

  it('completed, the SLO alarm never fired, workloads back: pass with the experiment and recovery in the evidence', async () => {
    const probes = await probesFor(routes({ gets: [['running', 'Experiment is running.', 'running'], ['running', 'Experiment is running.', 'running'], ['completed', 'Experiment completed.', 'completed']] }), cluster(2));
    const r = await runGate10('chaos', probes);
    assert.equal(r.status, 'pass', r.evidence.join('\n'));
    assert.deepEqual(fisCalls(), ['POST /experiments', ...Array(3).fill(`GET /experiments/${EXP}`)]);
    const start = JSON.parse(replay!.calls.find((c) => c.service === 'fis' && c.method === 'POST')!.body);
    assert.equal(start.experimentTemplateId, 'EXTterminate0001');
    assert.match(start.clientToken, /^platform-verify-\d+$/);
    const text = r.evidence.join('\n');
    assert.match(text, new RegExp(`experiment ${EXP} completed \\(2025-11-30T10:53:21.000Z to 2025-11-30T10:54:55.000Z\\); actions: terminate-one-node completed`));
    assert.match(text, /SLO alarm stg-slo-ingress-no-healthy-target: no change to ALARM during the experiment/);
    assert.match(text, /recovered \d+ s after the experiment ended: 3 Ready nodes, every workload at its desired replicas/);
    assert.match(text, /before: 3 Ready nodes; Rollout catalog 2\/2 in apps-stg/);
    // The request FIS saw was signed for the fis service.
    assert.ok(replay!.calls.every((c) => c.region === 'eu-west-1'));
  });

  it('stopped by its stop condition, the alarm having fired: terminal fail naming both', async () => {
    const history = [{ AlarmName: ALARM, AlarmType: 'MetricAlarm', Timestamp: T0 + 60, HistoryItemType: 'StateUpdate', HistorySummary: 'Alarm updated from OK to ALARM' }];
    const probes = await probesFor(routes({ gets: [['stopped', 'Experiment stopped by a stop condition.', 'cancelled']], history }), cluster(0));
    const r = await runGate10('chaos', probes);
    assert.equal(r.status, 'fail');
    assert.ok(r.evidence.includes(`experiment ${EXP} ended stopped: Experiment stopped by a stop condition.; actions: terminate-one-node cancelled`), r.evidence.join('\n'));
    assert.ok(r.evidence.some((e) => e.startsWith(`SLO alarm ${ALARM} fired during the experiment: 2025-11-30T10:54:20.000Z Alarm updated from OK to ALARM`)), r.evidence.join('\n'));
    // Terminal: one experiment, not one per retry.
    assert.equal(fisCalls().filter((c) => c.startsWith('POST')).length, 1);
  });

  it('a stop condition that cannot see its metric: fail without starting anything', async () => {
    const probes = await probesFor(routes({ alarmState: 'INSUFFICIENT_DATA', gets: [] }), cluster(0));
    const r = await runGate10('chaos', probes);
    assert.equal(r.status, 'fail');
    assert.match(r.evidence[0]!, /SLO alarm stg-slo-ingress-no-healthy-target is INSUFFICIENT_DATA \(Insufficient Data: .*\): the stop condition cannot see its metric; not starting/);
    assert.deepEqual(fisCalls(), []);
  });

  it('still running at the gate deadline: the gate stops the experiment and says so', async () => {
    const probes = await probesFor(routes({ gets: [['running', 'Experiment is running.', 'running']] }), cluster(0));
    const r = await runGate10('chaos', probes);
    assert.equal(r.status, 'fail');
    assert.equal(fisCalls().at(-1), `DELETE /experiments/${EXP}`);
    assert.match(r.evidence[0]!, new RegExp(`^stopped experiment ${EXP}: experiment ${EXP} still running at the gate's deadline$`));
  });

  it('workloads that do not come back: fail naming the Rollout and its replicas', async () => {
    const probes = await probesFor(routes({ gets: [['completed', 'Experiment completed.', 'completed']] }), cluster(10_000));
    const r = await runGate10('chaos', probes);
    assert.equal(r.status, 'fail');
    assert.ok(r.evidence.includes('not recovered within 15 min: Rollout apps-stg/catalog 1/2 available'), r.evidence.join('\n'));
    assert.ok(r.evidence.includes('not recovered within 15 min: 2 Ready nodes, 3 before'), r.evidence.join('\n'));
  });

  it('a Rollout whose status says 2/2 while only 1 of its pods is Ready (status not yet updated): not recovered, naming both counts', async () => {
    const probes = await probesFor(routes({ gets: [['completed', 'Experiment completed.', 'completed']] }), cluster(10_000, { staleStatus: true }));
    const r = await runGate10('chaos', probes);
    assert.equal(r.status, 'fail');
    assert.ok(r.evidence.includes('not recovered within 15 min: Rollout apps-stg/catalog 1/2 available (1 Ready pod; its status says 2: not yet updated by the controllers)'), r.evidence.join('\n'));
  });

  it('a Rollout selecting its pods without matchLabels: fail without starting (its pods could not be counted)', async () => {
    const probes = await probesFor(routes({ gets: [['completed', 'Experiment completed.', 'completed']] }), cluster(0, { noMatchLabels: true }));
    const r = await runGate10('chaos', probes);
    assert.equal(r.status, 'fail');
    assert.ok(r.evidence.includes('Rollout apps-stg/catalog: no matchLabels selector, so its pods cannot be counted: recovery could not be judged; not starting'), r.evidence.join('\n'));
    assert.deepEqual(fisCalls(), []);
  });

  it('no Deployment or Rollout in the app namespace: fail without starting (recovery could not be judged)', async () => {
    const probes = await probesFor(routes({ gets: [['completed', 'Experiment completed.', 'completed']] }), cluster(0, { empty: true }));
    const r = await runGate10('chaos', probes);
    assert.equal(r.status, 'fail');
    assert.ok(r.evidence.includes('no Deployment or Rollout in apps-stg: recovery could not be judged; not starting'), r.evidence.join('\n'));
    assert.deepEqual(fisCalls(), []);
  });
});
