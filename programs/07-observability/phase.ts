/**
 * Phase 7, observability: SLO and platform alert rules, Istio scrape objects, dashboards and
 * Alertmanager routing on the kube-prometheus-stack from phase 2, alerts to phase 1's SNS topic
 * (Alertmanager's Pod Identity role may publish to it) and to a paging webhook whose URL lives in
 * the secret store, and the checks that metrics and alerts flow. Loki and the Grafana Alloy
 * DaemonSet that ships every pod's logs are phase 2's (release `alloy` in namespace `loki`): phase 7
 * adds no second log shipper. Tracing: phase 2's istiod sends spans to the OpenTelemetry collector
 * this phase installs, which exports them to Tempo (tracing.ts); the mesh-wide Telemetry resource
 * sets the env's sampling rate, and the traces-flow gate proves a span reaches the store.
 */
import { z } from 'zod';
import { PlatformError } from '../../src/core/errors.js';
import type { EnvConfig } from '../../src/core/env.js';
import { httpUrl, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase1Outputs } from '../01-foundation/phase.js';
import { phase2Outputs } from '../02-cluster/phase.js';
import { phase5Outputs } from '../05-apps/phase.js';
import { appNamespaceOf } from '../06-edge/phase.js';
import { deployerRoleArn } from '../../src/core/platform-names.js';
import { SERVICES, type ServiceSpec } from '../shared/services.js';

/** The outputs contract of phase 7 (reference/phases.md section D). */
export const phase7Outputs = z.object({
  grafanaUrl: httpUrl,
  /** Name of the Secret holding Grafana's admin credentials (the name, never the password). */
  grafanaAdminSecretName: k8sName,
  prometheusUrl: httpUrl,
  alertmanagerUrl: httpUrl,
  lokiPushUrl: httpUrl,
  lokiQueryUrl: httpUrl,
  alertReceivers: z.array(text).min(1),
  dashboardConfigMaps: z.array(k8sName),
  /** Rule groups phase 7 ships (the metrics-flow gate checks each is loaded). */
  ruleGroups: z.array(text).min(1),
  /** Scrape jobs of the services (their charts' ServiceMonitors, phase 5): the metrics-flow gate requires each up. */
  serviceScrapeJobs: z.array(text),
  /** Secrets Manager secret the paging and dead-man's-switch URLs go in (JSON: paging-url, deadman-url). */
  alertReceiversSecret: text,
  /** Namespaces whose pods' logs the logs-flow gate must find in Loki (the app namespace and monitoring). */
  logNamespaces: z.array(k8sName).min(1),
  /** The OpenTelemetry collector's OTLP endpoints: gRPC `host:port` (what the mesh sends to) and the OTLP/HTTP base URL. */
  otelCollectorEndpoint: z.object({
    grpc: z.string().regex(/^[a-z0-9.-]+:\d+$/, 'an in-cluster host:port'),
    http: httpUrl,
  }),
  /** Tempo's HTTP API (trace by id: `/api/v2/traces/<id>`), as Grafana and the traces-flow gate query it. */
  tempoQueryUrl: httpUrl,
  /** Percent of requests the mesh traces (the Telemetry resource's randomSamplingPercentage). */
  traceSamplingPercent: z.number().min(0).max(100),
  /** Phase 2's kubeconfig, passed through as a secret: the gate runner gives gates only their phase's outputs. */
  kubeconfig: text,
});
export type Phase7Outputs = z.infer<typeof phase7Outputs>;

/** What phase 7 reads from phase 1 (foundation): the alerts topic and the key that encrypts it. */
const fromFoundation = phase1Outputs.pick({ kmsKeyArns: true, alertsTopicArn: true });
/** What phase 7 reads from phase 2 (cluster): the monitoring stack it configures. */
const fromCluster = phase2Outputs.pick({
  kubeconfig: true,
  clusterName: true,
  clusterArn: true,
  clusterSecretStoreName: true,
  clusterSecretStoreNamespaceLabel: true,
  secretsManagerKmsKeyArn: true,
  monitoringNamespace: true,
  prometheusService: true,
  alertmanagerService: true,
  grafanaService: true,
  lokiGatewayService: true,
});
/** What phase 7 reads from phase 5 (apps): the namespaces whose telemetry it verifies. */
const fromApps = phase5Outputs.pick({ appNamespaces: true });

