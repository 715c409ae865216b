/**
 * Phase 7 program: the rules, Istio scrape objects and dashboards of manifests.ts on phase 2's
 * monitoring stack; Alertmanager's configuration as an ExternalSecret (receiver URLs from a Secrets
 * Manager secret this phase creates, empty until an operator fills it); Alertmanager's Pod Identity
 * role, allowed only to publish to phase 1's alerts topic (and to use the key that encrypts it);
 * tracing (tracing.ts): Tempo, the OpenTelemetry collector istiod sends spans to, and the mesh-wide
 * Telemetry resource with the env's sampling rate. Nothing runs at import.
 */
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ALERTMANAGER_CONFIG_SECRET, ALERTMANAGER_SERVICE_ACCOUNT } from '../02-cluster/charts/monitoring.js';
import { podIdentityTrustPolicy } from '../02-cluster/roles.js';
import { pinnedProvider } from '../shared/aws-provider.js';
import { alertmanagerConfig, receiverNames } from './alerting.js';
import { dashboards } from './dashboards.js';
import { alertmanagerExternalSecret, dashboardConfigMaps, istioMonitors, OPERATOR_CONFIG_DIR, prometheusRule } from './manifests.js';
import type { Phase7Inputs } from './phase.js';
import { ruleGroups } from './rules.js';
import { sloServices } from './services.js';
import { installTracing, meshTelemetry, tracingEndpoints } from './tracing.js';

/** The Secrets Manager secret (under the env's prefix, which the ClusterSecretStore may read). */
export function receiversSecretName(envName: string): string {
  return `${envName}/platform/alertmanager-receivers`;
}

export async function program(inputs: Phase7Inputs): Promise<Record<string, unknown>> {
  const provider = new k8s.Provider('k8s', { kubeconfig: inputs.kubeconfig, enableServerSideApply: true });
  const awsProvider = pinnedProvider('aws-env', {
    region: inputs.region,
    accountId: inputs.accountId,
    roleArn: inputs.deployRoleArn,
    sessionName: `platform-${inputs.envName}-07-observability`,
  });
  const ns = inputs.monitoringNamespace;
  const services = sloServices({ [inputs.envName]: inputs.appNamespace }, inputs.envName, inputs.serviceList);
  const groups = ruleGroups(services);
  const boards = dashboards(services);
  const k = { provider };
  const cr = (m: { kind: string; metadata: { name: string; namespace: string } }, opts: pulumi.CustomResourceOptions = k) =>
    new k8s.apiextensions.CustomResource(`${m.kind.toLowerCase()}-${m.metadata.namespace}-${m.metadata.name}`, m as k8s.apiextensions.CustomResourceArgs, opts);

  cr(prometheusRule(ns, groups));
  for (const m of istioMonitors()) cr(m);
  for (const m of dashboardConfigMaps(ns, boards)) {
    new k8s.core.v1.ConfigMap(m.metadata.name, m as k8s.core.v1.ConfigMapArgs, k);
  }

  // Alerting: the receiver URLs live in Secrets Manager (encrypted with the key the store may use).
  const receivers = new aws.secretsmanager.Secret(
    'alertmanager-receivers',
    {
      name: receiversSecretName(inputs.envName),
      description: 'Alertmanager receiver URLs (JSON: paging-url, deadman-url); phase 7 renders them into the config Secret',
      kmsKeyId: inputs.secretsManagerKmsKeyArn,
      recoveryWindowInDays: 7,
      tags: inputs.tags,
    },
    { provider: awsProvider },
  );
  // The ClusterSecretStore serves only namespaces with its consumer label: phase 2 labels `monitoring`.
  const alerting = { alertsTopicArn: inputs.alertsTopicArn, region: inputs.region };
  cr(
    alertmanagerExternalSecret({
      namespace: ns,
      secretName: ALERTMANAGER_CONFIG_SECRET,
      clusterSecretStore: inputs.clusterSecretStore.name,
      receiversSecret: receiversSecretName(inputs.envName),
      alerting,
    }),
    { provider, dependsOn: [receivers] },
  );

  // Alertmanager publishes to SNS with its own Pod Identity role.
  const sa = { namespace: ns, serviceAccount: ALERTMANAGER_SERVICE_ACCOUNT };
  const role = new aws.iam.Role(
    'alertmanager',
    { name: `platform-${inputs.envName}-alertmanager`, assumeRolePolicy: podIdentityTrustPolicy(inputs.accountId, inputs.cluster.arn, sa), tags: inputs.tags },
    { provider: awsProvider },
  );
  new aws.iam.RolePolicy(
    'alertmanager-sns',
    {
      role: role.name,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: inputs.alertsTopicArn },
          { Sid: 'TopicKey', Effect: 'Allow', Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: inputs.alertsTopicKmsKeyArn },
        ],
      }),
    },
    { provider: awsProvider },
  );
  new aws.eks.PodIdentityAssociation(
    'alertmanager',
    { clusterName: inputs.cluster.name, namespace: sa.namespace, serviceAccount: sa.serviceAccount, roleArn: role.arn, tags: inputs.tags },
    { provider: awsProvider },
  );

  // Tracing: the store, the collector in front of it, then the Telemetry resource that makes every
  // sidecar report to the collector (phase 2's extension provider) at the env's sampling rate.
  const tracing = installTracing(inputs.tracing, k);
  cr(meshTelemetry(inputs.tracing.samplingPercent), { provider, dependsOn: [tracing.collector] });

  const url = (hostPort: string) => `http://${hostPort}`;
  return {
    grafanaUrl: url(inputs.services.grafana),
    grafanaAdminSecretName: 'kube-prometheus-stack-grafana',
    prometheusUrl: url(inputs.services.prometheus),
    alertmanagerUrl: url(inputs.services.alertmanager),
    lokiPushUrl: `${url(inputs.services.lokiGateway)}/loki/api/v1/push`,
    lokiQueryUrl: url(inputs.services.lokiGateway),
    alertReceivers: receiverNames(alertmanagerConfig({ ...alerting, secretsDir: OPERATOR_CONFIG_DIR })),
    dashboardConfigMaps: boards.map((b) => b.name),
    ruleGroups: groups.map((g) => g.name),
    // A ServiceMonitor's job is the Service name unless it sets jobLabel (the service chart does not).
    serviceScrapeJobs: inputs.serviceList.map((s) => s.name),
    alertReceiversSecret: receiversSecretName(inputs.envName),
    logNamespaces: [inputs.appNamespace, ns],
    ...tracingEndpoints(),
    traceSamplingPercent: inputs.tracing.samplingPercent,
    kubeconfig: pulumi.secret(inputs.kubeconfig),
  };
}
