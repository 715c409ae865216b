/**
 * Phase 10 restore gate (issue 18 item 4): the restore drill (restore-drill.ts) against the env's
 * real backups. The newest recovery point of the PostgreSQL primary's EBS volume in phase 8's
 * primary vault is restored with phase 1's backup role, started as a database in the scratch
 * namespace, compared table by table with the primary, judged against the env's RTO and RPO
 * (`hardening.rtoMinutes`, `hardening.rpoMinutes`), and removed again: the pod, claim and PV, then
 * the restored EBS volume. The drill gets the gate's time less CLEANUP_MS, which clean-up keeps even
 * when the drill is cancelled.
 */
import type { Gate } from '../../src/core/gate.js';
import { Evidence } from '../../src/gates/evidence.js';
import { runSuffix, timing } from '../../src/gates/poll.js';
import type { Probes } from '../../src/gates/probes/index.js';
import { createAwsBackupPort } from './drill-aws.js';
import { createK8sScratch, podSql, sourceVolume } from './drill-k8s.js';
import { runRestoreDrill } from './restore-drill.js';
import type { Phase10Outputs } from './phase.js';

const MIN = 60_000;
/** Time kept for clean-up after the drill (detaching and deleting the restored volume). */
export const CLEANUP_MS = 20 * MIN;
/** How often the restore job is read. */
const POLL_MS = 30_000;
/** How long the restored database's pod may take to become Ready (attach, recovery). */
const READY_MS = 20 * MIN;

export const restoreGate: Gate<Phase10Outputs, Probes> = {
  name: 'restore',
  description: "Restores the newest backup of the database's volume into the scratch namespace, compares the tables with the source, measures RTO and RPO against the env's targets, and deletes what it restored",
  live: true,
  timeoutMs: 4 * 60 * MIN,
  intervalMs: 10 * MIN,
  async check(ctx) {
    const { clock, deadline } = timing(ctx);
    const d = ctx.outputs.restoreDrill;
    const k8s = ctx.probes.k8s;
    let src;
    try {
      src = await sourceVolume(k8s, d.source.namespace, d.source.statefulSet);
    } catch (e) {
      return new Evidence().problem(`cannot find the database's volume: ${(e as Error).message}`, true).outcome(`phase 4's primary must run on an EBS CSI volume: kubectl -n ${d.source.namespace} get pvc data-${d.source.statefulSet}-0`);
    }
    const suffix = runSuffix(clock);
    const name = `restore-drill-${suffix}`;
    return runRestoreDrill(
      { clock, signal: ctx.signal, deadline: deadline - CLEANUP_MS },
      { rtoMinutes: d.rtoMinutes, rpoMinutes: d.rpoMinutes, tables: d.tables, pollMs: POLL_MS, cleanupMs: CLEANUP_MS },
      {
        backup: createAwsBackupPort({ aws: ctx.probes.aws, clock, vaultArn: d.vaultArn, restoreRoleArn: d.restoreRoleArn, volumeId: src.volumeId, volumeLabel: src.claim, idempotencyToken: `platform-${name}` }),
        scratch: createK8sScratch(k8s, clock, { namespace: ctx.outputs.scratchNamespace, name, image: d.source.image, database: d.source.database, readyMs: READY_MS, ...(src.nodeAffinity ? { nodeAffinity: src.nodeAffinity } : {}) }),
        source: podSql(k8s, d.source.namespace, `${d.source.statefulSet}-0`, d.source.database),
      },
    );
  },
};
