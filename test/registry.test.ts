import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EnvConfigSchema } from '../src/core/env.js';
import { isPlatformError } from '../src/core/errors.js';
import { folderName, hasProgram, PHASE_IDS, type AnyPhase, type PhaseContext, type UpstreamOutputs } from '../src/core/phase.js';
import { phase as p3 } from '../programs/03-gitops/phase.js';
import { phase as p4 } from '../programs/04-data/phase.js';
import { phase as p5 } from '../programs/05-apps/phase.js';
import { phase as p6 } from '../programs/06-edge/phase.js';
import { phase as p7 } from '../programs/07-observability/phase.js';
import { phase as p8 } from '../programs/08-resilience/phase.js';
import { phase as p9 } from '../programs/09-automation/phase.js';
import { phase as p10 } from '../programs/10-hardening/phase.js';
import { phaseById, phases } from '../programs/registry.js';
import { validEnv } from './helpers/env-fixtures.js';
import { sampleUpstream } from './config/upstream-samples.js';

const programsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'programs');

/**
 * The edges of DESIGN.md, plus 2→5 and 1→7 (review C1, C2: phase 5 needs the cluster, phase 7 phase 1's
 * key and alerts topic), and 1→4 (reference/phases.md phase 4 "Depends on": phase 1's bucket and S3 key
 * for the database backups).
 */
const DESIGN_EDGES = [
  '0→1', '1→2', '2→3', '1→4', '2→4', '3→5', '4→5', '1→5', '2→5', '1→6', '2→6', '5→6', '1→7', '2→7', '5→7',
  '1→8', '2→8', '4→8', '5→8', '6→8', '1→9', '8→9', '6→10', '7→10', '8→10', '9→10',
  // Phase 10 restores with phase 1's backup role, targets phase 2's nodes and Karpenter role, and
  // compares against phase 4's database.
  '1→10', '2→10', '4→10',
];

/**
 * Output names of reference/phases.md section D, top level, with the review's corrections: phase 5's
 * per-service roles are Pod Identity roles (W5/C7), and phase 8 owns no NodePools (C3: phase 2 does).
 */
