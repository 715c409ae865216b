/**
 * Phase 4 program: the AWS side (credentials in Secrets Manager, the backup role), then in the
 * cluster the data namespace, PostgreSQL (credentials through External Secrets, CDC init, replica,
 * backups, NetworkPolicies), the Strimzi operator, Kafka (KRaft node pools), the Connect user and
 * CDC topics, Kafka Connect and the Debezium connector. Manifests come from the pure builders in
 * postgres.ts, kafka.ts and protection.ts. Nothing runs at import.
 */
import * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { pinnedProvider } from '../shared/aws-provider.js';
import { pinnedRelease } from '../shared/charts.js';
import { capturedTables, cdcTopic } from './cdc-config.js';
import {
  cdcTopics,
  connectSecretRbac,
  connectUser,
  KAFKA_BOOTSTRAP_TLS,
  KAFKA_CLUSTER_CA_SECRET,
  kafkaConnect,
  kafkaConnector,
  kafkaManifest,
  nodePools,
  strimziValues,
} from './kafka.js';
import { DATA_NAMES } from './names.js';
import type { Phase4Inputs } from './phase.js';
import {
  externalSecretManifest,
  initConfigMap,
  namespaceManifest,
  postgresPdb,
  postgresServices,
  primaryStatefulSet,
  replicaStatefulSet,
} from './postgres.js';
import { backupCronJob, backupServiceAccount, createAwsResources, networkPolicies } from './protection.js';
import { strimziChartPin } from './versions.js';

type Manifest = Record<string, any>;
type Opts = pulumi.CustomResourceOptions;

/** Creates one manifest as the typed resource of its kind (a CustomResource for CRDs' kinds). */
export function applyManifest(name: string, m: any, opts: Opts): pulumi.CustomResource {
  switch (`${m.apiVersion}/${m.kind}`) {
    case 'v1/Namespace': return new k8s.core.v1.Namespace(name, m, opts);
    case 'v1/ConfigMap': return new k8s.core.v1.ConfigMap(name, m, opts);
    case 'v1/Service': return new k8s.core.v1.Service(name, m, opts);
    case 'v1/ServiceAccount': return new k8s.core.v1.ServiceAccount(name, m, opts);
    case 'apps/v1/StatefulSet': return new k8s.apps.v1.StatefulSet(name, m, opts);
    case 'policy/v1/PodDisruptionBudget': return new k8s.policy.v1.PodDisruptionBudget(name, m, opts);
    case 'networking.k8s.io/v1/NetworkPolicy': return new k8s.networking.v1.NetworkPolicy(name, m, opts);
    case 'batch/v1/CronJob': return new k8s.batch.v1.CronJob(name, m, opts);
    case 'rbac.authorization.k8s.io/v1/Role': return new k8s.rbac.v1.Role(name, m, opts);
    case 'rbac.authorization.k8s.io/v1/RoleBinding': return new k8s.rbac.v1.RoleBinding(name, m, opts);
    default: return new k8s.apiextensions.CustomResource(name, m as k8s.apiextensions.CustomResourceArgs, opts);
  }
}

/** Every Kubernetes manifest phase 4 declares, in creation order (for the test cluster and checks). */
export function dataManifests(inputs: Phase4Inputs): Manifest[] {
  const replica = replicaStatefulSet(inputs);
  return [
    namespaceManifest(inputs),
    ...[DATA_NAMES.adminSecret, DATA_NAMES.cdcSecret, DATA_NAMES.replicationSecret].map((n) => externalSecretManifest(inputs, n)),
    initConfigMap(inputs),
    ...postgresServices(inputs),
    primaryStatefulSet(inputs),
    ...(replica ? [replica] : []),
    postgresPdb(),
    ...networkPolicies(),
    backupServiceAccount(),
    backupCronJob(inputs),
    ...nodePools(inputs),
    kafkaManifest(inputs),
    connectUser(inputs),
    ...cdcTopics(inputs),
    ...connectSecretRbac(),
    kafkaConnect(inputs),
    kafkaConnector(inputs),
  ];
}

