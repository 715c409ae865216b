/**
 * Phase 8's names and constants that its program, its gates, phase 10's drill and the CLI's
 * failover runbook share. Pure: no Pulumi import, so the CLI, which reaches the runbook through the
 * registry, does not load @pulumi/aws and @pulumi/kubernetes on every command (test/cli/startup-imports.test.ts).
 */

/** `arn:aws:backup:<region>:<account>:backup-vault:<name>` -> its name. */
export function vaultName(vaultArn: string): string {
  const m = /^arn:aws[\w-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:(.+)$/.exec(vaultArn);
  if (!m) throw new Error(`'${vaultArn}' is not a backup vault ARN`);
  return m[1]!;
}

export const EXTERNAL_DNS = 'external-dns.alpha.kubernetes.io';
export const PRIMARY_SET_ID = 'primary';
export const SECONDARY_SET_ID = 'dr';
/** Istio's gateway readiness endpoint (status port), exposed by the gateway chart's Service. */
export const GATEWAY_HEALTH = { port: 15021, path: '/healthz/ready' } as const;
/** Seconds between checks and failures before Route53 calls the primary unhealthy (about 90 s). */
export const HEALTH_CHECK = { requestInterval: 30, failureThreshold: 3 } as const;
/** The listener ports of phase 6's Gateway (HTTP redirects to HTTPS). */
export const INGRESS_PORTS = [80, 443] as const;
