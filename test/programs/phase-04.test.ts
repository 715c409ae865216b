/**
 * Phase 4 under Pulumi mocks, for the shipped dev and prod env files, fed with phase 1 outputs of the
 * contract's shape and phase 2's own simulated outputs: volumes on phase 2's encrypted retaining
 * class and kept on delete; PostgreSQL with logical decoding, the replica only in prod and never on
 * the primary's node; every container under a restricted security context; credentials only by
 * reference (ExternalSecrets, the Connect secret provider) and the generated passwords only as
 * Pulumi secrets; the Strimzi chart pinned and watching only the data namespace; KRaft node pools,
 * rack awareness and replication from the env's sizes; the connector built by the CDC config that
 * the real-software test runs; and the outputs passing the phase's schema.
 */
import { strict as assert } from 'node:assert';
import type { EnvConfig } from '../../src/core/env.js';
import { evaluateProgram, type CapturedResource, type Evaluation } from '../../src/engine/simulate/evaluate.js';
import { phase, phase4Outputs, type Phase4Inputs, type Phase4Outputs } from '../../programs/04-data/phase.js';
import { connectRestBody, debeziumConnector, postgresArgs } from '../../programs/04-data/cdc-config.js';
import { strimziChartPin } from '../../programs/04-data/versions.js';
import { organizationFor } from '../helpers/env-fixtures.js';
import { phase1OutputsFor, shippedEnv } from './phase-02-upstream.js';
import { runPhase2 } from './phase-02-run.js';
import { phase as phase5 } from '../../programs/05-apps/phase.js';
import { sampleUpstream } from '../config/upstream-samples.js';

interface Run {
  env: EnvConfig;
  inputs: Phase4Inputs;
  ev: Evaluation;
  out: Phase4Outputs;
}

async function run4(env: EnvConfig): Promise<Run> {
  const p2 = await runPhase2(env);
  const inputs = phase.inputs({ env, organization: organizationFor(env).config, upstream: { 1: phase1OutputsFor(env), 2: p2.out }, simulated: true });
  const program = await phase.loadProgram!();
  const stack = `${env.name}-04-data`;
  const ev = await evaluateProgram({ stack, synthetic: { accountId: env.accountId, region: env.regions.primary, stack }, program: () => program(inputs) });
  return { env, inputs, ev, out: phase4Outputs.parse(ev.outputs) };
}

const kind = (ev: Evaluation, k: string): CapturedResource[] => ev.resources.filter((r) => r.type.startsWith('kubernetes:') && r.type.endsWith(`:${k}`));
const one = (ev: Evaluation, k: string, name: string): Record<string, any> => {
  const found = kind(ev, k).filter((r) => (r.inputs.metadata as any)?.name === name);
  assert.equal(found.length, 1, `one ${k} ${name}, found ${found.length}`);
  return found[0]!.inputs as Record<string, any>;
};
/** Every pod spec a workload declares (StatefulSets and the CronJob). */
function podSpecs(ev: Evaluation): { where: string; spec: any }[] {
  return [
    ...kind(ev, 'StatefulSet').map((r) => ({ where: `StatefulSet ${(r.inputs.metadata as any).name}`, spec: (r.inputs.spec as any).template.spec })),
    ...kind(ev, 'CronJob').map((r) => ({ where: `CronJob ${(r.inputs.metadata as any).name}`, spec: (r.inputs.spec as any).jobTemplate.spec.template.spec })),
  ];
}

