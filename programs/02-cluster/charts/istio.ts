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
    },
    global: { defaultPodDisruptionBudget: { enabled: true } },
    meshConfig: { accessLogFile: '/dev/stdout', enableTracing: false, outboundTrafficPolicy: { mode: 'ALLOW_ANY' } },
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
  // Chart defaults fit EKS's VPC CNI (chained plugin, /opt/cni/bin, /etc/cni/net.d; tolerates every taint).
  const cni = pinnedRelease(
    'istio-cni',
    { pin: chartPin('istioCni'), namespace: NAMESPACES.istioSystem, releaseName: 'istio-cni', values: {} },
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
