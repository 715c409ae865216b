/**
 * Phase 10, hardening: validates the finished platform rather than building more of it. The program
 * builds what the checks need (three FIS experiment templates and their role, the SLO alarm that stops
 * them, the scratch namespace restores land in); the gates are the checks themselves, each repeatable
 * by `platform verify --phase 10`: TLS and mTLS across every public host and meshed service, a load
 * test against the SLOs, one chaos experiment, and a restore drill within RTO/RPO. Their results are
 * gate evidence (the reports), not stack outputs: a stack output is fixed at `up` time, a report is
 * made by each verification.
 */
import { z } from 'zod';
import { arn, httpUrl, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import { PlatformError } from '../../src/core/errors.js';
import type { EnvConfig } from '../../src/core/env.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase1Outputs } from '../01-foundation/phase.js';
import { phase2Outputs } from '../02-cluster/phase.js';
import { phase4Outputs } from '../04-data/phase.js';
import { phase6Outputs } from '../06-edge/phase.js';
import { phase8Outputs } from '../08-resilience/phase.js';
import { DEFAULT_SLO } from '../07-observability/rules.js';
import { SERVICES } from '../shared/services.js';
import { HEALTH_PATH } from '../06-edge/gates.js';
import { DEPLOYER_ROLE_NAME } from '../../src/core/platform-names.js';
import { POSTGRES_IMAGE } from '../04-data/versions.js';

/** The FIS experiments phase 10 keeps as templates (env `hardening.chaos.experiment` picks the gate's). */
export const EXPERIMENTS = ['terminate-node', 'stop-az', 'throttle-ec2-api'] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

const meshService = z.object({ namespace: k8sName, name: k8sName, port: z.number().int() });

/** One public route under load, with the thresholds its service's SLO sets. */
export const loadTarget = z.object({
  service: k8sName,
  url: httpUrl,
  /** Requests per second the route must serve (minReplicas x the per-pod target of services.ts). */
  rate: z.number().positive(),
  /** p99 latency objective (ms) and the error budget (1 - availability). */
  p99Ms: z.number().positive(),
  maxErrorRate: z.number().min(0).max(1),
});
export type LoadTarget = z.infer<typeof loadTarget>;

/** The outputs contract of phase 10: what its gates need (reports are the gates' evidence). */
export const phase10Outputs = z.object({
  /** FIS experiment template id by experiment. */
  experimentTemplateIds: z.object(Object.fromEntries(EXPERIMENTS.map((e) => [e, text])) as Record<ExperimentName, typeof text>),
  experimentRoleArn: arn,
  /** The stop-condition alarms of every template (the SLO alarms). */
  sloAlarmArns: z.array(arn).min(1),
  /** Where restore drills create their objects; emptied after each drill. */
  scratchNamespace: k8sName,
  /** Every public host the transport gate handshakes with. */
  publicHosts: z.array(text).min(1),
  /** Every meshed service the transport gate calls in plain text. */
  meshServices: z.array(meshService).min(1),
  /** PeerAuthentications allowed to be other than STRICT (`<namespace>/<name>`). */
  mtlsExceptions: z.array(text),
  loadTargets: z.array(loadTarget).min(1),
  load: z.object({ durationSeconds: z.number().int().positive(), connections: z.number().int().positive() }),
  chaosExperiment: z.enum(EXPERIMENTS),
  /** The pod-level fault of the pod-chaos gate (env `hardening.chaos.podFault`). */
  podFault: z.object({ workload: z.enum(['Rollout', 'Deployment']), name: k8sName, action: z.enum(['delete', 'evict']), recoverySeconds: z.number().int().positive() }),
  /** The namespace whose Deployments must be back to full strength after chaos. */
  appNamespace: k8sName,
  restoreDrill: z.object({
    vaultArn: arn,
    /** The role AWS Backup restores with (phase 1's backup role). */
    restoreRoleArn: arn,
    rtoMinutes: z.number().positive(),
    rpoMinutes: z.number().positive(),
    source: z.object({ namespace: k8sName, statefulSet: k8sName, database: text, image: text }),
    tables: z.array(z.object({ name: text, timestampColumn: text })).min(1),
  }),
  /** Phase 2's kubeconfig, passed through from phase 6 (secret): the gates read the cluster. */
  kubeconfig: text,
});
export type Phase10Outputs = z.infer<typeof phase10Outputs>;

const fromFoundation = phase1Outputs.pick({ backupRoleArn: true });
const fromCluster = phase2Outputs.pick({ clusterName: true, podIdentityRoleArns: true });
const fromData = phase4Outputs.pick({ postgres: true, dataNamespace: true });
const fromEdge = phase6Outputs.pick({ hostnames: true, meshServices: true, kubeconfig: true, ingressLbHostname: true });
const fromResilience = phase8Outputs.pick({ backupVaultArns: true });

/** Inputs of the phase 10 program. `kubeconfig` is secret. */
export interface Phase10Inputs {
  envName: string;
  accountId: string;
  region: string;
  deployRoleArn: string;
  tags: Record<string, string>;
  clusterName: string;
  /** The Karpenter controller's role (the throttle-ec2-api experiment's target). */
  karpenterRoleArn: string;
  /** The zone the stop-az experiment stops. */
  availabilityZone: string;
  kubeconfig: string;
  /** The ingress NLB's host name; its name (before the hash) selects its metrics for the SLO alarm. */
  ingressLbHostname: string;
  gateInputs: Omit<Phase10Outputs, 'experimentTemplateIds' | 'experimentRoleArn' | 'sloAlarmArns' | 'scratchNamespace' | 'kubeconfig'>;
}

/** The hardening block of the env file; a missing one is a config error naming the fix. */
export function hardeningOf(env: EnvConfig): NonNullable<EnvConfig['hardening']> {
  if (!env.hardening) {
    throw new PlatformError('config-invalid', `env ${env.name} has no hardening block: phase 10 needs its recovery targets, chaos and load settings`, {
      value: 'hardening',
      hint: `add hardening: { rtoMinutes, rpoMinutes, chaos, load, restoreDrill, mtlsExceptions } to stacks/${env.name}.yaml (see stacks/dev.yaml)`,
    });
  }
  const az = env.hardening.chaos.availabilityZone;
  if (!az.startsWith(env.regions.primary)) {
    throw new PlatformError('config-invalid', `hardening.chaos.availabilityZone ${az} is not in the primary region ${env.regions.primary}`, {
      value: az,
      hint: `name a zone of ${env.regions.primary}, e.g. ${env.regions.primary}a`,
    });
  }
  const target = env.hardening.chaos.podFault.name;
  if (!SERVICES.some((sv) => sv.name === target)) {
    throw new PlatformError('config-invalid', `hardening.chaos.podFault.name ${target} is not one of the platform's services`, {
      value: target,
      hint: `name a service of programs/shared/services.ts in stacks/${env.name}.yaml: ${SERVICES.map((sv) => sv.name).join(', ')}`,
    });
  }
  return env.hardening;
}

/** The public routes under load: each routed service's health path, at its target rate, with its SLO. */
export function loadTargets(hosts: { frontend: string; api: string }): LoadTarget[] {
  return SERVICES.filter((s) => s.route).map((s) => {
    const route = s.route!;
    const url = route.host === 'apex' ? `https://${hosts.frontend}/` : `https://${hosts.api}${route.pathPrefix}${HEALTH_PATH}`;
    return {
      service: s.name,
      url,
      rate: s.scaling.minReplicas * s.scaling.requestsPerSecondTarget,
      p99Ms: DEFAULT_SLO.latencyP99Ms,
      maxErrorRate: Number((1 - DEFAULT_SLO.availability).toFixed(6)),
    };
  });
}

/** Builds the program inputs from the env file and the outputs of phases 1, 2, 4, 6 and 8 (pure). */
export function phase10Inputs(ctx: PhaseContext): Phase10Inputs {
  const h = hardeningOf(ctx.env);
  const foundation = readUpstream(ctx, 10, 1, fromFoundation);
  const cluster = readUpstream(ctx, 10, 2, fromCluster);
  const data = readUpstream(ctx, 10, 4, fromData);
  const edge = readUpstream(ctx, 10, 6, fromEdge);
  const resilience = readUpstream(ctx, 10, 8, fromResilience);
  const { env } = ctx;
  const appNamespace = edge.meshServices[0]!.namespace;
  return {
    envName: env.name,
    accountId: env.accountId,
    region: env.regions.primary,
    deployRoleArn: `arn:aws:iam::${env.accountId}:role/${DEPLOYER_ROLE_NAME}`,
    tags: { ...env.tags },
    clusterName: cluster.clusterName,
    karpenterRoleArn: cluster.podIdentityRoleArns.karpenter,
    availabilityZone: h.chaos.availabilityZone,
    kubeconfig: edge.kubeconfig,
    ingressLbHostname: edge.ingressLbHostname,
    gateInputs: {
      publicHosts: [...edge.hostnames.frontend, edge.hostnames.api],
      meshServices: edge.meshServices,
      mtlsExceptions: h.mtlsExceptions.map((e) => e.name),
      loadTargets: loadTargets({ frontend: edge.hostnames.frontend[0]!, api: edge.hostnames.api }),
      load: { ...h.load },
      chaosExperiment: h.chaos.experiment,
      podFault: { ...h.chaos.podFault },
      appNamespace,
      restoreDrill: {
        vaultArn: resilience.backupVaultArns.primary,
        restoreRoleArn: foundation.backupRoleArn,
        rtoMinutes: h.rtoMinutes,
        rpoMinutes: h.rpoMinutes,
        // The primary's StatefulSet carries the Service's name (programs/04-data/names.ts); its volume claim template is `data`.
        source: { namespace: data.dataNamespace, statefulSet: data.postgres.serviceName, database: data.postgres.dbName, image: POSTGRES_IMAGE },
        tables: h.restoreDrill.tables.map((t) => ({ ...t })),
      },
    },
  };
}

export const phase: PhaseDefinition<Phase10Inputs, Phase10Outputs> = {
  id: 10,
  slug: 'hardening',
  title: 'Hardening: TLS/mTLS validation, load and chaos, restore drill',
  module: import.meta.url,
  dependsOn: [1, 2, 4, 6, 7, 8, 9],
  inputs: phase10Inputs,
  outputs: phase10Outputs,
  secretOutputs: ['kubeconfig'],
  loadGates: () => import('./gates.js').then((m) => m.gates),
  loadProgram: () => import('./program.js').then((m) => m.program),
  planChanges: [
    {
      what: "phase 10's outputs are what its gates need (FIS templates, SLO alarms, scratch namespace, targets); the TLS, mTLS, load, chaos and restore reports are gate evidence",
      why: 'a stack output is fixed when the stack is updated; a report belongs to each verification, and `platform verify --phase 10` re-makes it',
    },
    {
      what: 'load tests use autocannon (MIT) from the runner, not k6',
      why: 'k6 is AGPL-3.0; the project never builds or links AGPL code',
    },
    {
      what: 'phase 10 reads phases 1, 2 and 4 directly (the backup role, the cluster and Karpenter role, the database)',
      why: "the restore drill restores with phase 1's backup role and compares against phase 4's PostgreSQL; the chaos templates target phase 2's nodes and Karpenter role",
    },
  ],
};