for (const name of ['dev', 'prod'] as const) {
  describe(`phase 4 (data) program, ${name}`, function () {
    this.timeout(120_000);
    const env = shippedEnv(name);
    let r: Run;
    before(async () => {
      r = await run4(env);
    });

    it('feeds phase 5: its inputs take these outputs as they are', () => {
      const p5In = phase5.inputs({ env, upstream: { ...sampleUpstream, 4: r.out }, simulated: true });
      assert.deepEqual(p5In.data, { namespace: 'data', postgresPort: 5432, kafkaPort: 9093 });
    });

    it('returns outputs that pass its schema; secret names and endpoints, never a credential', () => {
      assert.equal(r.out.dataNamespace, 'data');
      assert.equal(r.out.kafkaBootstrapServers.tls, 'kafka-kafka-bootstrap.data.svc:9093');
      assert.deepEqual(r.out.debeziumConnectorNames, ['postgres-cdc']);
      assert.deepEqual(r.out.cdcTopics, [`${name}.public.cdc_probe`]);
      assert.doesNotMatch(JSON.stringify(r.ev.outputs), /simulated-[0-9a-f]{16}/);
    });

    it("puts every volume on phase 2's encrypted retaining class and keeps claims when objects go", async () => {
      const p2 = await runPhase2(env);
      assert.equal(r.inputs.storageClass, p2.out.retainStorageClass);
      for (const s of kind(r.ev, 'StatefulSet')) {
        const spec = s.inputs.spec as any;
        assert.equal(spec.volumeClaimTemplates[0].spec.storageClassName, p2.out.retainStorageClass);
        assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
      }
      for (const pool of kind(r.ev, 'KafkaNodePool')) {
        for (const v of (pool.inputs.spec as any).storage.volumes) {
          assert.equal(v.class, p2.out.retainStorageClass);
          assert.equal(v.deleteClaim, false);
        }
      }
      const sizes = env.data!;
      assert.equal(one(r.ev, 'StatefulSet', 'postgres').spec.volumeClaimTemplates[0].spec.resources.requests.storage, `${sizes.postgres.storageGiB}Gi`);
    });

    it('runs PostgreSQL with logical decoding, the CDC init SQL and pg_isready probes', () => {
      const c = one(r.ev, 'StatefulSet', 'postgres').spec.template.spec.containers[0];
      assert.ok(c.args.join(' ').includes('wal_level=logical'), c.args.join(' '));
      assert.deepEqual(c.args.slice(0, postgresArgs().length), postgresArgs());
      assert.deepEqual(c.readinessProbe.exec.command.slice(0, 1), ['pg_isready']);
      const init = one(r.ev, 'ConfigMap', 'postgres-init').data;
      assert.match(init['cdc.psql'], new RegExp(`CREATE PUBLICATION dbz_${name} FOR TABLE public.cdc_probe`));
      assert.match(init['cdc.psql'], /PASSWORD :'cdc_password'/);
      assert.match(init['10-cdc.sh'], /cdc_password="\$\(cat \/run\/secrets\/cdc\/password\)"/);
    });

    it(name === 'prod' ? 'has a streaming replica that never shares the primary node' : 'has no replica (one PostgreSQL instance)', () => {
      const replicas = kind(r.ev, 'StatefulSet').filter((s) => (s.inputs.metadata as any).name === 'postgres-replica');
      if (name !== 'prod') return assert.equal(replicas.length, 0);
      assert.equal(replicas.length, 1);
      const spec = (replicas[0]!.inputs.spec as any);
      assert.equal(spec.replicas, env.data!.postgres.replicas - 1);
      const anti = spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
      assert.equal(anti.topologyKey, 'kubernetes.io/hostname');
      assert.deepEqual(anti.labelSelector.matchLabels, { 'app.kubernetes.io/name': 'postgres' });
      assert.match(spec.template.spec.initContainers[0].command.join(' '), /pg_basebackup .* -R -X stream/);
    });

    it('runs every container non-root, without privilege escalation, read-only, with no capabilities', () => {
      const specs = podSpecs(r.ev);
      assert.ok(specs.length >= (name === 'prod' ? 3 : 2));
      for (const { where, spec } of specs) {
        assert.equal(spec.securityContext.runAsNonRoot, true, where);
        assert.equal(spec.securityContext.seccompProfile.type, 'RuntimeDefault', where);
        for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
          const sc = c.securityContext;
          assert.equal(sc.allowPrivilegeEscalation, false, `${where} ${c.name}`);
          assert.equal(sc.readOnlyRootFilesystem, true, `${where} ${c.name}`);
          assert.equal(sc.runAsNonRoot, true, `${where} ${c.name}`);
          assert.deepEqual(sc.capabilities.drop, ['ALL'], `${where} ${c.name}`);
          assert.ok(c.resources?.limits?.memory, `${where} ${c.name} has a memory limit`);
        }
      }
      const ns = one(r.ev, 'Namespace', 'data');
      assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
      const release = r.ev.resources.find((x) => x.type === 'kubernetes:helm.sh/v3:Release')!;
      assert.deepEqual((release.inputs.values as any).extraEnvs, [{ name: 'STRIMZI_POD_SECURITY_PROVIDER_CLASS', value: 'restricted' }]);
    });

    it('keeps every credential out of the program and the state in clear', () => {
      const versions = r.ev.resources.filter((x) => x.type === 'aws:secretsmanager/secretVersion:SecretVersion');
      assert.equal(versions.length, 3);
      for (const v of versions) assert.deepEqual(v.secretInputs, ['secretString'], `${v.name} secretString is a Pulumi secret`);
      const generated = versions.map((v) => JSON.parse(String(v.inputs.secretString)).password as string);
      assert.ok(generated.every((p) => p.startsWith('simulated-')));
      // No generated password in any Kubernetes object, any non-secret input, or the outputs.
      const clear = JSON.stringify([...r.ev.resources.filter((x) => x.type.startsWith('kubernetes:')).map((x) => x.inputs), r.ev.outputs]);
      for (const p of generated) assert.ok(!clear.includes(p), 'a generated password appears in clear');
      for (const s of kind(r.ev, 'ExternalSecret')) {
        const spec = s.inputs.spec as any;
        assert.equal(spec.secretStoreRef.kind, 'ClusterSecretStore');
        for (const d of spec.data) assert.ok(d.remoteRef.key.startsWith(`${name}/data/`), d.remoteRef.key);
      }
      const pg = JSON.stringify(one(r.ev, 'StatefulSet', 'postgres'));
      assert.doesNotMatch(pg, /POSTGRES_PASSWORD"/, 'the password reaches the image as a file, not an env value');
      const connector = one(r.ev, 'KafkaConnector', 'postgres-cdc').spec.config;
      assert.equal(connector['database.password'], '${secrets:data/postgres-cdc:password}');
      const rbac = one(r.ev, 'Role', 'cdc-connect-read-cdc-secret');
      assert.deepEqual(rbac.rules, [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['postgres-cdc'], verbs: ['get'] }]);
    });

    it('installs the pinned Strimzi chart, watching only the data namespace, with leader election', () => {
      const release = r.ev.resources.filter((x) => x.type === 'kubernetes:helm.sh/v3:Release');
      assert.equal(release.length, 1);
      const pin = strimziChartPin();
      assert.equal(release[0]!.inputs.chart, 'oci://quay.io/strimzi-helm/strimzi-kafka-operator');
      assert.equal(release[0]!.inputs.version, '1.2.0');
      assert.equal(pin.version, '1.2.0');
      const v = release[0]!.inputs.values as any;
      assert.deepEqual(v.watchNamespaces, ['data']);
      assert.equal(v.leaderElection.enable, true);
      assert.equal(v.replicas, 2);
    });

    it('sizes Kafka from the env file: KRaft pools, replication, TLS with mutual auth, rack awareness', () => {
      const k = env.data!.kafka;
      const pools = Object.fromEntries(kind(r.ev, 'KafkaNodePool').map((p) => [(p.inputs.metadata as any).name, p.inputs.spec as any]));
      assert.deepEqual(pools.controller.roles, ['controller']);
      assert.equal(pools.controller.replicas, k.controllers);
      assert.deepEqual(pools.broker.roles, ['broker']);
      assert.equal(pools.broker.replicas, k.brokers);
      const kafka = one(r.ev, 'Kafka', 'kafka').spec.kafka;
      assert.equal(kafka.version, '4.3.1');
      assert.deepEqual(kafka.listeners, [{ name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'tls' } }]);
      assert.equal(kafka.authorization.type, 'simple');
      assert.equal(kafka.config['min.insync.replicas'], k.brokers >= 3 ? 2 : 1);
      assert.equal(kafka.config['default.replication.factor'], Math.min(3, k.brokers));
      assert.equal(kafka.config['auto.create.topics.enable'], false);
      if (name === 'prod') {
        assert.equal(k.brokers, 3);
        assert.deepEqual(kafka.rack, { topologyKey: 'topology.kubernetes.io/zone' });
      }
    });

    it('runs the connector the CDC test runs, and keeps Strimzi-owned keys out of the Connect config', () => {
      const connect = one(r.ev, 'KafkaConnect', 'cdc');
      assert.equal(connect.metadata.annotations['strimzi.io/use-connector-resources'], 'true');
      assert.equal(connect.spec.image, env.data!.connect.image);
      assert.equal(connect.spec.groupId, `${name}-connect`);
      // Strimzi 1.2.0 KafkaConnectSpec.FORBIDDEN_PREFIXES (checked at the tag).
      const forbidden = ['group.id', 'config.storage.topic', 'offset.storage.topic', 'status.storage.topic', 'ssl.', 'sasl.', 'security.', 'listeners', 'plugin.path', 'rest.', 'bootstrap.servers', 'consumer.interceptor.classes', 'producer.interceptor.classes', 'prometheus.metrics.reporter.'];
      for (const key of Object.keys(connect.spec.config)) assert.ok(!forbidden.some((f) => key.startsWith(f)), `forbidden Connect config key ${key}`);
      const kc = one(r.ev, 'KafkaConnector', 'postgres-cdc');
      const expected = debeziumConnector({ env: name, database: { host: 'postgres.data.svc', port: 5432, dbName: 'app' }, credentials: { namespace: 'data', name: 'postgres-cdc' }, tables: [] });
      assert.deepEqual(connectRestBody({ name: kc.metadata.name, class: kc.spec.class, tasksMax: kc.spec.tasksMax, config: kc.spec.config }), connectRestBody(expected));
      assert.equal(kc.spec.config['publication.autocreate.mode'], 'disabled');
    });

    it('backs up on the env schedule to the data-backup bucket, as a role limited to that prefix', () => {
      const cron = one(r.ev, 'CronJob', 'postgres-backup');
      assert.equal(cron.spec.schedule, env.data!.postgres.backupSchedule);
      const upload = cron.spec.jobTemplate.spec.template.spec.containers[0].command.join(' ');
      const bucket = `data-backups-${name}-${env.accountId}`;
      assert.match(upload, new RegExp(`s3://${bucket}/postgres/app/.* --sse aws:kms --sse-kms-key-id`));
      const policy = JSON.parse(String(r.ev.resources.find((x) => x.type === 'aws:iam/rolePolicy:RolePolicy')!.inputs.policy));
      assert.deepEqual(policy.Statement[0].Action, ['s3:PutObject']);
      assert.equal(policy.Statement[0].Resource, `arn:aws:s3:::${bucket}/postgres/*`);
      const assoc = r.ev.resources.find((x) => x.type === 'aws:eks/podIdentityAssociation:PodIdentityAssociation')!;
      assert.deepEqual([assoc.inputs.namespace, assoc.inputs.serviceAccount], ['data', 'postgres-backup']);
    });

    it('denies all traffic by default and admits only known clients to PostgreSQL', () => {
      const deny = one(r.ev, 'NetworkPolicy', 'default-deny').spec;
      assert.deepEqual(deny, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const pg = one(r.ev, 'NetworkPolicy', 'postgres-clients').spec;
      assert.deepEqual(pg.ingress[0].ports, [{ protocol: 'TCP', port: 5432 }]);
      assert.ok(pg.ingress[0].from.every((f: any) => f.podSelector || f.namespaceSelector?.matchLabels?.['platform.io/data-client'] === 'true'));
    });
  });
}

describe('phase 4 (data) inputs', () => {
  it('refuse an env file without a data section, naming the field and the fix', async () => {
    const env = { ...shippedEnv('dev') };
    delete env.data;
    const p2 = await runPhase2(shippedEnv('dev'));
    assert.throws(
      () => phase.inputs({ env, organization: organizationFor(env).config, upstream: { 1: phase1OutputsFor(env), 2: p2.out }, simulated: true }),
      (e: any) => e.code === 'config-missing' && e.value === 'data' && /stacks\/dev\.yaml/.test(e.hint),
    );
  });
});
