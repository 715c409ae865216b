/**
 * Phases 6 and 7 under Pulumi mocks for the shipped prod env, fed with upstream outputs of the
 * contracts' shape: the edge objects (certificates from the production issuer, TLS >= 1.2 servers
 * on phase 2's gateway, routes only for routed services, ISTIO_MUTUAL everywhere), typed by the
 * kubernetes-models Istio and cert-manager classes; the observability objects (rules, monitors,
 * dashboards, the ExternalSecret rendering Alertmanager's config, a publish-only Pod Identity role);
 * and both phases' outputs passing their own schemas with the kubeconfig kept secret.
 */
import { strict as assert } from 'node:assert';
import { parse } from 'yaml';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { DestinationRule, Gateway, VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1';
import { evaluateProgram, type CapturedResource, type Evaluation } from '../../src/engine/simulate/evaluate.js';
import type { PhaseContext } from '../../src/core/phase.js';
import { phase as phase6, phase6Outputs } from '../../programs/06-edge/phase.js';
import { phase as phase7, phase7Outputs } from '../../programs/07-observability/phase.js';
import { alertmanagerConfig } from '../../programs/07-observability/alerting.js';
import { SERVICES } from '../../programs/shared/services.js';
import { services as monitoringServices } from '../../programs/02-cluster/charts/monitoring.js';
import { LOKI_GATEWAY } from '../../programs/02-cluster/charts/loki.js';
import { istiodValues, MESH_TRACING } from '../../programs/02-cluster/charts/istio.js';
import { Telemetry } from '@kubernetes-models/istio/telemetry.istio.io/v1';
import { TEMPO_EXPORTER } from '../../programs/07-observability/tracing.js';
import { isPlatformError } from '../../src/core/errors.js';
import { sampleUpstream } from '../config/upstream-samples.js';
import { shippedEnv } from './phase-02-upstream.js';

const env = shippedEnv('prod');
const upstream = () => {
  const u = structuredClone(sampleUpstream);
  u[5] = { ...u[5], appNamespaces: { [env.name]: 'apps-prod' } };
  // What phase 2's program really outputs for its services (host:port), not the sample's bare names.
  u[2] = { ...u[2], prometheusService: monitoringServices.prometheus, alertmanagerService: monitoringServices.alertmanager, grafanaService: monitoringServices.grafana, lokiGatewayService: LOKI_GATEWAY };
  return u;
};
const ctx = (deps: number[]): PhaseContext => {
  const u = upstream();
  return { env, upstream: Object.fromEntries(deps.map((d) => [d, u[d as keyof typeof u]])), simulated: true };
};
const crs = (ev: Evaluation, kind: string): CapturedResource[] => ev.resources.filter((r) => r.type.startsWith('kubernetes:') && r.inputs.kind === kind);
const byType = (ev: Evaluation, type: string) => ev.resources.filter((r) => r.type === type);

async function run(p: typeof phase6 | typeof phase7, stack: string): Promise<Evaluation> {
  const inputs = p.inputs(ctx(p.dependsOn as number[]));
  const program = await p.loadProgram!();
  return evaluateProgram({ stack, synthetic: { accountId: env.accountId, region: env.regions.primary, stack }, program: () => program(inputs as never) });
}

describe('phase 6 (edge) under mocks, prod', function () {
  this.timeout(60_000);
  let ev: Evaluation;
  before(async () => (ev = await run(phase6, 'prod-06-edge')));

  it('issues both certificates from the production ClusterIssuer in the gateway namespace, ECDSA, rotated', () => {
    const certs = crs(ev, 'Certificate');
    assert.deepEqual(certs.map((c) => (c.inputs.spec as any).dnsNames).sort(), [[`api.${env.domain}`], [env.domain, `www.${env.domain}`]]);
    for (const c of certs) {
      new Certificate(c.inputs as any).validate();
      const spec = c.inputs.spec as any;
      assert.equal((c.inputs.metadata as any).namespace, 'istio-ingress');
      assert.deepEqual(spec.issuerRef, { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-prod' });
      assert.deepEqual(spec.privateKey, { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' });
    }
  });

  it("binds one Gateway to phase 2's ingress pods: HTTP redirects, HTTPS SIMPLE >= TLS 1.2 with each certificate", () => {
    const [gw] = crs(ev, 'Gateway');
    new Gateway(gw!.inputs as any).validate();
    const spec = gw!.inputs.spec as any;
    assert.deepEqual(spec.selector, { istio: 'ingressgateway' });
    const http = spec.servers.find((s: any) => s.port.number === 80);
    assert.equal(http.tls.httpsRedirect, true);
    const https = spec.servers.filter((s: any) => s.port.number === 443);
    assert.equal(new Set(https.map((s: any) => s.port.name)).size, 2, 'distinct port names');
    const certSecrets = crs(ev, 'Certificate').map((c) => (c.inputs.spec as any).secretName).sort();
    assert.deepEqual(https.map((s: any) => s.tls.credentialName).sort(), certSecrets);
    for (const s of https) assert.deepEqual([s.tls.mode, s.tls.minProtocolVersion], ['SIMPLE', 'TLSV1_2']);
  });

  it('routes exactly the services with a route; retries only connection failures', () => {
    const vs = crs(ev, 'VirtualService');
    for (const v of vs) new VirtualService(v.inputs as any).validate();
    const routed = vs.flatMap((v) => ((v.inputs.spec as any).http as any[]).map((h) => h.name)).sort();
    assert.deepEqual(routed, SERVICES.filter((s) => s.route).map((s) => s.name).sort());
    const api = vs.find((v) => (v.inputs.metadata as any).name === 'api')!;
    assert.deepEqual((api.inputs.spec as any).hosts, [`api.${env.domain}`]);
    assert.deepEqual((api.inputs.spec as any).gateways, ['istio-ingress/public-gateway']);
    const catalog = (api.inputs.spec as any).http.find((h: any) => h.name === 'catalog');
    assert.deepEqual(catalog.match, [{ uri: { prefix: '/catalog/' } }, { uri: { exact: '/catalog' } }]);
    assert.equal(catalog.route[0].destination.host, 'catalog.apps-prod.svc.cluster.local');
    assert.doesNotMatch(catalog.retries.retryOn, /5xx|gateway-error/);
  });

  it('one ISTIO_MUTUAL DestinationRule per service', () => {
    const drs = crs(ev, 'DestinationRule');
    for (const d of drs) new DestinationRule(d.inputs as any).validate();
    assert.deepEqual(drs.map((d) => (d.inputs.metadata as any).name).sort(), SERVICES.map((s) => s.name).sort());
    for (const d of drs) assert.equal((d.inputs.spec as any).trafficPolicy.tls.mode, 'ISTIO_MUTUAL');
  });

  it('outputs pass the schema; the kubeconfig is a secret', () => {
    const out = phase6Outputs.parse(ev.outputs);
    assert.equal(out.peerAuthenticationMode, 'STRICT');
    assert.deepEqual(out.apiHealthUrls, SERVICES.filter((s) => s.route?.host === 'api').map((s) => `https://api.${env.domain}${s.route!.pathPrefix}/health`));
    assert.equal(out.meshServices.length, SERVICES.length);
    assert.ok(ev.secretOutputs.includes('kubeconfig'), `secret outputs: ${ev.secretOutputs.join(', ')}`);
  });
});

describe('phase 7 (observability) under mocks, prod', function () {
  this.timeout(60_000);
  let ev: Evaluation;
  before(async () => (ev = await run(phase7, 'prod-07-observability')));

  it('ships the rule groups, the Istio monitors and one dashboard ConfigMap per dashboard for the sidecar', () => {
    const [rule] = crs(ev, 'PrometheusRule');
    const groups = (rule!.inputs.spec as any).groups as { name: string }[];
    assert.deepEqual(groups.map((g) => g.name), [...SERVICES.map((s) => `slo-${s.name}`), 'platform']);
    assert.equal((rule!.inputs.metadata as any).namespace, 'monitoring');
    assert.equal(crs(ev, 'PodMonitor').length, 1);
    assert.equal(crs(ev, 'ServiceMonitor').length, 1);
    const cms = byType(ev, 'kubernetes:core/v1:ConfigMap');
    assert.equal(cms.length, SERVICES.length + 6);
    for (const c of cms) assert.equal((c.inputs.metadata as any).labels.grafana_dashboard, '1');
  });

  it("renders Alertmanager's config Secret from the secret store with the tested routes, free of template text", () => {
    const [es] = crs(ev, 'ExternalSecret');
    const spec = es!.inputs.spec as any;
    assert.equal((es!.inputs.metadata as any).name, 'alertmanager-platform');
    assert.deepEqual(spec.secretStoreRef, { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
    const yaml = spec.target.template.data['alertmanager.yaml'] as string;
    assert.ok(!yaml.includes('{{'));
    const alertsTopicArn = (sampleUpstream[1] as any).alertsTopicArn;
    assert.deepEqual(parse(yaml), alertmanagerConfig({ alertsTopicArn, region: env.regions.primary, secretsDir: '/etc/alertmanager/config' }));
    assert.deepEqual(spec.data.map((d: any) => d.remoteRef.key), ['prod/platform/alertmanager-receivers', 'prod/platform/alertmanager-receivers']);
    assert.equal(byType(ev, 'kubernetes:core/v1:NamespacePatch').length, 0, "phase 2 owns the namespace and its label");
  });

  it("Alertmanager's Pod Identity role may only publish to the alerts topic and use its key", () => {
    const role = byType(ev, 'aws:iam/role:Role')[0]!;
    const trust = JSON.parse(role.inputs.assumeRolePolicy as string);
    assert.deepEqual(trust.Statement[0].Principal, { Service: 'pods.eks.amazonaws.com' });
    assert.equal(trust.Statement[0].Condition.StringEquals['aws:RequestTag/kubernetes-service-account'], 'kube-prometheus-stack-alertmanager');
    const policy = JSON.parse(byType(ev, 'aws:iam/rolePolicy:RolePolicy')[0]!.inputs.policy as string);
    assert.deepEqual(policy.Statement.map((s: any) => [s.Action, s.Resource]), [
      ['sns:Publish', (sampleUpstream[1] as any).alertsTopicArn],
      [['kms:GenerateDataKey*', 'kms:Decrypt'], (sampleUpstream[1] as any).kmsKeyArns.logs],
    ]);
    const assoc = byType(ev, 'aws:eks/podIdentityAssociation:PodIdentityAssociation')[0]!;
    assert.deepEqual([assoc.inputs.namespace, assoc.inputs.serviceAccount], ['monitoring', 'kube-prometheus-stack-alertmanager']);
    const secret = byType(ev, 'aws:secretsmanager/secret:Secret')[0]!;
    assert.equal(secret.inputs.kmsKeyId, (sampleUpstream[2] as any).secretsManagerKmsKeyArn);
  });

  it("tracing: Tempo and the collector from locked charts; the collector sits where phase 2's istiod sends spans and exports to Tempo", () => {
    const releases = byType(ev, 'kubernetes:helm.sh/v3:Release');
    const rel = (name: string) => releases.find((r) => r.inputs.name === name)!;
    const tempo = rel('tempo');
    const collector = rel(MESH_TRACING.collectorService);
    assert.deepEqual([tempo.inputs.chart, tempo.inputs.version, (tempo.inputs.repositoryOpts as any).repo], ['tempo', '2.2.4', 'https://grafana-community.github.io/helm-charts']);
    assert.deepEqual([collector.inputs.chart, collector.inputs.version, (collector.inputs.repositoryOpts as any).repo], ['opentelemetry-collector', '0.170.0', 'https://open-telemetry.github.io/opentelemetry-helm-charts']);
    assert.deepEqual([tempo.inputs.namespace, collector.inputs.namespace], ['monitoring', 'monitoring']);
    // Phase 2's extension provider dials <collectorService>.<namespace>:<otlpGrpcPort>: the release that answers there.
    const [provider] = (istiodValues() as any).meshConfig.extensionProviders;
    assert.equal((istiodValues() as any).meshConfig.enableTracing, true);
    const cv = collector.inputs.values as any;
    assert.equal(provider.opentelemetry.service, `${cv.fullnameOverride}.${collector.inputs.namespace}.svc.cluster.local`);
    assert.equal(provider.opentelemetry.port, 4317);
    assert.equal(cv.config.receivers.otlp.protocols.grpc.endpoint, '${env:MY_POD_IP}:4317');
    assert.equal(cv.config.receivers.otlp.protocols.http.endpoint, '${env:MY_POD_IP}:4318');
    // Spans go on to Tempo's OTLP/gRPC receiver (its Service is the release name in the same namespace).
    assert.deepEqual(cv.config.service.pipelines.traces, { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: [TEMPO_EXPORTER] });
    assert.equal(cv.config.exporters[TEMPO_EXPORTER].endpoint, `tempo.${tempo.inputs.namespace}.svc.cluster.local:4317`);
    assert.deepEqual([cv.config.service.pipelines.metrics, cv.config.service.pipelines.logs, cv.config.receivers.jaeger], [null, null, null]);
    // Tempo keeps traces the env's retention on its own volume; no usage reports leave the cluster.
    const tv = tempo.inputs.values as any;
    assert.deepEqual([tv.tempo.retention, tv.persistence, tv.tempo.reportingEnabled], [`${env.observability!.tracing.retentionHours}h`, { enabled: true, size: `${env.observability!.tracing.storageGiB}Gi` }, false]);
  });

  it("the mesh-wide Telemetry resource turns phase 2's provider on at prod's sampling rate (typed by the Istio models)", () => {
    const [t] = crs(ev, 'Telemetry');
    new Telemetry(t!.inputs as any).validate();
    assert.equal(t!.inputs.apiVersion, 'telemetry.istio.io/v1');
    assert.deepEqual((t!.inputs.metadata as any).namespace, 'istio-system', 'the root namespace: mesh-wide');
    assert.equal((t!.inputs.metadata as any).name, 'mesh-default');
    const [provider] = (istiodValues() as any).meshConfig.extensionProviders;
    assert.deepEqual((t!.inputs.spec as any).tracing, [{ providers: [{ name: provider.name }], randomSamplingPercentage: 1 }]);
    assert.equal(env.observability!.tracing.samplingPercent, 1);
  });

  it('the shipped envs trace less where traffic is higher (prod < stg < dev), and phase 7 refuses an env without the block', () => {
    const pct = (e: string) => shippedEnv(e).observability!.tracing.samplingPercent;
    assert.ok(pct('prod') < pct('stg') && pct('stg') < pct('dev'), `prod ${pct('prod')}, stg ${pct('stg')}, dev ${pct('dev')}`);
    const { observability: _, ...bare } = env;
    let err: unknown;
    try {
      phase7.inputs({ ...ctx(phase7.dependsOn as number[]), env: bare as typeof env });
    } catch (e) {
      err = e;
    }
    assert.ok(isPlatformError(err) && err.code === 'config-invalid', String(err));
    assert.match((err as Error).message, /env prod has no observability block/);
  });

  it('outputs pass the schema; the kubeconfig is a secret', () => {
    const out = phase7Outputs.parse(ev.outputs);
    assert.deepEqual(out.alertReceivers, ['sns-alerts', 'paging', 'deadmans-switch', 'null']);
    assert.deepEqual(out.otelCollectorEndpoint, { grpc: 'otel-collector.monitoring.svc.cluster.local:4317', http: 'http://otel-collector.monitoring.svc.cluster.local:4318' });
    assert.equal(out.tempoQueryUrl, 'http://tempo.monitoring.svc.cluster.local:3200');
    assert.equal(out.traceSamplingPercent, 1);
    assert.equal(out.prometheusUrl, 'http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090');
    assert.ok(ev.secretOutputs.includes('kubeconfig'));
  });
});
