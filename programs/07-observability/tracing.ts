/**
 * Tracing (phase 7's part; one owner each):
 * - phase 2 declares the mesh's tracing provider in istiod's mesh config (`MESH_TRACING`: an
 *   `opentelemetry` extension provider sending OTLP/gRPC to the collector's Service);
 * - phase 7 installs, in phase 2's `monitoring` namespace:
 *   - the OpenTelemetry collector (chart opentelemetry-collector 0.170.0, collector 0.158.0,
 *     Apache-2.0) at exactly that address: OTLP in (gRPC 4317 from the sidecars, HTTP 4318 for the
 *     traces-flow gate and apps), a traces pipeline out to Tempo over OTLP/gRPC;
 *   - Tempo as the trace store (chart tempo 2.2.4, Tempo 2.10.8, monolithic mode; AGPL: its published
 *     image is deployed, never built or linked here) on a gp3 volume, keeping traces the env's
 *     `retentionHours`, its query API on 3200;
 *   - the mesh-wide `Telemetry` resource (telemetry.istio.io/v1, root namespace istio-system) that
 *     turns the provider on with the env's sampling percentage.
 * Why Tempo rather than Jaeger: Jaeger v2 needs Elasticsearch, OpenSearch or Cassandra for durable
 * storage (one more stateful system to run); Tempo keeps traces in blocks on its own volume (or S3),
 * and phase 2's Grafana reads it natively. Licence-wise both are deployable: Tempo only as its image.
 * Every value below was checked against the chart's values.yaml / values.schema.json at the pinned
 * tag (docs/architecture.md, "Tracing").
 */
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { MESH_TRACING, MESH_TRACING_COLLECTOR_HOST } from '../02-cluster/charts/istio.js';
import { NAMESPACES } from '../02-cluster/addons.js';
import { chartLock, pinOf } from '../shared/chart-lock.js';
import { pinnedRelease, restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../shared/charts.js';

/** The env's tracing settings (stacks/<env>.yaml `observability.tracing`). */
export interface TracingSettings {
  samplingPercent: number;
  retentionHours: number;
  storageGiB: number;
}

/** Tempo's release (and, as the release name contains the chart name, its Service and StatefulSet). */
export const TEMPO_RELEASE = 'tempo';
/** Tempo's HTTP port (server.http_listen_port): the query API. */
export const TEMPO_HTTP_PORT = 3200;
const TEMPO_OTLP_GRPC_PORT = 4317;
export const TEMPO_HOST = `${TEMPO_RELEASE}.${MESH_TRACING.namespace}.svc.cluster.local`;
/** The exporter that sends the collector's traces to Tempo (`otlp_grpc` is the type's name since collector 0.15x; `otlp` is its deprecated alias). */
export const TEMPO_EXPORTER = 'otlp_grpc/tempo';
/** The mesh-wide Telemetry resource's name (in the root namespace). */
export const MESH_TELEMETRY = 'mesh-default';

/** Where the collector and Tempo answer, as phase 7 exports them. */
export function tracingEndpoints(): { otelCollectorEndpoint: { grpc: string; http: string }; tempoQueryUrl: string } {
  return {
    otelCollectorEndpoint: {
      grpc: `${MESH_TRACING_COLLECTOR_HOST}:${MESH_TRACING.otlpGrpcPort}`,
      http: `http://${MESH_TRACING_COLLECTOR_HOST}:${MESH_TRACING.otlpHttpPort}`,
    },
    tempoQueryUrl: `http://${TEMPO_HOST}:${TEMPO_HTTP_PORT}`,
  };
}

/**
 * Collector values (chart opentelemetry-collector 0.170.0). The chart merges `config` into its
 * default config: the receivers and pipelines phase 7 does not use are removed with null (Helm
 * deletes a default key set to null); the ports of the removed receivers are disabled.
 */
export function collectorValues(): Record<string, unknown> {
  const podIp = (port: number) => `\${env:MY_POD_IP}:${port}`;
  return {
    mode: 'deployment',
    fullnameOverride: MESH_TRACING.collectorService,
    // The chart sets no image (it fails without one); the Kubernetes distribution has the OTLP
    // receiver, the otlp_grpc exporter, batch and memory_limiter. The tag defaults to appVersion 0.158.0.
    image: { repository: 'otel/opentelemetry-collector-k8s' },
    replicaCount: 2,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    podSecurityContext: restrictedPodSecurityContext,
    securityContext: restrictedContainerSecurityContext,
    ports: {
      'jaeger-compact': { enabled: false },
      'jaeger-thrift': { enabled: false },
      'jaeger-grpc': { enabled: false },
      zipkin: { enabled: false },
    },
    config: {
      receivers: {
        jaeger: null,
        zipkin: null,
        prometheus: null,
        otlp: { protocols: { grpc: { endpoint: podIp(MESH_TRACING.otlpGrpcPort) }, http: { endpoint: podIp(MESH_TRACING.otlpHttpPort) } } },
      },
      exporters: { [TEMPO_EXPORTER]: { endpoint: `${TEMPO_HOST}:${TEMPO_OTLP_GRPC_PORT}`, tls: { insecure: true } } },
      service: {
        pipelines: {
          traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: [TEMPO_EXPORTER] },
          metrics: null,
          logs: null,
        },
      },
    },
  };
}