/** Inputs of the phase 7 program. `kubeconfig` is secret. */
export interface Phase7Inputs {
  envName: string;
  domain: string;
  /** The env account, where Alertmanager's Pod Identity role is created. */
  accountId: string;
  region: string;
  /** Role the explicit aws.Provider assumes (phase 0's deploy role in the env account). */
  deployRoleArn: string;
  /** Phase 1's SNS topic: Alertmanager's receiver for platform alerts. */
  alertsTopicArn: string;
  /** Phase 1's logs key, which encrypts that topic: publishing needs it. */
  alertsTopicKmsKeyArn: string;
  tags: Record<string, string>;
  kubeconfig: string;
  cluster: { name: string; arn: string };
  clusterSecretStore: { name: string; namespaceLabel: { key: string; value: string } };
  /** The key Secrets Manager secrets must use for the ClusterSecretStore to read them (phase 2). */
  secretsManagerKmsKeyArn: string;
  monitoringNamespace: string;
  services: { prometheus: string; alertmanager: string; grafana: string; lokiGateway: string };
  /** The namespace the services run in for this env (phase 5). */
  appNamespace: string;
  serviceList: readonly ServiceSpec[];
  /** The env's tracing settings (sampling, Tempo's retention and volume). */
  tracing: NonNullable<EnvConfig['observability']>['tracing'];
}

/** The observability block of the env file; a missing one is a config error naming the fix. */
export function tracingOf(env: EnvConfig): NonNullable<EnvConfig['observability']>['tracing'] {
  if (!env.observability) {
    throw new PlatformError('config-invalid', `env ${env.name} has no observability block: phase 7 needs its tracing sampling rate and Tempo's retention and volume size`, {
      value: 'observability',
      hint: `add observability: { tracing: { samplingPercent, retentionHours, storageGiB } } to stacks/${env.name}.yaml (see stacks/prod.yaml)`,
    });
  }
  return env.observability.tracing;
}

/** Builds the program inputs from the env file and the outputs of phases 1, 2 and 5 (pure). */
export function phase7Inputs(ctx: PhaseContext): Phase7Inputs {
  const foundation = readUpstream(ctx, 7, 1, fromFoundation);
  const cluster = readUpstream(ctx, 7, 2, fromCluster);
  const apps = readUpstream(ctx, 7, 5, fromApps);
  return {
    envName: ctx.env.name,
    domain: ctx.env.domain,
    accountId: ctx.env.accountId,
    region: ctx.env.regions.primary,
    deployRoleArn: deployerRoleArn(ctx.env.accountId),
    alertsTopicArn: foundation.alertsTopicArn,
    alertsTopicKmsKeyArn: foundation.kmsKeyArns.logs,
    tags: { ...ctx.env.tags, 'platform:env': ctx.env.name, 'platform:phase': '07-observability' },
    kubeconfig: cluster.kubeconfig,
    cluster: { name: cluster.clusterName, arn: cluster.clusterArn },
    clusterSecretStore: { name: cluster.clusterSecretStoreName, namespaceLabel: { ...cluster.clusterSecretStoreNamespaceLabel } },
    secretsManagerKmsKeyArn: cluster.secretsManagerKmsKeyArn,
    monitoringNamespace: cluster.monitoringNamespace,
    services: {
      prometheus: cluster.prometheusService,
      alertmanager: cluster.alertmanagerService,
      grafana: cluster.grafanaService,
      lokiGateway: cluster.lokiGatewayService,
    },
    appNamespace: appNamespaceOf(apps.appNamespaces, ctx.env.name),
    serviceList: SERVICES,
    tracing: { ...tracingOf(ctx.env) },
  };
}

export const phase: PhaseDefinition<Phase7Inputs, Phase7Outputs> = {
  id: 7,
  slug: 'observability',
  title: 'Observability: dashboards, log shipping, alerting, traces',
  module: import.meta.url,
  dependsOn: [1, 2, 5],
  inputs: phase7Inputs,
  outputs: phase7Outputs,
  secretOutputs: ['kubeconfig'],
  loadGates: () => import('./gates.js').then((m) => m.gates),
  loadProgram: () => import('./program.js').then((m) => m.program),
  planChanges: [
    {
      what: 'Logs ship to Loki with Grafana Alloy instead of Promtail, and phase 2 installs both (phase 7 adds no log shipper)',
      why: "Promtail is end-of-life since 2026-03-02; Alloy is its supported successor, and phase 2's gate already needs platform logs, so a second Alloy release here would clash with phase 2's",
    },
    {
      what: 'Tempo keeps traces on its own gp3 volume (monolithic chart `tempo`), not in an S3 bucket, and phase 7 exports no tempoBucket',
      why: "traces are short-lived diagnostics (the env's retentionHours, days not months); one volume avoids a bucket, its key policy and a Pod Identity role for Tempo; tempo-distributed on S3 is the step up when one Tempo is not enough",
    },
    {
      what: 'Loki, Grafana and Tempo charts come from grafana-community/helm-charts',
      why: 'the OSS charts moved there on 2026-03-16; the old grafana repo copies are no longer updated',
    },
    {
      what: "Node pressure, PVC filling and Watchdog alerts are kube-prometheus-stack's default rules (phase 2); phase 7 routes them and adds none of its own",
      why: 'one owner per component: a copy would fire twice and drift from the chart',
    },
  ],
};
