/**
 * NetworkPolicies of the platform namespaces whose charts phase 2 can render and check (enforced by
 * the VPC CNI's network policy agent, `enableNetworkPolicy` in cluster.ts):
 * - every one gets `default-deny`: no ingress, no egress for any pod unless another policy allows it;
 * - every one gets `allow-dns-and-https`: egress to CoreDNS (kube-system `k8s-app: kube-dns`, 53
 *   UDP/TCP) and TCP 443 anywhere. 443 is the API server (EKS serves it from ENIs in the VPC whose
 *   addresses are not known ahead) and the AWS APIs the controllers call (Route53, STS, EC2 for
 *   ExternalDNS and cert-manager's DNS-01), reached through the VPC endpoints or NAT;
 * - what each controller needs on top comes from its chart's own policy, enabled in its values:
 *   cert-manager (`networkPolicy`, `webhook.networkPolicy`, `cainjector.networkPolicy`: webhook
 *   10250 and metrics/health in, DNS + 80/443 out), istiod and the ingress gateway
 *   (`global.networkPolicy`: webhook 15017 and xDS 15010-15012 in; the gateway's status, metrics and
 *   service ports in). ExternalDNS's chart has none: `external-dns-metrics` lets its metrics and
 *   health port (7979, `http`) in.
 * - the namespaces whose controllers get AWS credentials through EKS Pod Identity (cert-manager,
 *   external-dns, external-secrets) get `allow-pod-identity-agent`: egress to the agent on the node's
 *   link-local 169.254.170.23 (IPv6 fd00:ec2::23) port 80 (EKS user guide, pod-id-considerations).
 *   Without it a default-deny namespace cannot fetch credentials: policy engines enforce egress to
 *   that host-network address like any other (cilium/cilium#34387; aws-network-policy-agent#120 for
 *   the metadata address);
 * - External Secrets (chart 2.10.0; ports read from the chart's values.yaml and templates at
 *   helm-chart-2.9.0, the newest stored, whose own optional policies list the same ports):
 *   `external-secrets-webhook` lets the API server reach the webhook on 10250 (the control plane's
 *   ENIs have no fixed address, hence no `from`) and the kubelet its health port 8081;
 *   `external-secrets-probes-and-metrics` lets the kubelet reach the controller's (8082) and
 *   cert-controller's (8081) health ports, and the monitoring namespace scrape 8080 on all three.
 *   Pods are selected by the chart's selector labels (`app.kubernetes.io/name` external-secrets,
 *   external-secrets-webhook, external-secrets-cert-controller). Its chart cannot be rendered here, so
 *   these are plain objects rather than the chart's `networkPolicy` values.
 * - monitoring (kube-prometheus-stack 88.5.3, phase 8's prometheus-adapter 5.3.0) and loki (loki
 *   12.0.0 SimpleScalable, alloy 1.8.1), whose charts cannot be rendered here either, get the same
 *   default deny and DNS/HTTPS egress, plus `allow-within-namespace` (ingress from and egress to the
 *   namespace's own pods, any port: Grafana -> Prometheus 9090, Prometheus -> Alertmanager 9093,
 *   Alertmanager's mesh 9094, the reloaders 8080, kube-state-metrics 8080; Loki's http 3100, grpc 9095,
 *   memberlist 7946, gateway 8080 and memcached 11211 + exporter 9150, Alloy -> gateway), and:
 *   - `prometheus-scrape`: Prometheus (`app.kubernetes.io/name: prometheus`, the operator's pod label)
 *     may reach any address on any port: its targets are pods in every namespace and the nodes
 *     (kubelet 10250, node-exporter 9100);
 *   - `apiserver-to-webhooks`: the API server reaches the operator's admission webhook (10250,
 *     `prometheusOperator.tls.internalPort`; `app.kubernetes.io/name: kube-prometheus-stack-prometheus-operator`) and the
 *     adapter's aggregated metrics API (6443, `listenPort`; `app.kubernetes.io/name: prometheus-adapter`);
 *   - `otlp-from-mesh`: every namespace's sidecars and gateways send spans to phase 7's OpenTelemetry
 *     collector (istiod's `otel-tracing` provider, OTLP gRPC 4317 / HTTP 4318; pods selected by the
 *     release, `app.kubernetes.io/instance: otel-collector`);
 *   - `grafana-to-loki`: Grafana (`app.kubernetes.io/name: grafana`) reaches the Loki gateway (8080);
 *   - in loki, `from-monitoring`: Grafana's queries to the gateway (8080) and Prometheus' scrapes
 *     (3100 on every Loki component, 4040 the gateway's exporter, 9150 memcached's, 12345 Alloy);
 *   - loki also reaches the Pod Identity agent (its S3 role).
 *   Ports and labels from the charts' values.yaml and templates at those tags
 *   (prometheus-community/helm-charts, grafana-community/helm-charts) and prometheus-operator's pod labels.
 * The istio-cni node agent and node-exporter are not covered: they run in the host network, where
 * policies do not apply.
 */
import { NAMESPACES } from './addons.js';
import { MESH_TRACING } from './charts/istio.js';

type Obj = Record<string, unknown>;

export const DEFAULT_DENY = 'default-deny';
export const ALLOW_DNS_HTTPS = 'allow-dns-and-https';

export const ALLOW_POD_IDENTITY = 'allow-pod-identity-agent';

