/**
 * Phase 6's Kubernetes objects as plain manifests (pure; program.ts creates them, the tests read
 * them and apply them to a real API server with the real CRDs).
 *
 * - Certificates `frontend-tls` (apex + www) and `api-tls` (api.) in the gateway's namespace, where
 *   Istio's gateway reads `credentialName` Secrets; issued by phase 2's production ClusterIssuer
 *   (DNS-01 on Route53), ECDSA P-256, key rotated on every renewal.
 * - One Istio Gateway `public-gateway` on phase 2's ingress gateway (selector from its outputs):
 *   port 80 redirects to HTTPS; two 443 servers (distinct port names), TLS SIMPLE, TLS 1.2 minimum.
 *   ExternalDNS (phase 2, source `istio-gateway`) publishes the Gateway's hosts as records to the
 *   gateway Service's NLB: this phase adds no Route53 record of its own.
 * - VirtualServices from the service list's routes: the apex service at `/` for apex and www, and
 *   one named route per API service under `api.`: prefix `/<svc>/` (and the bare `/<svc>`) rewritten
 *   to `/`, with a timeout and retries on connection-level failures only (Envoy's connect-failure,
 *   refused-stream, reset), never on a 5xx a service may already have acted on.
 * - DestinationRules for every service: ISTIO_MUTUAL (the sidecars' certificates), bounded
 *   connection pools and outlier detection.
 * Mesh-wide STRICT mTLS is phase 2's PeerAuthentication (the gates confirm it); who may call whom,
 * the gateway included, is phase 5's AuthorizationPolicy allow list (from the services' `callers`).
 */
import { routeHost, type ServiceSpec } from '../shared/services.js';

export const GATEWAY_NAME = 'public-gateway';
export const CERT_SECRETS = { frontend: 'frontend-tls', api: 'api-tls' } as const;
/** Per-try and overall limits of routed requests. */
export const ROUTE_TIMEOUT = '15s';
export const RETRIES = { attempts: 2, perTryTimeout: '5s', retryOn: 'connect-failure,refused-stream,reset' } as const;

export interface EdgeInputs {
  domain: string;
  ingressNamespace: string;
  gatewaySelector: Record<string, string>;
  clusterIssuer: string;
  /** Namespace the services run in (phase 5). */
  appNamespace: string;
  services: readonly ServiceSpec[];
}

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string> }; spec: Record<string, unknown> };

const labels = { 'app.kubernetes.io/managed-by': 'platform', 'platform.io/phase': '06-edge' };

/** The public host names. */
export function hostnames(domain: string): { frontend: string[]; api: string } {
  return { frontend: [domain, `www.${domain}`], api: `api.${domain}` };
}

export function certificates(i: EdgeInputs): Manifest[] {
  const h = hostnames(i.domain);
  const cert = (name: string, dnsNames: string[]): Manifest => ({
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace: i.ingressNamespace, labels },
    spec: {
      secretName: name,
      dnsNames,
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: i.clusterIssuer },
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['digital signature', 'key encipherment', 'server auth'],
    },
  });
  return [cert(CERT_SECRETS.frontend, h.frontend), cert(CERT_SECRETS.api, [h.api])];
}

export function gateway(i: EdgeInputs): Manifest {
  const h = hostnames(i.domain);
  const tls = (credentialName: string) => ({ mode: 'SIMPLE', credentialName, minProtocolVersion: 'TLSV1_2' });
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: GATEWAY_NAME, namespace: i.ingressNamespace, labels },
    spec: {
      selector: { ...i.gatewaySelector },
      servers: [
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [...h.frontend, h.api], tls: { httpsRedirect: true } },
        { port: { number: 443, name: 'https-frontend', protocol: 'HTTPS' }, hosts: h.frontend, tls: tls(CERT_SECRETS.frontend) },
        { port: { number: 443, name: 'https-api', protocol: 'HTTPS' }, hosts: [h.api], tls: tls(CERT_SECRETS.api) },
      ],
    },
  };
}

const fqdn = (s: ServiceSpec, ns: string) => `${s.name}.${ns}.svc.cluster.local`;

export function virtualServices(i: EdgeInputs): Manifest[] {
  const gw = `${i.ingressNamespace}/${GATEWAY_NAME}`;
  const h = hostnames(i.domain);
  const routed = i.services.filter((s) => s.route);
  const dest = (s: ServiceSpec) => [{ destination: { host: fqdn(s, i.appNamespace), port: { number: s.port } } }];
  const out: Manifest[] = [];
  const apex = routed.filter((s) => s.route!.host === 'apex');
  if (apex.length > 0) {
    out.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'frontend', namespace: i.appNamespace, labels },
      spec: {
        hosts: h.frontend,
        gateways: [gw],
        http: apex.map((s) => ({ name: s.name, match: [{ uri: { prefix: s.route!.pathPrefix } }], route: dest(s), timeout: ROUTE_TIMEOUT, retries: { ...RETRIES } })),
      },
    });
  }
  const api = routed.filter((s) => s.route!.host === 'api');
  if (api.length > 0) {
    if (routeHost(api[0]!.route!, i.domain) !== h.api) throw new Error('api routes must live on the api. host');
    out.push({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'api', namespace: i.appNamespace, labels },
      spec: {
        hosts: [h.api],
        gateways: [gw],
        http: api.map((s) => {
          const p = s.route!.pathPrefix.replace(/\/$/, '');
          return {
            name: s.name,
            match: [{ uri: { prefix: `${p}/` } }, { uri: { exact: p } }],
            rewrite: { uri: '/' },
            route: dest(s),
            timeout: ROUTE_TIMEOUT,
            retries: { ...RETRIES },
          };
        }),
      },
    });
  }
  return out;
}

export function destinationRules(i: EdgeInputs): Manifest[] {
  return i.services.map((s) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: s.name, namespace: i.appNamespace, labels },
    spec: {
      host: fqdn(s, i.appNamespace),
      trafficPolicy: {
        tls: { mode: 'ISTIO_MUTUAL' },
        connectionPool: { tcp: { maxConnections: 1024, connectTimeout: '5s' }, http: { http2MaxRequests: 1024, maxRequestsPerConnection: 100, idleTimeout: '300s' } },
        outlierDetection: { consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
      },
    },
  }));
}

/** Every object phase 6 creates, in creation order. */
export function edgeManifests(i: EdgeInputs): Manifest[] {
  return [...certificates(i), gateway(i), ...virtualServices(i), ...destinationRules(i)];
}