const SECTION_D: Record<number, string[]> = {
  // Phase 3 is one Argo CD per env cluster: no hub role or cluster secrets; what phase 5 reads added.
  3: ['argocdNamespace', 'argocdServerService', 'argocdUrl', 'appProjects', 'applicationSetNames', 'appNamespace', 'gitopsRepoUrl', 'gitopsTargetRevision', 'argoRolloutsNamespace', 'analysisTemplates'],
  4: ['postgres', 'kafkaClusterName', 'kafkaBootstrapServers', 'kafkaClusterCaSecret', 'kafkaUsers', 'kafkaConnectName', 'connectImage', 'debeziumConnectorNames', 'cdcTopics', 'dataNamespace'],
  // Phase 5: one CI role per service; no workload roles (no service calls AWS) and no imageTags (CI's, in Git);
  // the kubeconfig passed through (secret) because its three gates read the cluster.
  5: ['ecrRepositoryUrls', 'ciRoleArns', 'githubOidcProviderArn', 'appNamespaces', 'serviceAccounts', 'chartPaths', 'kubeconfig'],
  // Phases 6 and 7 add the kubeconfig (secret: their gates read the cluster and see only their own
  // outputs) and what their gates check (health URLs, meshed services, rule groups, the receivers
  // secret). Phase 7's tracing outputs are otelCollectorEndpoint, tempoQueryUrl and the sampling
  // rate; no tempoBucket (Tempo keeps traces on its own volume: see phase 7's planChanges).
  6: ['gatewayName', 'gatewayNamespace', 'hostnames', 'certificateSecrets', 'ingressLbHostname', 'peerAuthenticationMode', 'authorizationPolicies', 'publicUrls', 'apiHealthUrls', 'meshServices', 'kubeconfig'],
  7: ['grafanaUrl', 'grafanaAdminSecretName', 'prometheusUrl', 'alertmanagerUrl', 'lokiPushUrl', 'lokiQueryUrl', 'alertReceivers', 'dashboardConfigMaps', 'ruleGroups', 'serviceScrapeJobs', 'alertReceiversSecret', 'logNamespaces', 'otelCollectorEndpoint', 'tempoQueryUrl', 'traceSamplingPercent', 'kubeconfig'],
  8: ['hpaNames', 'backupPlanId', 'backupSelectionIds', 'backupVaultArns', 'dlmPolicyIds', 'drRegion', 'drClusterName', 'drClusterEndpoint', 'drKubeconfig', 'ecrReplicationRules', 'route53HealthCheckIds', 'failoverRecordNames'],
  // Phase 9 adds the quarantine group and the idempotency table its responders use.
  9: ['ruleArns', 'functionArns', 'functionRoleArns', 'dlqArns', 'scheduleArns', 'eventBusArn', 'alarmArns', 'quarantineSecurityGroupId', 'idempotencyTableName'],
  // Phase 10's reports (TLS, mTLS, load, chaos, restore) are gate evidence, made by each verification;
  // its outputs are what the gates need (templates, alarms, targets, the scratch namespace).
  10: ['experimentTemplateIds', 'experimentRoleArn', 'sloAlarmArns', 'scratchNamespace', 'publicHosts', 'meshServices', 'mtlsExceptions', 'loadTargets', 'load', 'chaosExperiment', 'podFault', 'appNamespace', 'restoreDrill', 'kubeconfig'],
};
/** Keys of the objects D shows in braces. */
const SECTION_D_NESTED: Array<[number, string, string[]]> = [
  [4, 'postgres', ['host', 'port', 'dbName', 'secretName', 'serviceName']],
  [10, 'restoreDrill', ['vaultArn', 'restoreRoleArn', 'rtoMinutes', 'rpoMinutes', 'source', 'tables']],
];

const mine: AnyPhase[] = [p3, p4, p5, p6, p7, p8, p9, p10];
const env = EnvConfigSchema.parse(validEnv());

function ctxFor(phase: AnyPhase, upstream: UpstreamOutputs = sampleUpstream): PhaseContext {
  const only: UpstreamOutputs = {};
  for (const dep of phase.dependsOn) only[dep] = structuredClone(upstream[dep]);
  return { env, upstream: only, simulated: true };
}

function shapeKeys(schema: unknown): string[] {
  assert.ok(schema instanceof z.ZodObject, 'outputs must be a zod object');
  return Object.keys(schema.shape);
}

describe('phase registry', () => {
  it('lists ids 0..10, unique and in order', () => {
    assert.deepEqual(phases.map((p) => p.id), [...PHASE_IDS]);
  });

  it('each id equals its folder number and each slug its folder name; module points into that folder', () => {
    for (const p of phases) {
      const folder = join(programsDir, folderName(p));
      assert.ok(existsSync(folder) && statSync(folder).isDirectory(), `missing folder ${folderName(p)}`);
      assert.equal(dirname(fileURLToPath(p.module)), folder, `phase ${p.id} module`);
      assert.match(p.slug, /^[a-z][a-z-]*$/);
      assert.ok(p.title.length > 0);
    }
  });

  it('every edge points to a lower id, without duplicates', () => {
    for (const p of phases) {
      assert.equal(new Set(p.dependsOn).size, p.dependsOn.length, `phase ${p.id} repeats a dependency`);
      for (const d of p.dependsOn) assert.ok(d < p.id, `phase ${p.id} depends on ${d}`);
    }
  });

  it('the edge set equals the design exactly', () => {
    const edges = phases.flatMap((p) => p.dependsOn.map((d) => `${d}→${p.id}`));
    assert.deepEqual([...edges].sort(), [...DESIGN_EDGES].sort());
  });

  it('every outputs schema is a zod object and secretOutputs name its keys', () => {
    for (const p of phases) {
      const keys = shapeKeys(p.outputs);
      for (const s of p.secretOutputs) assert.ok(keys.includes(s), `phase ${p.id} secret '${s}' is not an output`);
    }
  });

  it('phases without loadProgram are exactly those without a program.ts', () => {
    for (const p of phases) {
      const file = join(programsDir, folderName(p), 'program.ts');
      assert.equal(hasProgram(p), existsSync(file), `phase ${p.id}: loadProgram ${hasProgram(p)} but program.ts ${existsSync(file)}`);
    }
  });

  it('phaseById finds a phase and rejects an unknown id with the list', () => {
    assert.equal(phaseById(4), p4);
    try {
      phaseById(11);
      assert.fail('should throw');
    } catch (e) {
      assert.ok(isPlatformError(e));
      assert.equal(e.code, 'bad-phase');
      assert.equal(e.message, "phase '11' does not exist");
      assert.match(e.hint!, /^phases are 0-10: 0 organization, 1 foundation, 2 cluster, 3 gitops, .*10 hardening$/);
    }
  });
});

