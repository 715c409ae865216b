/**
 * The failover runbook `platform failover --env E --to dr` prints: the ordered steps that promote
 * the pilot-light side, filled with this env's recorded phase 8 outputs (vaults, DR cluster, health
 * check, hosts) and env file (regions, sizes). The CLI prints it and changes nothing: each step is an
 * operator's decision in an incident (is the primary really lost? which recovery point?), and a
 * promotion that ran unattended against a half-failed primary would split traffic and data.
 *
 * Order (data before compute before traffic): 1 confirm the primary is down; 2 freeze writes to the
 * primary if it still answers; 3 restore the data from the newest copies in the DR vault; 4 scale the
 * DR cluster and deliver the platform and the apps to it; 5 put the DR gateway behind the DR load
 * balancer; 6 move traffic (Route53 fails over by itself once the primary check fails; inverting the
 * check forces it); 7 verify.
 */
import type { EnvConfig } from '../../src/core/env.js';
import { PlatformError } from '../../src/core/errors.js';
import { INGRESS_PORTS, vaultName } from './names.js';
import type { Phase8Outputs } from './phase.js';

/** The sides a failover can go to. */
export const FAILOVER_TARGETS = ['dr'] as const;

export interface RunbookStep {
  title: string;
  why: string;
  commands: string[];
}

/** Refuses a target other than `dr`, naming the value and the fix (no state is read before this). */
export function checkTarget(to: string): 'dr' {
  if ((FAILOVER_TARGETS as readonly string[]).includes(to)) return to as 'dr';
  throw new PlatformError('usage', `--to '${to}' is not a failover target`, {
    value: to,
    hint: 'use --to dr (the pilot-light region); going back to the primary is a normal platform up of phases 2-8 there',
  });
}

/** Refuses an env whose file plans no pilot-light cluster (nothing to promote). */
export function checkEnvHasDr(env: EnvConfig): void {
  if (!env.resilience?.drCluster.enabled) {
    throw new PlatformError('config-invalid', `env ${env.name} has no pilot-light DR cluster to fail over to`, {
      value: env.name,
      hint: `set resilience.drCluster.enabled: true in stacks/${env.name}.yaml and run platform up --phase 8 --env ${env.name}`,
    });
  }
}

export function failoverRunbook(env: EnvConfig, o: Omit<Phase8Outputs, 'drKubeconfig'>): RunbookStep[] {
  const dr = o.drRegion;
  const cluster = o.drClusterName!;
  const primary = env.regions.primary;
  const drVault = vaultName(o.backupVaultArns.dr);
  const hc = o.route53HealthCheckIds[0] ?? '<health check id>';
  const sys = env.cluster.systemNodes;
  return [
    {
      title: 'Confirm the primary is down',
      why: "Route53's checkers see the primary gateway failing; a failover for a partial outage costs more than it saves",
      commands: [`aws route53 get-health-check-status --health-check-id ${hc}`, `platform status --env ${env.name}`],
    },
    {
      title: 'Freeze writes to the primary (if it still answers)',
      why: 'two writable sides diverge; the DR data must be the last consistent copy',
      commands: [`kubectl --context ${env.cluster.name} -n ${'<app namespace>'} scale rollout --all --replicas=0`],
    },
    {
      title: 'Restore the data from the newest copies in the DR vault',
      why: `the DR vault ${drVault} in ${dr} holds the copies of the ${env.backupRetentionDays}-day recovery points (volumes and the database backups)`,
      commands: [
        `aws backup list-recovery-points-by-backup-vault --region ${dr} --backup-vault-name ${drVault} --query 'sort_by(RecoveryPoints,&CreationDate)[-10:]'`,
        `aws backup get-recovery-point-restore-metadata --region ${dr} --backup-vault-name ${drVault} --recovery-point-arn <arn>`,
        `aws backup start-restore-job --region ${dr} --recovery-point-arn <arn> --iam-role-arn <phase 1 backupRoleArn> --metadata file://restore-metadata.json`,
      ],
    },
    {
      title: 'Scale the DR cluster and deliver the platform and the apps to it',
      why: `the pilot light runs ${env.resilience?.drCluster.nodes.desired ?? 1} node(s) and no workloads; the primary's system nodes are ${sys.min}-${sys.max}`,
      commands: [
        `aws eks update-nodegroup-config --region ${dr} --cluster-name ${cluster} --nodegroup-name ${cluster}-pilot-light --scaling-config minSize=${sys.min},desiredSize=${sys.desired},maxSize=${sys.max}`,
        `aws eks update-kubeconfig --region ${dr} --name ${cluster}   # or: platform outputs --phase 8 --env ${env.name} drKubeconfig`,
        'register the DR cluster in Argo CD and point the ApplicationSets at it (gitops/), then sync',
      ],
    },
    {
      title: 'Put the DR gateway behind the DR load balancer',
      why: `the DR NLB's target groups (${INGRESS_PORTS.map((p) => `${env.name}-dr-ingress-${p}`).join(', ')}) are empty until the DR Istio gateway joins them`,
      commands: [
        `aws elbv2 describe-target-groups --region ${dr} --names ${INGRESS_PORTS.map((p) => `${env.name}-dr-ingress-${p}`).join(' ')} --query 'TargetGroups[].TargetGroupArn'`,
        ...INGRESS_PORTS.map((p) => `apply a TargetGroupBinding (elbv2.k8s.aws/v1beta1) in istio-ingress of ${cluster}: serviceRef istio-ingress port ${p}, targetType ip, targetGroupARN of ${env.name}-dr-ingress-${p}`),
      ],
    },
    {
      title: 'Move traffic',
      why: `Route53 answers with the SECONDARY (DR) records of ${o.failoverRecordNames.join(', ')} once the primary check fails and the DR targets are healthy; inverting the check forces it while the primary half-answers`,
      commands: [`aws route53 update-health-check --health-check-id ${hc} --inverted`],
    },
    {
      title: 'Verify',
      why: 'the hosts answer from the DR region',
      commands: [...o.failoverRecordNames.map((h) => `dig +short ${h}`), `platform verify --phase 8 --env ${env.name}`],
    },
    {
      title: 'Afterwards',
      why: `failing back is rebuilding ${primary} (platform up --phase 1..8 --env ${env.name}), restoring the DR data there, and un-inverting the check`,
      commands: [`aws route53 update-health-check --health-check-id ${hc} --no-inverted`],
    },
  ];
}

/** The runbook as text, numbered. */
export function renderRunbook(env: EnvConfig, steps: RunbookStep[], simulated: boolean): string {
  const head = `Failover of env ${env.name} to the DR region ${env.regions.dr} (runbook; nothing was changed)${simulated ? ' — simulated outputs: the names below are not real' : ''}`;
  const body = steps.map((s, i) => [`${i + 1}. ${s.title}`, `   why: ${s.why}`, ...s.commands.map((c) => `   $ ${c}`)].join('\n'));
  return [head, ...body].join('\n\n') + '\n';
}
