/**
 * Phase 6, edge: the public ingress Gateway on Istio, DNS records for the frontend and API hosts,
 * their certificates, STRICT mTLS and AuthorizationPolicies for the phase-5 services. The hosted
 * zones themselves already exist (phase 1); this phase only adds records to them.
 */
import { z } from 'zod';
import { httpUrl, k8sName, readUpstream, text } from '../../src/core/outputs-contract.js';
import { PlatformError } from '../../src/core/errors.js';
import type { PhaseContext, PhaseDefinition } from '../../src/core/phase.js';
import { phase1Outputs } from '../01-foundation/phase.js';
import { phase2Outputs } from '../02-cluster/phase.js';
import { phase5Outputs } from '../05-apps/phase.js';
import { SERVICES, type ServiceSpec } from '../shared/services.js';

/** The outputs contract of phase 6 (reference/phases.md section D). */
export const phase6Outputs = z.object({
  gatewayName: k8sName,
  gatewayNamespace: k8sName,
  hostnames: z.object({ frontend: z.array(text).min(1), api: text }),
  /** TLS Secret name by host group. */
  certificateSecrets: z.object({ frontend: k8sName, api: k8sName }),
  ingressLbHostname: text,
  /** Mesh-wide PeerAuthentication mode; the gates require STRICT. */
  peerAuthenticationMode: z.enum(['STRICT', 'PERMISSIVE']),
  /** AuthorizationPolicies the gateway's traffic relies on (phase 5's allow list owns them; none are created here). */
  authorizationPolicies: z.array(k8sName),
  publicUrls: z.object({ frontend: httpUrl, api: httpUrl }),
  /** The health URL of every API route (the https gate calls each). */
  apiHealthUrls: z.array(httpUrl),
  /** Every meshed service the mtls gate calls in plain text. */
  meshServices: z.array(z.object({ namespace: k8sName, name: k8sName, port: z.number().int() })).min(1),
  /**
   * Phase 2's kubeconfig, passed through as a secret: the gate runner gives a phase's gates only
   * that phase's own outputs, and the mtls gate reads the cluster.
   */
  kubeconfig: text,
});
export type Phase6Outputs = z.infer<typeof phase6Outputs>;

/** What phase 6 reads from phase 1 (foundation): the zones it adds records to. */
const fromFoundation = phase1Outputs.pick({ hostedZoneIds: true });
/** What phase 6 reads from phase 2 (cluster). */
const fromCluster = phase2Outputs.pick({ kubeconfig: true, clusterIssuers: true, istio: true });
/** What phase 6 reads from phase 5 (apps): whom to route to and authorize. */
const fromApps = phase5Outputs.pick({ appNamespaces: true, serviceAccounts: true });

/** Inputs of the phase 6 program. `kubeconfig` is secret. */
export interface Phase6Inputs {
  envName: string;
  domain: string;
  tags: Record<string, string>;
  hostedZoneIds: { apex: string; api: string };
  kubeconfig: string;
  clusterIssuer: string;
  ingressNamespace: string;
  ingressLbHostname: string;
  /** Phase 2's ingress gateway pods' labels (the Gateway's selector). */
  gatewaySelector: Record<string, string>;
  /** The namespace the services run in for this env (phase 5). */
  appNamespace: string;
  serviceAccounts: Record<string, string>;
  services: readonly ServiceSpec[];
}

/** The env's namespace from phase 5's `appNamespaces` (by env); a missing one is a dependency error. */
export function appNamespaceOf(appNamespaces: Record<string, string>, envName: string): string {
  const ns = appNamespaces[envName];
  if (ns === undefined) {
    throw new PlatformError('dependency-check', `phase 5 output 'appNamespaces' has no namespace for env ${envName}`, {
      value: `appNamespaces.${envName}`,
      hint: `re-run phase 5 so its outputs name the env's namespace: platform up --phase 5 --env ${envName}`,
    });
  }
  return ns;
}

/** Builds the program inputs from the env file and the outputs of phases 1, 2 and 5 (pure). */
export function phase6Inputs(ctx: PhaseContext): Phase6Inputs {
  const foundation = readUpstream(ctx, 6, 1, fromFoundation);
  const cluster = readUpstream(ctx, 6, 2, fromCluster);
  const apps = readUpstream(ctx, 6, 5, fromApps);
  return {
    envName: ctx.env.name,
    domain: ctx.env.domain,
    tags: { ...ctx.env.tags },
    hostedZoneIds: foundation.hostedZoneIds,
    kubeconfig: cluster.kubeconfig,
    clusterIssuer: cluster.clusterIssuers.prod,
    ingressNamespace: cluster.istio.ingressNamespace,
    ingressLbHostname: cluster.istio.ingressLbHostname,
    gatewaySelector: { ...cluster.istio.ingressGatewaySelector },
    appNamespace: appNamespaceOf(apps.appNamespaces, ctx.env.name),
    serviceAccounts: apps.serviceAccounts,
    services: SERVICES,
  };
}

export const phase: PhaseDefinition<Phase6Inputs, Phase6Outputs> = {
  id: 6,
  slug: 'edge',
  title: 'Edge: ingress gateway, DNS records, certificates, mTLS policy',
  module: import.meta.url,
  dependsOn: [1, 2, 5],
  inputs: phase6Inputs,
  outputs: phase6Outputs,
  secretOutputs: ['kubeconfig'],
  loadGates: () => import('./gates.js').then((m) => m.gates),
  loadProgram: () => import('./program.js').then((m) => m.program),
  planChanges: [
    {
      what: 'Route53 hosted zones are created in phase 1; phase 6 only adds records, Gateways and certificates',
      why: "phase 2's gates need the zones (cert-manager DNS-01 and ExternalDNS) before phase 6 runs",
    },
  ],
};
