/**
 * Phase 4 pins. The Strimzi operator chart is an entry of programs/02-cluster/charts.lock.yaml (the
 * one file that pins every chart); Kafka's version is one Strimzi 1.2.0 supports (its
 * kafka-versions.yaml: 4.3.1, default, metadata 4.3-IV0) and the one scripts/cdc/versions.env fetches
 * for the local CDC test; Debezium is the connector version the Connect image carries.
 */
import { chartLock, pinOf, type LockedPin } from '../shared/chart-lock.js';

/** The Strimzi cluster operator chart (oci://quay.io/strimzi-helm/strimzi-kafka-operator). */
export function strimziChartPin(): LockedPin {
  const entry = chartLock().charts.strimzi;
  if (!entry) throw new Error("charts.lock.yaml has no entry 'strimzi': add it with its repository, version and digest");
  return pinOf(entry);
}

export const KAFKA_VERSION = '4.3.1';
export const KAFKA_METADATA_VERSION = '4.3-IV0';
export const DEBEZIUM_VERSION = '3.6.1.Final';
/** The official PostgreSQL image (not Bitnami: reference/phases.md B.5). */
export const POSTGRES_IMAGE = 'postgres:17.5-bookworm';
/** AWS CLI v2 (Pod Identity credentials) for the backup upload. */
export const AWS_CLI_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.32.9';
