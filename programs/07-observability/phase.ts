/**
 * Phase 7, observability: dashboards and alert routing on the kube-prometheus-stack from phase 2,
 * log shipping to Loki with Grafana Alloy, traces to Tempo through an OpenTelemetry collector, and the
 * checks that the phase-5 services' metrics, logs and traces arrive.
 */
import { z } from 'zod';
import { httpUrl, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
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
  region: string;
  tags: Record<string, string>;
  kubeconfig: string;
  monitoringNamespace: string;
  services: { prometheus: string; alertmanager: string; grafana: string; lokiGateway: string };
  appNamespaces: Record<string, string>;
}

/** Builds the program inputs from the env file and the outputs of phases 2 and 5 (pure). */
export function phase7Inputs(ctx: PhaseContext): Phase7Inputs {
  const cluster = readUpstream(ctx, 7, 2, fromCluster);
  const apps = readUpstream(ctx, 7, 5, fromApps);
  return {
    envName: ctx.env.name,
    domain: ctx.env.domain,
    region: ctx.env.regions.primary,
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
  dependsOn: [2, 5],
  inputs: phase7Inputs,
  outputs: phase7Outputs,
  secretOutputs: [],
  gates: [],
  planChanges: [
    {
      what: 'Logs ship to Loki with Grafana Alloy instead of Promtail',
      why: 'Promtail is end-of-life since 2026-03-02; Alloy is its supported successor',
    },
    {
      what: 'Loki, Grafana and Tempo charts come from grafana-community/helm-charts',
      why: 'the OSS charts moved there on 2026-03-16; the old grafana repo copies are no longer updated',
    },
  ],
};
