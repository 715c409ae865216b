/**
 * Phase 4's CDC gates on the real software: PostgreSQL (Debian's server), a single-node KRaft Kafka
 * and a Kafka Connect worker with the Debezium PostgreSQL connector, all configured by the phase-4
 * program's own configuration functions (test/cdc/pipeline.ts), checked by the phase's own gates
 * through the real gates runner. Needs scripts/install-cdc.sh (CI runs it); never skips.
 */
import { strict as assert } from 'node:assert';
import { loadEnv } from '../../src/config/load-env.js';
import { runGates } from '../../src/gates/run-gates.js';
import { systemClock } from '../../src/state/clock.js';
import { phaseGates } from '../../src/core/phase.js';
import type { GateResult } from '../../src/core/gate.js';
import type { EnvConfig } from '../../src/core/env.js';
import { phase as phase4, phase4Outputs, type Phase4Outputs } from '../../programs/04-data/phase.js';
import { cdcNames } from '../../programs/04-data/cdc-config.js';
import { DATA_NAMES } from '../../programs/04-data/names.js';
import { startCdcPipeline, type CdcPipeline } from './pipeline.js';

const REPO = new URL('../..', import.meta.url).pathname;

/** The outputs phase 4 would report for this pipeline (validated against the phase's contract). */
export function pipelineOutputs(p: CdcPipeline, connectorName = p.connector.name): Phase4Outputs {
  return phase4Outputs.parse({
    postgres: { host: '127.0.0.1', port: Number(p.connector.config['database.port']), dbName: DATA_NAMES.dbName, secretName: DATA_NAMES.cdcSecret, serviceName: DATA_NAMES.postgres },
    kafkaClusterName: DATA_NAMES.kafka,
    kafkaBootstrapServers: { tls: p.bootstrap },
    kafkaClusterCaSecret: `${DATA_NAMES.kafka}-cluster-ca-cert`,
    kafkaUsers: { connect: DATA_NAMES.connectUser },
    kafkaConnectName: DATA_NAMES.connect,
    connectImage: 'local',
    debeziumConnectorNames: [connectorName],
    cdcTopics: [cdcNames(p.env).probeTopic],
    dataNamespace: DATA_NAMES.namespace,
  });
}

describe('phase 4 CDC gates on real PostgreSQL, Kafka (KRaft) and Debezium', function () {
  this.timeout(480_000);
  let env: EnvConfig;
  let p: CdcPipeline | undefined;

  const run = async (outputs: Phase4Outputs): Promise<Record<string, GateResult>> => {
    const results = await runGates({ id: phase4.id, gates: await phaseGates(phase4) }, {
      env,
      outputs,
      probes: { cdc: p!.transport },
      clock: systemClock,
      signal: new AbortController().signal,
      simulated: false,
      emit: () => {},
      only: ['connector-running', 'cdc-end-to-end'],
    });
    return Object.fromEntries(results.map((r) => [r.gate, r]));
  };

  before(async () => {
    env = await loadEnv(REPO, 'local');
    p = await startCdcPipeline({ env: env.name });
  });
  after(async () => {
    await p?.stop();
  });

  it('passes: the connector and its task RUNNING, the marker row arrives as a create event, the row is deleted, the lag is reported', async () => {
    const r = await run(pipelineOutputs(p!));
    assert.equal(r['connector-running']!.status, 'pass', r['connector-running']!.evidence.join('\n'));
    assert.equal(r['cdc-end-to-end']!.status, 'pass', r['cdc-end-to-end']!.evidence.join('\n'));
    const ev = r['cdc-end-to-end']!.evidence.join('\n');
    assert.match(ev, new RegExp(`create event for the marker on ${env.name}\\.public\\.cdc_probe after -?\\d+ ms`));
    assert.match(r['connector-running']!.evidence.join('\n'), /publication 'dbz_local' exists and includes public\.cdc_probe/);
    // The gate cleaned up its row (the delete reaches the topic too, as op d).
    assert.deepEqual(await p!.transport.sql(DATA_NAMES.dbName, 'SELECT count(*) FROM public.cdc_probe'), ['0']);
    // The configuration is the program's: secrets by reference, never in the connector config.
    const { config } = await p!.transport.connector(p!.connector.name);
    assert.equal(config!['database.password'], '${secrets:data/postgres-cdc:password}');
    assert.equal(config!['publication.autocreate.mode'], 'disabled');
  });

  it('fails with a clear reason when the connector is stopped, and the end-to-end gate is skipped naming it', async () => {
    assert.equal(await p!.connectorAction(p!.connector.name, 'stop'), 204);
    // The REST status can show RUNNING for a moment after the 204: the fault is in place only once it says STOPPED.
    for (let i = 0; i < 120 && (await p!.transport.connector(p!.connector.name)).status?.connector.state !== 'STOPPED'; i++) await new Promise((res) => setTimeout(res, 250));
    try {
      const r = await run(pipelineOutputs(p!));
      const c = r['connector-running']!;
      assert.equal(c.status, 'fail');
      assert.match(c.evidence[0]!, /^connector postgres-cdc is STOPPED, not RUNNING$/);
      assert.match(c.hint ?? '', /resume/);
      assert.equal(r['cdc-end-to-end']!.status, 'skipped');
      assert.match(r['cdc-end-to-end']!.evidence.join('\n'), /needs gate 'connector-running' to pass; it is fail/);
    } finally {
      assert.equal(await p!.connectorAction(p!.connector.name, 'resume'), 202);
    }
    // Resumed, it streams again: the same gates pass.
    let again: Record<string, GateResult> = {};
    for (let i = 0; i < 40; i++) {
      const s = (await p!.transport.connector(p!.connector.name)).status;
      if (s?.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING')) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    again = await run(pipelineOutputs(p!));
    assert.equal(again['cdc-end-to-end']!.status, 'pass', again['cdc-end-to-end']!.evidence.join('\n'));
  });

  it('fails naming the publication when the connector is configured with one the database does not have', async () => {
    const bad = {
      ...p!.connector,
      name: 'postgres-cdc-wrongpub',
      config: { ...p!.connector.config, 'publication.name': 'dbz_wrong', 'slot.name': 'debezium_wrong', 'topic.prefix': 'wrongpub' },
    };
    await p!.createConnector(bad);
    try {
      const r = await run(pipelineOutputs(p!, bad.name));
      const c = r['connector-running']!;
      assert.equal(c.status, 'fail');
      const ev = c.evidence.join('\n');
      assert.match(ev, /publication 'dbz_wrong' \(publication\.name of connector postgres-cdc-wrongpub\) does not exist in database app/);
      // Debezium's own reason, from the task trace.
      assert.match(ev, /task 0 is FAILED: .*Publication autocreation is disabled/);
      assert.equal(r['cdc-end-to-end']!.status, 'skipped');
    } finally {
      await p!.deleteConnector(bad.name);
    }
  });
});
