/**
 * Phase 6 program: the edge objects of edge.ts on phase 2's cluster (Certificates, the Gateway,
 * VirtualServices, DestinationRules), and the phase-6 outputs. The ingress gateway, its NLB,
 * cert-manager, ExternalDNS and the mesh-wide STRICT PeerAuthentication are phase 2's. Nothing
 * runs at import.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { CERT_SECRETS, edgeManifests, GATEWAY_NAME, hostnames } from './edge.js';
import { HEALTH_PATH } from './gates.js';
import type { Phase6Inputs } from './phase.js';

export async function program(inputs: Phase6Inputs): Promise<Record<string, unknown>> {
  const provider = new k8s.Provider('k8s', { kubeconfig: inputs.kubeconfig, enableServerSideApply: true });
  const manifests = edgeManifests({
    domain: inputs.domain,
    ingressNamespace: inputs.ingressNamespace,
    gatewaySelector: inputs.gatewaySelector,
    clusterIssuer: inputs.clusterIssuer,
    appNamespace: inputs.appNamespace,
    services: inputs.services,
  });
  const gateways: k8s.apiextensions.CustomResource[] = [];
  for (const m of manifests) {
    const r = new k8s.apiextensions.CustomResource(`${m.kind.toLowerCase()}-${m.metadata.namespace}-${m.metadata.name}`, m as k8s.apiextensions.CustomResourceArgs, {
      provider,
      // Routes name the Gateway (edgeManifests puts it before them): create it first.
      dependsOn: m.kind === 'VirtualService' ? gateways : [],
    });
    if (m.kind === 'Gateway') gateways.push(r);
  }
  const h = hostnames(inputs.domain);
  const api = inputs.services.filter((s) => s.route?.host === 'api');
  return {
    gatewayName: GATEWAY_NAME,
    gatewayNamespace: inputs.ingressNamespace,
    hostnames: h,
    certificateSecrets: { ...CERT_SECRETS },
    ingressLbHostname: inputs.ingressLbHostname,
    peerAuthenticationMode: 'STRICT',
    authorizationPolicies: [],
    publicUrls: { frontend: `https://${inputs.domain}/`, api: `https://${h.api}/` },
    apiHealthUrls: api.map((s) => `https://${h.api}${s.route!.pathPrefix.replace(/\/$/, '')}${HEALTH_PATH}`),
    meshServices: inputs.services.map((s) => ({ namespace: inputs.appNamespace, name: s.name, port: s.port })),
    kubeconfig: pulumi.secret(inputs.kubeconfig),
  };
}
