/**
 * Istio in sidecar mode from four pinned charts of one version: `base` (CRDs), `cni` (the Istio CNI
 * node agent, which sets up each pod's traffic redirection so injected pods need no NET_ADMIN /
 * NET_RAW init container and app namespaces can enforce the baseline Pod Security level, R10),
 * `istiod` (two replicas, PDB, `pilot.cni.enabled`), and the `istio-ingress` gateway behind an
 * internet-facing NLB in IP mode (the LB controller provisions it). Mesh-wide mTLS is STRICT: a PeerAuthentication named `default` in
 * the root namespace `istio-system`, with no selector, so it applies to every workload.
 */
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { criticalAddonsToleration, pinnedRelease } from '../../shared/charts.js';
import { NAMESPACES } from '../addons.js';
import { chartPin, istioRevision } from '../versions.js';

export const INGRESS_GATEWAY_SELECTOR = { istio: 'ingressgateway' } as const;
export const INGRESS_RELEASE = 'istio-ingress';

/**
 * Where the mesh sends spans (one owner each: phase 2 declares the provider in istiod's mesh config,
 * phase 7 installs the collector at this address and the Telemetry resource that turns the provider
 * on with the env's sampling rate). OTLP over gRPC to the collector's Service in `monitoring`.
 */
export const MESH_TRACING = {
  /** The extension provider's name, as the Telemetry resource refers to it. */
  provider: 'otel-tracing',
  /** Release name and Service name of the OpenTelemetry collector (phase 7; the chart's fullnameOverride). */
  collectorService: 'otel-collector',
  namespace: NAMESPACES.monitoring,
  otlpGrpcPort: 4317,
  otlpHttpPort: 4318,
} as const;

/** The collector's in-cluster host name (what istiod's extension provider dials). */
export const MESH_TRACING_COLLECTOR_HOST = `${MESH_TRACING.collectorService}.${MESH_TRACING.namespace}.svc.cluster.local`;

export function meshPeerAuthentication(): Record<string, unknown> {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace: NAMESPACES.istioSystem },
    spec: { mtls: { mode: 'STRICT' } },
  };
}

export function istiodValues(): Record<string, unknown> {
  return {
    revision: '',
    pilot: {
      autoscaleEnabled: true,
      autoscaleMin: 2,
      autoscaleMax: 5,
      replicaCount: 2,
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
      tolerations: [criticalAddonsToleration],
      // Sidecars rely on the istio-cni node agent: the injected init container only validates (no caps).
      cni: { enabled: true },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    // networkPolicy: the chart's own policy for istiod (1.30: webhook 15017 and xDS in, all out).
    // enableReaderRBAC off: the istio-reader ClusterRole (read on every Secret, wildcard read on Istio
    // config) serves multicluster remote secrets only; one cluster per env here. istiod 1.30.4 reads
    // it with `dig` (templates/reader-clusterrole*.yaml) without declaring it in values.yaml.
    global: { defaultPodDisruptionBudget: { enabled: true }, networkPolicy: { enabled: true }, enableReaderRBAC: false },
    meshConfig: {
      accessLogFile: '/dev/stdout',
      // Spans go to phase 7's OpenTelemetry collector (OTLP/gRPC); phase 7's mesh-wide Telemetry
      // resource enables this provider and sets the env's sampling rate (Istio's OpenTelemetry task:
      // enableTracing plus an `opentelemetry` extension provider with service and port).
      enableTracing: true,
      extensionProviders: [{ name: MESH_TRACING.provider, opentelemetry: { service: MESH_TRACING_COLLECTOR_HOST, port: MESH_TRACING.otlpGrpcPort } }],
      outboundTrafficPolicy: { mode: 'ALLOW_ANY' },
    },
  };
}

export function gatewayValues(): Record<string, unknown> {
  return {
    labels: { ...INGRESS_GATEWAY_SELECTOR },
    service: {
      type: 'LoadBalancer',
      annotations: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
        'service.beta.kubernetes.io/aws-load-balancer-attributes': 'load_balancing.cross_zone.enabled=true',
      },
    },
    autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 },
    podDisruptionBudget: { minAvailable: 1 },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } },
    // A pod securityContext replaces the chart's default one, which only sets this sysctl (binding 80/443 unprivileged).
    securityContext: { seccompProfile: { type: 'RuntimeDefault' }, sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
    // The chart's own policy (1.30): status, metrics and the Service's target ports in; all out.
    global: { networkPolicy: { enabled: true } },
  };
}

/**
 * The Istio CNI node agent (chart `cni` 1.30). It installs the CNI plugin onto each node and
 * enters pods' network namespaces, so it runs as root with NET_ADMIN/SYS_ADMIN and host paths (the
 * chart hard-codes that; the namespace is `privileged`). What can be tightened is: a seccomp profile
 * and a memory limit.
 */
export function cniValues(): Record<string, unknown> {
  return {
    seccompProfile: { type: 'RuntimeDefault' },
    resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { memory: '512Mi' } },
  };
}

export interface IstioResult {
  base: k8s.helm.v3.Release;
  cni: k8s.helm.v3.Release;
  istiod: k8s.helm.v3.Release;
  gateway: k8s.helm.v3.Release;
  peerAuthentication: k8s.apiextensions.CustomResource;
  /** The ingress Service read back after the gateway release is ready (its NLB host name). */
  ingressService: k8s.core.v1.Service;
}

export function installIstio(opts: { provider: k8s.Provider; dependsOn: pulumi.Input<pulumi.Resource>[] }): IstioResult {
  const base = pinnedRelease(
    'istio-base',
    { pin: chartPin('istioBase'), namespace: NAMESPACES.istioSystem, releaseName: 'istio-base', values: { defaultRevision: istioRevision } },
    opts,
  );
  // Chart defaults fit EKS's VPC CNI (chained plugin, /opt/cni/bin, /etc/cni/net.d; tolerates every taint); cniValues tightens it.
  const cni = pinnedRelease(
    'istio-cni',
    { pin: chartPin('istioCni'), namespace: NAMESPACES.istioSystem, releaseName: 'istio-cni', values: cniValues() },
    { provider: opts.provider, dependsOn: [...opts.dependsOn, base] },
  );
  const istiod = pinnedRelease(
    'istiod',
    { pin: chartPin('istiod'), namespace: NAMESPACES.istioSystem, releaseName: 'istiod', values: istiodValues() },
    { provider: opts.provider, dependsOn: [...opts.dependsOn, base, cni] },
  );
  const gateway = pinnedRelease(
    'istio-ingress',
    { pin: chartPin('istioGateway'), namespace: NAMESPACES.istioIngress, releaseName: INGRESS_RELEASE, values: gatewayValues() },
    { provider: opts.provider, dependsOn: [...opts.dependsOn, istiod] },
  );
  const peerAuthentication = new k8s.apiextensions.CustomResource(
    'mesh-peer-authentication',
    meshPeerAuthentication() as k8s.apiextensions.CustomResourceArgs,
    { provider: opts.provider, dependsOn: [istiod] },
  );
  const ingressService = k8s.core.v1.Service.get('istio-ingress-service', `${NAMESPACES.istioIngress}/${INGRESS_RELEASE}`, {
    provider: opts.provider,
    dependsOn: [gateway],
  });
  return { base, cni, istiod, gateway, peerAuthentication, ingressService };
}
