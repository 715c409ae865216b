/**
 * Alertmanager's configuration (routes, receivers, grouping, inhibition), as plain data in
 * alertmanager.yml's own shape. Phase 7 stores it as the `alertmanager.yaml` key of the Secret the
 * Alertmanager resource names in `configSecret`; the tests run `amtool check-config` and a real
 * Alertmanager on exactly this object. Pure: no Pulumi.
 *
 * Routing rules (first match wins unless `continue`):
 * - `Watchdog` (always firing, from the chart's default rules) goes to the dead-man's-switch
 *   webhook every minute: its silence is the alarm.
 * - `InfoInhibitor` and `severity="none"` go nowhere (the chart's helper alerts).
 * - `severity="critical"` goes to the paging/chat webhook and continues to the next route.
 * - A last catch-all route sends everything else (warnings, and criticals after paging) to SNS
 *   (phase 1's alerts topic); a child route that matched hides the parent's receiver, so the
 *   catch-all must be a route of its own (amtool's route test caught that),
 *   signed with SigV4 by Alertmanager's own Pod Identity role.
 * Inhibition: a critical alert silences warnings with the same alertname and namespace (the
 * chart's rule); a fast error-budget burn silences the slow one for the same service; an
 * InfoInhibitor silences info alerts in its namespace.
 * The config holds no template text (`{{ }}`): Alertmanager's default SNS subject and message are
 * used, and the ExternalSecret that renders it in the cluster would otherwise evaluate them.
 * Webhook URLs are secrets: they are read from files (`url_file`). In the cluster the config Secret
 * is rendered by an ExternalSecret from the secret store with the URLs as extra keys, which the
 * operator copies next to alertmanager.yaml in /etc/alertmanager/config; they are never written here.
 */

export const RECEIVERS = { sns: 'sns-alerts', paging: 'paging', deadman: 'deadmans-switch', none: 'null' } as const;

/** Keys of the receivers Secret (one file each under `secretsDir`). */
export const RECEIVER_SECRET_KEYS = { paging: 'paging-url', deadman: 'deadman-url' } as const;

export interface AlertingInputs {
  /** Phase 1's SNS topic. */
  alertsTopicArn: string;
  region: string;
  /** Folder of the receiver URL files (in the pod: /etc/alertmanager/config, the operator's mount). */
  secretsDir: string;
  /** SNS API endpoint; absent in the cluster (the regional endpoint), a loopback sink in tests. */
  snsApiUrl?: string;
}

export interface AlertmanagerConfig {
  global: Record<string, unknown>;
  route: Record<string, unknown>;
  receivers: Record<string, unknown>[];
  inhibit_rules: Record<string, unknown>[];
}

const GROUP_BY = ['alertname', 'namespace', 'service'];

/** The whole alertmanager.yml. */
export function alertmanagerConfig(inputs: AlertingInputs): AlertmanagerConfig {
  const file = (key: string) => `${inputs.secretsDir.replace(/\/$/, '')}/${key}`;
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: RECEIVERS.sns,
      group_by: GROUP_BY,
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { receiver: RECEIVERS.deadman, matchers: ['alertname="Watchdog"'], group_wait: '0s', group_interval: '1m', repeat_interval: '1m' },
        { receiver: RECEIVERS.none, matchers: ['alertname="InfoInhibitor"'] },
        { receiver: RECEIVERS.none, matchers: ['severity="none"'] },
        { receiver: RECEIVERS.paging, matchers: ['severity="critical"'], group_wait: '10s', repeat_interval: '1h', continue: true },
        // Once a child route matched, the parent's receiver is not used: SNS needs its own catch-all
        // (after `continue`) for the criticals to reach it too.
        { receiver: RECEIVERS.sns },
      ],
    },
    receivers: [
      {
        name: RECEIVERS.sns,
        sns_configs: [
          {
            topic_arn: inputs.alertsTopicArn,
            sigv4: { region: inputs.region },
            ...(inputs.snsApiUrl ? { api_url: inputs.snsApiUrl } : {}),
            send_resolved: true,
          },
        ],
      },
      { name: RECEIVERS.paging, webhook_configs: [{ url_file: file(RECEIVER_SECRET_KEYS.paging), send_resolved: true }] },
      { name: RECEIVERS.deadman, webhook_configs: [{ url_file: file(RECEIVER_SECRET_KEYS.deadman), send_resolved: false }] },
      { name: RECEIVERS.none },
    ],
    inhibit_rules: [
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'namespace'] },
      { source_matchers: ['alertname="ServiceErrorBudgetBurnFast"'], target_matchers: ['alertname="ServiceErrorBudgetBurnSlow"'], equal: ['namespace', 'service'] },
      { source_matchers: ['alertname="InfoInhibitor"'], target_matchers: ['severity="info"'], equal: ['namespace'] },
    ],
  };
}

/** The receiver names every alert can end in. */
export function receiverNames(config: AlertmanagerConfig): string[] {
  return config.receivers.map((r) => String(r.name));
}