/**
 * Tempo values (chart tempo 2.2.4, monolithic). Its receivers keep the chart's defaults (OTLP on
 * 4317/4318; the chart's Service template reads the Jaeger receiver entries, so they stay). No
 * usage reporting to Grafana Labs. Traces on a PersistentVolume of the cluster's default class (gp3).
 */
export function tempoValues(t: TracingSettings): Record<string, unknown> {
  return {
    replicas: 1,
    tempo: {
      reportingEnabled: false,
      retention: `${t.retentionHours}h`,
      resources: { requests: { cpu: '200m', memory: '1Gi' }, limits: { memory: '2Gi' } },
      securityContext: restrictedContainerSecurityContext,
    },
    securityContext: { ...restrictedPodSecurityContext, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
    persistence: { enabled: true, size: `${t.storageGiB}Gi` },
  };
}

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string> }; spec: Record<string, unknown> };

/** The mesh-wide Telemetry resource: every sidecar reports to the provider at the env's sampling rate. */
export function meshTelemetry(samplingPercent: number): Manifest {
  return {
    apiVersion: 'telemetry.istio.io/v1',
    kind: 'Telemetry',
    metadata: { name: MESH_TELEMETRY, namespace: NAMESPACES.istioSystem, labels: { 'app.kubernetes.io/managed-by': 'platform', 'platform.io/phase': '07-observability' } },
    spec: { tracing: [{ providers: [{ name: MESH_TRACING.provider }], randomSamplingPercentage: samplingPercent }] },
  };
}

/** The chart lock entries phase 7 installs. */
export const TRACING_CHART_KEYS = ['otelCollector', 'tempo'] as const;

function lockedPin(key: (typeof TRACING_CHART_KEYS)[number]) {
  const entry = chartLock().charts[key];
  if (!entry) throw new Error(`charts.lock.yaml has no entry '${key}': add it with its repository, version and digest`);
  return pinOf(entry);
}

/** Tempo, then the collector that exports to it. */
export function installTracing(t: TracingSettings, opts: { provider: k8s.Provider }): { tempo: k8s.helm.v3.Release; collector: k8s.helm.v3.Release } {
  const tempo = pinnedRelease('tempo', { pin: lockedPin('tempo'), namespace: MESH_TRACING.namespace, releaseName: TEMPO_RELEASE, values: tempoValues(t) }, opts);
  const collector = pinnedRelease(
    'otel-collector',
    { pin: lockedPin('otelCollector'), namespace: MESH_TRACING.namespace, releaseName: MESH_TRACING.collectorService, values: collectorValues() },
    { ...opts, dependsOn: [tempo] as pulumi.Input<pulumi.Resource>[] },
  );
  return { tempo, collector };
}
