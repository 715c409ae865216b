/**
 * Phase 7, observability: dashboards and alert routing on the kube-prometheus-stack from phase 2,
 * alerts to phase 1's SNS topic, traces to Tempo (its bucket encrypted with phase 1's S3 key) through
 * an OpenTelemetry collector, and the checks that the phase-5 services' metrics, logs and traces
 * arrive. Loki and the Grafana Alloy DaemonSet that ships every pod's logs are phase 2's (release
 * `alloy` in namespace `loki`): phase 7 adds no second log shipper.
 */
import { z } from 'zod';
import { httpUrl, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase1Outputs } from '../01-foundation/phase.js';
import { phase2Outputs } from '../02-cluster/phase.js';
import { phase5Outputs } from '../05-apps/phase.js';

/** The outputs contract of phase 7 (reference/phases.md section D). */
export const phase7Outputs = z.object({
  grafanaUrl: httpUrl,
  /** Name of the Secret holding Grafana's admin credentials (the name, never the password). */
  grafanaAdminSecretName: k8sName,
  prometheusUrl: httpUrl,
  alertmanagerUrl: httpUrl,
  lokiPushUrl: httpUrl,
  lokiQueryUrl: httpUrl,
  tempoQueryUrl: httpUrl,
  /** OTLP endpoints of the in-cluster collector. */
  otelCollectorEndpoint: z.object({ grpc: text, http: httpUrl }),
  alertReceivers: z.array(text).min(1),
  dashboardConfigMaps: z.array(k8sName),
  tempoBucket: text,
});
export type Phase7Outputs = z.infer<typeof phase7Outputs>;

/** What phase 7 reads from phase 1 (foundation): the key for the Tempo bucket and the alerts topic. */
const fromFoundation = phase1Outputs.pick({ kmsKeyArns: true, alertsTopicArn: true });
/** What phase 7 reads from phase 2 (cluster): the monitoring stack it configures. */
const fromCluster = phase2Outputs.pick({
  kubeconfig: true,
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
  /** The env account, where the Tempo bucket and its Pod Identity role are created. */
  accountId: string;
  region: string;
  /** Phase 1's S3 KMS key: encrypts the Tempo bucket. */
  tempoBucketKmsKeyArn: string;
  /** Phase 1's SNS topic: Alertmanager's receiver for platform alerts. */
  alertsTopicArn: string;
  tags: Record<string, string>;
  kubeconfig: string;
  monitoringNamespace: string;
  services: { prometheus: string; alertmanager: string; grafana: string; lokiGateway: string };
  appNamespaces: Record<string, string>;
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
    tempoBucketKmsKeyArn: foundation.kmsKeyArns.s3,
    alertsTopicArn: foundation.alertsTopicArn,
    tags: { ...ctx.env.tags },
    kubeconfig: cluster.kubeconfig,
    monitoringNamespace: cluster.monitoringNamespace,
    services: {
      prometheus: cluster.prometheusService,
      alertmanager: cluster.alertmanagerService,
      grafana: cluster.grafanaService,
      lokiGateway: cluster.lokiGatewayService,
    },
    appNamespaces: apps.appNamespaces,
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
  secretOutputs: [],
  gates: [],
  planChanges: [
    {
      what: 'Logs ship to Loki with Grafana Alloy instead of Promtail, and phase 2 installs both (phase 7 adds no log shipper)',
      why: "Promtail is end-of-life since 2026-03-02; Alloy is its supported successor, and phase 2's gate already needs platform logs, so a second Alloy release here would clash with phase 2's",
    },
    {
      what: 'Loki, Grafana and Tempo charts come from grafana-community/helm-charts',
      why: 'the OSS charts moved there on 2026-03-16; the old grafana repo copies are no longer updated',
    },
  ],
};