describe('phase contracts 3-10', () => {
  it('output names are those of section D, nested where D shows braces', () => {
    for (const p of mine) assert.deepEqual(shapeKeys(p.outputs).sort(), [...SECTION_D[p.id]!].sort(), `phase ${p.id}`);
    for (const [id, key, nested] of SECTION_D_NESTED) {
      const phase = mine.find((p) => p.id === id)!;
      const inner = (phase.outputs as z.ZodObject).shape[key];
      assert.deepEqual(shapeKeys(inner).sort(), [...nested].sort(), `phase ${id} ${key}`);
    }
  });

  it('no program yet, no gates yet, and secrets declared (phase 8 drKubeconfig)', () => {
    // Phases with a program (3, 4, 5, 6, 7) carry their gates in loadGates and are tested in test/programs/.
    for (const p of mine.filter((x) => ![3, 4, 5, 6, 7].includes(x.id) && !existsSync(join(programsDir, folderName(x), 'program.ts')))) {
      assert.equal(p.loadProgram, undefined, `phase ${p.id}`);
      assert.equal(p.loadGates, undefined, `phase ${p.id} has no gates yet`);
    }
    assert.deepEqual(p8.secretOutputs, ['drKubeconfig']);
  });

  it('phases 5, 6 and 7 have programs and gates that read the cluster, and keep the kubeconfig secret', async () => {
    for (const p of [p5, p6, p7]) {
      assert.equal(typeof p.loadProgram, 'function', `phase ${p.id}`);
      assert.ok((await p.loadGates!()).length >= 2, `phase ${p.id}`);
      assert.deepEqual(p.secretOutputs, ['kubeconfig']);
    }
  });

  it('plan changes carry their reasons (KRaft, no Bitnami, zones in phase 1, Alloy)', () => {
    const text = (p: AnyPhase) => (p.planChanges ?? []).map((c) => `${c.what} | ${c.why}`).join('\n');
    assert.match(text(p4), /KRaft.*\|.*ZooKeeper/);
    assert.match(text(p4), /Bitnami.*\|.*bitnamilegacy/);
    assert.match(text(p6), /zones are created in phase 1.*\|.*phase 2's gates/);
    assert.match(text(p7), /Grafana Alloy.*phase 2 installs both.*\|.*Promtail is end-of-life.*clash/);
    for (const p of mine) for (const c of p.planChanges ?? []) assert.ok(c.what.length > 10 && c.why.length > 10);
  });

  it('sample outputs of phases 3-9 satisfy their own schemas', () => {
    for (const p of [p3, p4, p5, p6, p7, p8, p9]) {
      const r = p.outputs.safeParse(sampleUpstream[p.id]);
      assert.ok(r.success, `phase ${p.id}: ${r.success ? '' : JSON.stringify(r.error.issues[0])}`);
    }
  });

  it('schemas reject what matters: mTLS mode, a missing secret output, a bad port, a missing rule', () => {
    const bad = (p: AnyPhase, change: (o: Record<string, any>) => void) => {
      const o = structuredClone(sampleUpstream[p.id]) as Record<string, any>;
      change(o);
      return p.outputs.safeParse(o).success;
    };
    assert.equal(bad(p6, (o) => (o.peerAuthenticationMode = 'DISABLE')), false);
    // drKubeconfig is absent for an env without a pilot-light cluster, never empty.
    assert.equal(bad(p8, (o) => (o.drKubeconfig = '')), false);
    assert.equal(bad(p4, (o) => (o.postgres.port = 0)), false);
    assert.equal(bad(p9, (o) => delete o.ruleArns.guardduty), false);
    assert.equal(bad(p3, (o) => (o.argocdUrl = 'argocd.dev.example.com')), false);
  });
});

describe('phase inputs 3-10', () => {
  it('each builds its inputs from its direct dependencies only, purely', () => {
    for (const p of mine) {
      const ctx = ctxFor(p);
      const before = structuredClone(ctx.upstream);
      const a = p.inputs(ctx);
      assert.deepEqual(p.inputs(ctx), a, `phase ${p.id} is not deterministic`);
      assert.deepEqual(ctx.upstream, before, `phase ${p.id} mutated its upstream`);
    }
  });

  it('phase 3 reads the kubeconfig, the prod ClusterIssuer, the secret store and Istio revision of phase 2', () => {
    const i = p3.inputs(ctxFor(p3));
    assert.equal(i.kubeconfig, sampleUpstream[2]!.kubeconfig);
    assert.equal(i.clusterIssuer, 'letsencrypt-prod');
    assert.equal(i.clusterSecretStoreName, 'aws-secrets-manager');
    assert.equal(i.istioRevision, '1-29');
    assert.equal(i.domain, 'dev.example.com');
  });

  it('phase 4 puts data on the encrypted retaining storage class and takes its sizes from the env', () => {
    const i = p4.inputs(ctxFor(p4));
    assert.equal(i.storageClass, 'gp3-encrypted-retain');
    assert.equal(i.backupBucket, 'data-backups-dev-222222222222');
    assert.equal(i.sizes.kafka.brokers, 1);
  });

  it('phase 5 reads gitops projects, data endpoints and the KMS key', () => {
    const i = p5.inputs(ctxFor(p5));
    assert.equal(i.ecrKmsKeyArn, 'arn:aws:kms:eu-west-1:222222222222:key/s3');
    assert.equal(i.data.kafkaPort, 9093);
    assert.equal(i.data.postgresPort, 5432);
    assert.equal(i.data.namespace, 'data');
    assert.deepEqual(i.gitops.applicationSetNames, ['apps-dev']);
    assert.equal(i.services.length, 7);
    // C1: the cluster its namespaces and Pod Identity associations go to.
    assert.deepEqual(p5.dependsOn, [1, 2, 3, 4]);
    assert.deepEqual(i.cluster, { name: 'platform-dev', arn: 'arn:aws:eks:eu-west-1:222222222222:cluster/platform-dev', kubeconfig: sampleUpstream[2]!.kubeconfig });
  });

  it('phases 6-10 carry the values they need', () => {
    assert.deepEqual(p6.inputs(ctxFor(p6)).hostedZoneIds, { apex: 'Z0APEX', api: 'Z0API' });
    const i7 = p7.inputs(ctxFor(p7));
    assert.equal(i7.services.lokiGateway, 'loki-gateway');
    // C2: the alert topic and the key that encrypts it come from phase 1.
    assert.equal(i7.alertsTopicKmsKeyArn, 'arn:aws:kms:eu-west-1:222222222222:key/logs');
    assert.equal(i7.alertsTopicArn, 'arn:aws:sns:eu-west-1:222222222222:alerts');
    assert.equal(i7.accountId, env.accountId);
    const i8 = p8.inputs(ctxFor(p8));
    // C3: zones and the primary NLB for failover, the DR key and public subnets, phase 2's NodePools.
    assert.deepEqual(i8.hostedZoneIds, { apex: 'Z0APEX', api: 'Z0API' });
    assert.equal(i8.primaryIngressLbHostname, 'nlb-1.elb.eu-west-1.amazonaws.com');
    assert.equal(i8.dr.kmsKeyArn, 'arn:aws:kms:eu-central-1:222222222222:key/dr');
    assert.deepEqual(i8.dr.publicSubnetIds, ['subnet-drpub1', 'subnet-drpub2']);
    assert.deepEqual(i8.nodePools, ['on-demand', 'spot']);
    assert.ok(!shapeKeys(p8.outputs).includes('nodePools'), 'phase 2 owns the NodePools');
    // Every service of the service list, with its scaling settings (the chart renders their HPAs).
    assert.deepEqual(i8.services.find((s) => s.name === 'frontend'), { name: 'frontend', minReplicas: 2, maxReplicas: 10, cpuTargetPercent: 70, requestsPerSecondTarget: 100 });
    assert.equal(i8.services.length, 7);
    assert.equal(i8.appNamespace, 'apps');
    assert.deepEqual(i8.edge.hosts.map((h) => h.name), ['dev.example.com', 'www.dev.example.com', 'api.dev.example.com']);
    assert.equal(i8.backup.kmsKeyArn, 'arn:aws:kms:eu-west-1:222222222222:key/backup');
    assert.deepEqual(i8.dr.privateSubnetIds, ['subnet-dr1', 'subnet-dr2']);
    assert.equal(p9.inputs(ctxFor(p9)).backupVaultArns.dr, 'arn:aws:backup:eu-central-1:222222222222:backup-vault:dr');
    const i10 = p10.inputs(ctxFor(p10));
    assert.equal(i10.gateInputs.restoreDrill.vaultArn, 'arn:aws:backup:eu-west-1:222222222222:backup-vault:primary');
    assert.equal(i10.karpenterRoleArn, (sampleUpstream[2] as { podIdentityRoleArns: { karpenter: string } }).podIdentityRoleArns.karpenter);
    assert.deepEqual(i10.gateInputs.publicHosts, ['dev.example.com', 'www.dev.example.com', 'api.dev.example.com']);
  });

  it('a missing upstream phase fails with dependency-check naming both phases', () => {
    const ctx = ctxFor(p5);
    delete ctx.upstream[4];
    assert.throws(() => p5.inputs(ctx), (e: unknown) => {
      assert.ok(isPlatformError(e));
      assert.equal(e.code, 'dependency-check');
      assert.equal(e.message, 'phase 5 has no outputs of phase 4 to read');
      assert.equal(e.hint, 'run: platform up --phase 4 --env dev');
      return true;
    });
  });

  it('a missing or mistyped upstream field is named, and its (possibly secret) value never shown', () => {
    const ctx = ctxFor(p3);
    delete (ctx.upstream[2] as Record<string, any>).clusterIssuers.prod;
    assert.throws(() => p3.inputs(ctx), { code: 'dependency-check', message: "phase 3 reads output 'clusterIssuers.prod' of phase 2: missing" });
    const ctx2 = ctxFor(p8);
    (ctx2.upstream[2] as Record<string, any>).kubeconfig = { token: 'SECRET-TOKEN-123' };
    assert.throws(() => p8.inputs(ctx2), (e: unknown) => {
      assert.ok(isPlatformError(e));
      assert.equal(e.message, "phase 8 reads output 'kubeconfig' of phase 2: not a string");
      assert.ok(!`${e.message} ${e.hint} ${e.value}`.includes('SECRET-TOKEN-123'));
      return true;
    });
  });
});