export async function program(inputs: Phase4Inputs): Promise<Record<string, unknown>> {
  const aws = pinnedProvider('aws-env', { region: inputs.region, accountId: inputs.accountId, roleArn: inputs.deployRoleArn, sessionName: `platform-${inputs.env}-04-data` });
  const { secrets, association } = createAwsResources(inputs, aws);

  const provider = new k8s.Provider('k8s', { kubeconfig: inputs.kubeconfig, enableServerSideApply: true });
  const opts = (dependsOn: pulumi.Input<pulumi.Resource>[] = []): Opts => ({ provider, dependsOn });
  const byKey = (m: Manifest) => `${m.kind.toLowerCase()}-${m.metadata.name}`;

  const ns = applyManifest('namespace-data', namespaceManifest(inputs), opts());
  const strimziNs = new k8s.core.v1.Namespace('namespace-strimzi', {
    metadata: { name: DATA_NAMES.strimziNamespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'istio-injection': 'disabled' } },
  }, opts());
  const externalSecrets = [DATA_NAMES.adminSecret, DATA_NAMES.cdcSecret, DATA_NAMES.replicationSecret].map((n) =>
    applyManifest(`externalsecret-${n}`, externalSecretManifest(inputs, n), opts([ns, ...secrets])),
  );
  const init = applyManifest('configmap-postgres-init', initConfigMap(inputs), opts([ns]));
  for (const m of [...postgresServices(inputs), postgresPdb(), ...networkPolicies()]) applyManifest(byKey(m), m, opts([ns]));
  const primary = applyManifest('statefulset-postgres', primaryStatefulSet(inputs), opts([init, ...externalSecrets]));
  const replica = replicaStatefulSet(inputs);
  if (replica) applyManifest('statefulset-postgres-replica', replica, opts([primary]));
  const sa = applyManifest('serviceaccount-postgres-backup', backupServiceAccount(), opts([ns]));
  applyManifest('cronjob-postgres-backup', backupCronJob(inputs), opts([sa, primary, association]));

  const operator = pinnedRelease(
    'strimzi',
    { pin: strimziChartPin(), namespace: DATA_NAMES.strimziNamespace, releaseName: 'strimzi', values: strimziValues() },
    { provider, dependsOn: [strimziNs, ns] },
  );
  const pools = nodePools(inputs).map((m) => applyManifest(byKey(m), m, opts([operator])));
  const kafka = applyManifest('kafka-kafka', kafkaManifest(inputs), opts([operator, ...pools]));
  const user = applyManifest('kafkauser-connect', connectUser(inputs), opts([kafka]));
  for (const m of cdcTopics(inputs)) applyManifest(byKey(m), m, opts([kafka]));
  const rbac = connectSecretRbac().map((m) => applyManifest(byKey(m), m, opts([ns])));
  const connect = applyManifest('kafkaconnect-cdc', kafkaConnect(inputs), opts([kafka, user, ...rbac, ...externalSecrets]));
  const connector = kafkaConnector(inputs);
  applyManifest('kafkaconnector-postgres-cdc', connector, opts([connect, primary]));

  return {
    postgres: {
      host: `${DATA_NAMES.postgres}.${DATA_NAMES.namespace}.svc`,
      port: 5432,
      dbName: DATA_NAMES.dbName,
      secretName: DATA_NAMES.adminSecret,
      serviceName: DATA_NAMES.postgres,
    },
    kafkaClusterName: DATA_NAMES.kafka,
    kafkaBootstrapServers: { tls: KAFKA_BOOTSTRAP_TLS },
    kafkaClusterCaSecret: KAFKA_CLUSTER_CA_SECRET,
    kafkaUsers: { connect: DATA_NAMES.connectUser },
    kafkaConnectName: DATA_NAMES.connect,
    connectImage: inputs.sizes.connect.image,
    debeziumConnectorNames: [connector.metadata.name],
    cdcTopics: capturedTables(inputs.sizes.cdcTables).map((t) => cdcTopic(inputs.env, t)),
    dataNamespace: DATA_NAMES.namespace,
  };
}
