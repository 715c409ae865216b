/**
 * Fixed names of phase 4's objects: the namespace, the services and secrets later phases read from
 * its outputs, and the database. One place, shared by the program, its outputs and the CDC test.
 */
export const DATA_NAMES = {
  namespace: 'data',
  /** The PostgreSQL StatefulSet and its client Service (the primary). */
  postgres: 'postgres',
  /** Headless Service of the StatefulSet (stable pod DNS names). */
  postgresHeadless: 'postgres-headless',
  /** The read replica's StatefulSet and Service (prod). */
  postgresReplica: 'postgres-replica',
  dbName: 'app',
  /** Secret (from External Secrets) with the owner's `username`/`password`. */
  adminSecret: 'postgres-admin',
  /** Secret (from External Secrets) with the replication role's `username`/`password` for Debezium. */
  cdcSecret: 'postgres-cdc',
  /** Secret (from External Secrets) with the physical replication user for the replica. */
  replicationSecret: 'postgres-replication',
  kafka: 'kafka',
  connect: 'cdc',
  connectUser: 'cdc-connect',
  strimziNamespace: 'strimzi',
} as const;
