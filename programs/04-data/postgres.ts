/**
 * PostgreSQL for phase 4, as plain manifests (pure functions; the program wraps them in resources
 * and the test cluster applies them as they are):
 * - the `data` namespace (restricted Pod Security, no sidecar injection, opted in to the
 *   ClusterSecretStore);
 * - ExternalSecrets for the owner, the Debezium role and the physical replication user, read from
 *   Secrets Manager (`<env>/data/...`); no password ever appears in a manifest or the state;
 * - the primary StatefulSet (official image, `wal_level=logical` and the CDC settings from
 *   cdc-config.ts, the CDC init SQL run once by the image's entrypoint, volumes on the encrypted
 *   retaining gp3 class, zone spread, restricted security context, pg_isready probes), a headless
 *   and a client Service, and a PodDisruptionBudget;
 * - with `replicas > 1`: a streaming read replica StatefulSet (pg_basebackup from the primary,
 *   required anti-affinity against the primary's node) and its Service.
 */
import { capturedTables, cdcInitSql, postgresArgs } from './cdc-config.js';
import { DATA_NAMES } from './names.js';
import type { Phase4Inputs } from './phase.js';
import { POSTGRES_IMAGE } from './versions.js';

type Manifest = Record<string, any>;
const N = DATA_NAMES;
const ns = N.namespace;
/** The postgres user and group of the official Debian image. */
const PG_UID = 999;
export const PRIMARY_LABELS = { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/component': 'primary', 'app.kubernetes.io/part-of': 'platform-data' } as const;
export const REPLICA_LABELS = { 'app.kubernetes.io/name': 'postgres', 'app.kubernetes.io/component': 'replica', 'app.kubernetes.io/part-of': 'platform-data' } as const;

export function namespaceManifest(inputs: Phase4Inputs): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        // Kafka and PostgreSQL stay outside the mesh (Strimzi issue 2922); meshed clients reach them.
        'istio-injection': 'disabled',
        [inputs.clusterSecretStoreNamespaceLabel.key]: inputs.clusterSecretStoreNamespaceLabel.value,
      },
    },
  };
}

/** The Secrets Manager name of one phase-4 credential (under the env prefix the ESO role may read). */
export function remoteSecretName(env: string, secret: string): string {
  return `${env}/data/${secret}`;
}

/** An ExternalSecret materialising `<env>/data/<name>` (JSON with username and password) as Secret `<name>`. */
export function externalSecretManifest(inputs: Phase4Inputs, name: string): Manifest {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: ns, annotations: { 'pulumi.com/waitFor': 'condition=Ready' } },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: inputs.clusterSecretStoreName },
      target: { name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: ['username', 'password'].map((property) => ({ secretKey: property, remoteRef: { key: remoteSecretName(inputs.env, name), property } })),
    },
  };
}

/** The init scripts the image's entrypoint runs once on an empty data directory. */
export function initConfigMap(inputs: Phase4Inputs): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'postgres-init', namespace: ns },
    data: {
      // Passwords come from the mounted Secrets as psql variables, never as literals.
      '10-cdc.sh': [
        '#!/bin/sh',
        'set -eu',
        'psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v cdc_password="$(cat /run/secrets/cdc/password)" -f /docker-entrypoint-initdb.d/cdc.psql',
        'psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v repl_password="$(cat /run/secrets/replication/password)" -c "CREATE ROLE replicator WITH LOGIN REPLICATION PASSWORD :\'repl_password\'"',
        '',
      ].join('\n'),
      'cdc.psql': cdcInitSql({ env: inputs.env, dbName: N.dbName, tables: capturedTables(inputs.sizes.cdcTables) }),
      // Password logins only (scram), from the pod network; local socket for the entrypoint and probes.
      'pg_hba.conf': ['local all all trust', 'host all all 127.0.0.1/32 scram-sha-256', 'host all all 0.0.0.0/0 scram-sha-256', 'host replication all 0.0.0.0/0 scram-sha-256', ''].join('\n'),
    },
  };
}

const containerSecurity = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: PG_UID,
  runAsGroup: PG_UID,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

const podSecurity = { runAsNonRoot: true, runAsUser: PG_UID, runAsGroup: PG_UID, fsGroup: PG_UID, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } };

function resources(inputs: Phase4Inputs): Manifest {
  const mem = `${Math.round(inputs.sizes.postgres.memoryGiB * 1024)}Mi`;
  return { requests: { cpu: String(inputs.sizes.postgres.cpu), memory: mem }, limits: { memory: mem } };
}

function volumeClaim(inputs: Phase4Inputs): Manifest {
  return {
    metadata: { name: 'data' },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: inputs.storageClass, resources: { requests: { storage: `${inputs.sizes.postgres.storageGiB}Gi` } } },
  };
}

const probe = (initialDelaySeconds: number) => ({ exec: { command: ['pg_isready', '-U', 'postgres', '-h', '127.0.0.1'] }, initialDelaySeconds, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 });

/** Common container parts: writable runtime folders as emptyDirs (read-only root). */
const runtimeVolumes = [
  { name: 'run', emptyDir: {} },
  { name: 'tmp', emptyDir: {} },
];
const runtimeMounts = [
  { name: 'run', mountPath: '/var/run/postgresql' },
  { name: 'tmp', mountPath: '/tmp' },
  { name: 'data', mountPath: '/var/lib/postgresql/data' },
];