/** The namespaces this file guards. */
export const GUARDED_NAMESPACES = [
  NAMESPACES.certManager, NAMESPACES.externalDns, NAMESPACES.externalSecrets, NAMESPACES.istioSystem, NAMESPACES.istioIngress, NAMESPACES.monitoring, NAMESPACES.loki,
] as const;

/** Namespaces whose controllers use EKS Pod Identity (roles.ts `serviceAccounts`) among the guarded ones. */
export const POD_IDENTITY_NAMESPACES = [NAMESPACES.certManager, NAMESPACES.externalDns, NAMESPACES.externalSecrets, NAMESPACES.loki] as const;

/** The EKS Pod Identity agent's link-local addresses and port (EKS user guide, pod-id-considerations). */
export const POD_IDENTITY_AGENT = { ipv4: '169.254.170.23/32', ipv6: 'fd00:ec2::23/128', port: 80 } as const;

/** External Secrets' ports and pod labels (chart values.yaml / _helpers.tpl, helm-chart-2.9.0). */
export const EXTERNAL_SECRETS = {
  controller: { name: 'external-secrets', health: 8082 },
  webhook: { name: 'external-secrets-webhook', health: 8081, webhook: 10250 },
  certController: { name: 'external-secrets-cert-controller', health: 8081 },
  metrics: 8080,
} as const;

/** Ports of the monitoring and logging charts (kube-prometheus-stack 88.5.3, prometheus-adapter 5.3.0, loki 12.0.0, alloy 1.8.1). */
export const OBSERVABILITY_PORTS = {
  operatorWebhook: 10250,
  adapterApi: 6443,
  lokiHttp: 3100,
  lokiGateway: 8080,
  lokiGatewayExporter: 4040,
  memcachedExporter: 9150,
  alloyHttp: 12345,
} as const;

const policy = (namespace: string, name: string, spec: Obj): Obj => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'platform' } },
  spec,
});

export function platformNetworkPolicies(): Obj[] {
  const out: Obj[] = [];
  for (const ns of GUARDED_NAMESPACES) {
    out.push(policy(ns, DEFAULT_DENY, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
    out.push(
      policy(ns, ALLOW_DNS_HTTPS, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
          },
          { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443, protocol: 'TCP' }] },
        ],
      }),
    );
  }
  for (const ns of POD_IDENTITY_NAMESPACES) {
    out.push(
      policy(ns, ALLOW_POD_IDENTITY, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.ipv4 } }, { ipBlock: { cidr: POD_IDENTITY_AGENT.ipv6 } }], ports: [{ port: POD_IDENTITY_AGENT.port, protocol: 'TCP' }] }],
      }),
    );
  }
  const eso = EXTERNAL_SECRETS;
  const byName = (name: string) => ({ matchLabels: { 'app.kubernetes.io/name': name } });
  const tcp = (port: number) => ({ port, protocol: 'TCP' });
  const fromMonitoring = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACES.monitoring } } }];
  out.push(
    policy(NAMESPACES.externalSecrets, 'external-secrets-webhook', {
      podSelector: byName(eso.webhook.name),
      policyTypes: ['Ingress'],
      ingress: [{ ports: [tcp(eso.webhook.webhook), tcp(eso.webhook.health)] }, { from: fromMonitoring, ports: [tcp(eso.metrics)] }],
    }),
    policy(NAMESPACES.externalSecrets, 'external-secrets-probes-and-metrics', {
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: [eso.controller.name, eso.certController.name] }] },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [tcp(eso.controller.health), tcp(eso.certController.health)] }, { from: fromMonitoring, ports: [tcp(eso.metrics)] }],
    }),
  );
  const nsSelector = (ns: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });
  const ports = OBSERVABILITY_PORTS;
  for (const ns of [NAMESPACES.monitoring, NAMESPACES.loki]) {
    out.push(
      policy(ns, 'allow-within-namespace', {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
      }),
    );
  }
  out.push(
    policy(NAMESPACES.monitoring, 'prometheus-scrape', {
      podSelector: byName('prometheus'),
      policyTypes: ['Egress'],
      egress: [{}],
    }),
    policy(NAMESPACES.monitoring, 'apiserver-to-webhooks', {
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['kube-prometheus-stack-prometheus-operator', 'prometheus-adapter'] }] },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [tcp(ports.operatorWebhook), tcp(ports.adapterApi)] }],
    }),
    policy(NAMESPACES.monitoring, 'otlp-from-mesh', {
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': MESH_TRACING.collectorService } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: {} }], ports: [tcp(MESH_TRACING.otlpGrpcPort), tcp(MESH_TRACING.otlpHttpPort)] }],
    }),
    policy(NAMESPACES.monitoring, 'grafana-to-loki', {
      podSelector: byName('grafana'),
      policyTypes: ['Egress'],
      egress: [{ to: [{ ...nsSelector(NAMESPACES.loki), podSelector: { matchLabels: { 'app.kubernetes.io/component': 'gateway' } } }], ports: [tcp(ports.lokiGateway)] }],
    }),
    policy(NAMESPACES.loki, 'from-monitoring', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [nsSelector(NAMESPACES.monitoring)], ports: [tcp(ports.lokiGateway), tcp(ports.lokiHttp), tcp(ports.lokiGatewayExporter), tcp(ports.memcachedExporter), tcp(ports.alloyHttp)] }],
    }),
  );
  out.push(
    policy(NAMESPACES.externalDns, 'external-dns-metrics', {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'external-dns' } },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ port: 7979, protocol: 'TCP' }] }],
    }),
  );
  return out;
}