export function primaryStatefulSet(inputs: Phase4Inputs): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: N.postgres, namespace: ns, labels: { ...PRIMARY_LABELS } },
    spec: {
      serviceName: N.postgresHeadless,
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: { ...PRIMARY_LABELS } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: { ...PRIMARY_LABELS } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity,
          terminationGracePeriodSeconds: 60,
          containers: [
            {
              name: 'postgres',
              image: POSTGRES_IMAGE,
              args: [...postgresArgs(), '-c', 'hba_file=/etc/postgresql/pg_hba.conf'],
              ports: [{ name: 'postgres', containerPort: 5432 }],
              env: [
                { name: 'POSTGRES_DB', value: N.dbName },
                // The owner is `postgres` (the gates run psql -U postgres over the pod's socket); its password from the Secret.
                { name: 'POSTGRES_USER', value: 'postgres' },
                { name: 'POSTGRES_PASSWORD_FILE', value: '/run/secrets/admin/password' },
                { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
              ],
              readinessProbe: probe(5),
              livenessProbe: probe(30),
              resources: resources(inputs),
              securityContext: containerSecurity,
              volumeMounts: [
                ...runtimeMounts,
                { name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true },
                { name: 'hba', mountPath: '/etc/postgresql', readOnly: true },
                { name: 'admin', mountPath: '/run/secrets/admin', readOnly: true },
                { name: 'cdc', mountPath: '/run/secrets/cdc', readOnly: true },
                { name: 'replication', mountPath: '/run/secrets/replication', readOnly: true },
              ],
            },
          ],
          volumes: [
            ...runtimeVolumes,
            { name: 'init', configMap: { name: 'postgres-init', items: [{ key: '10-cdc.sh', path: '10-cdc.sh' }, { key: 'cdc.psql', path: 'cdc.psql' }] } },
            { name: 'hba', configMap: { name: 'postgres-init', items: [{ key: 'pg_hba.conf', path: 'pg_hba.conf' }] } },
            { name: 'admin', secret: { secretName: N.adminSecret } },
            { name: 'cdc', secret: { secretName: N.cdcSecret } },
            { name: 'replication', secret: { secretName: N.replicationSecret } },
          ],
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } } },
          ],
        },
      },
      volumeClaimTemplates: [volumeClaim(inputs)],
    },
  };
}

/** Streaming read replicas (replicas - 1 of them), never on the primary's node, spread over zones. */
export function replicaStatefulSet(inputs: Phase4Inputs): Manifest | undefined {
  const count = inputs.sizes.postgres.replicas - 1;
  if (count < 1) return undefined;
  const primaryHost = `${N.postgres}-0.${N.postgresHeadless}.${ns}.svc`;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: N.postgresReplica, namespace: ns, labels: { ...REPLICA_LABELS } },
    spec: {
      serviceName: N.postgresHeadless,
      replicas: count,
      selector: { matchLabels: { ...REPLICA_LABELS } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: { ...REPLICA_LABELS } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity,
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } } }],
            },
          },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } } },
          ],
          initContainers: [
            {
              // First start only: clone the primary and write standby.signal + primary_conninfo (-R).
              name: 'basebackup',
              image: POSTGRES_IMAGE,
              command: ['sh', '-ec', `[ -s "$PGDATA/PG_VERSION" ] || PGPASSWORD="$(cat /run/secrets/replication/password)" pg_basebackup -h ${primaryHost} -U replicator -D "$PGDATA" -R -X stream -c fast`],
              env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
              securityContext: containerSecurity,
              resources: resources(inputs),
              volumeMounts: [...runtimeMounts, { name: 'replication', mountPath: '/run/secrets/replication', readOnly: true }],
            },
          ],
          containers: [
            {
              name: 'postgres',
              image: POSTGRES_IMAGE,
              args: [...postgresArgs(), '-c', 'hba_file=/etc/postgresql/pg_hba.conf'],
              ports: [{ name: 'postgres', containerPort: 5432 }],
              env: [{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }],
              readinessProbe: probe(5),
              livenessProbe: probe(30),
              resources: resources(inputs),
              securityContext: containerSecurity,
              volumeMounts: [...runtimeMounts, { name: 'hba', mountPath: '/etc/postgresql', readOnly: true }],
            },
          ],
          volumes: [
            ...runtimeVolumes,
            { name: 'hba', configMap: { name: 'postgres-init', items: [{ key: 'pg_hba.conf', path: 'pg_hba.conf' }] } },
            { name: 'replication', secret: { secretName: N.replicationSecret } },
          ],
        },
      },
      volumeClaimTemplates: [volumeClaim(inputs)],
    },
  };
}

export function postgresServices(inputs: Phase4Inputs): Manifest[] {
  const svc = (name: string, selector: Record<string, string>, headless = false): Manifest => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/name': 'postgres' } },
    spec: { ...(headless ? { clusterIP: 'None', publishNotReadyAddresses: true } : {}), selector, ports: [{ name: 'postgres', port: 5432, targetPort: 'postgres' }] },
  });
  return [
    svc(N.postgresHeadless, { 'app.kubernetes.io/name': 'postgres' }, true),
    svc(N.postgres, { ...PRIMARY_LABELS }),
    ...(inputs.sizes.postgres.replicas > 1 ? [svc(N.postgresReplica, { ...REPLICA_LABELS })] : []),
  ];
}

/** Voluntary evictions never take the primary down (a node drain waits for the operator). */
export function postgresPdb(): Manifest {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: N.postgres, namespace: ns },
    spec: { maxUnavailable: 0, selector: { matchLabels: { ...PRIMARY_LABELS } } },
  };
}
