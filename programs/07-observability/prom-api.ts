/**
 * What phase 7's flow gates ask Prometheus and Alertmanager, over any HTTP GET (the API server's
 * service proxy in the cluster, a loopback URL in the tests). Each function returns evidence lines
 * and problems; it never throws for an unhealthy answer, only for a malformed one.
 *
 * Metrics flow: every required job has at least one active target and all its targets are `up`
 * (a down target names its last scrape error); every required rule group is loaded and none of its
 * rules has health `err`. Alerting flow: Alertmanager reports its config loaded with every expected
 * receiver, and the always-firing Watchdog is active (Prometheus -> Alertmanager works).
 */

/** One GET: path relative to the API's base URL (e.g. `/api/v1/targets?state=active`). */
export type HttpGet = (path: string) => Promise<{ status: number; body: string }>;

export interface FlowReport {
  saw: string[];
  problems: string[];
}

async function getJson(get: HttpGet, path: string): Promise<unknown> {
  const r = await get(path);
  if (r.status !== 200) throw new Error(`GET ${path} answered HTTP ${r.status}: ${r.body.slice(0, 200)}`);
  try {
    return JSON.parse(r.body);
  } catch {
    throw new Error(`GET ${path} answered with a body that is not JSON: ${r.body.slice(0, 200)}`);
  }
}

interface Target {
  labels?: Record<string, string>;
  scrapePool?: string;
  scrapeUrl?: string;
  health?: string;
  lastError?: string;
}
interface RuleGroup {
  name: string;
  file?: string;
  rules?: { name: string; health?: string; lastError?: string; type?: string; state?: string }[];
}

/** Prometheus: required jobs scraped and up, required rule groups loaded without errors. */
export async function metricsFlow(get: HttpGet, want: { jobs: readonly string[]; ruleGroups: readonly string[] }): Promise<FlowReport> {
  const out: FlowReport = { saw: [], problems: [] };
  const targets = ((await getJson(get, '/api/v1/targets?state=active')) as { data?: { activeTargets?: Target[] } }).data?.activeTargets ?? [];
  for (const job of want.jobs) {
    const mine = targets.filter((t) => t.labels?.job === job);
    if (mine.length === 0) {
      out.problems.push(`job ${job}: no active target (is its ServiceMonitor/PodMonitor selected?)`);
      continue;
    }
    const down = mine.filter((t) => t.health !== 'up');
    if (down.length === 0) out.saw.push(`job ${job}: ${mine.length} target(s) up`);
    for (const t of down) out.problems.push(`job ${job}: ${t.scrapeUrl ?? '?'} is ${t.health ?? 'unknown'}${t.lastError ? `: ${t.lastError}` : ''}`);
  }
  const groups = ((await getJson(get, '/api/v1/rules')) as { data?: { groups?: RuleGroup[] } }).data?.groups ?? [];
  for (const name of want.ruleGroups) {
    const g = groups.find((x) => x.name === name);
    if (!g) {
      out.problems.push(`rule group ${name} is not loaded (is its PrometheusRule selected?)`);
      continue;
    }
    const bad = (g.rules ?? []).filter((r) => r.health === 'err');
    if (bad.length === 0) out.saw.push(`rule group ${name}: ${(g.rules ?? []).length} rule(s) loaded`);
    for (const r of bad) out.problems.push(`rule ${name}/${r.name} fails to evaluate: ${r.lastError ?? 'no error given'}`);
  }
  return out;
}

/** Alertmanager: config loaded with the expected receivers, and Watchdog active. */
export async function alertingFlow(get: HttpGet, want: { receivers: readonly string[] }): Promise<FlowReport> {
  const out: FlowReport = { saw: [], problems: [] };
  const status = (await getJson(get, '/api/v2/status')) as { config?: { original?: string }; cluster?: { status?: string } };
  const original = status.config?.original ?? '';
  const missing = want.receivers.filter((r) => !new RegExp(`^\\s*-?\\s*name:\\s*['"]?${r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]?\\s*$`, 'm').test(original));
  if (original === '') out.problems.push('Alertmanager reports no loaded configuration');
  else if (missing.length > 0) out.problems.push(`Alertmanager's loaded configuration lacks receiver(s) ${missing.join(', ')} (phase 7's config Secret not picked up?)`);
  else out.saw.push(`Alertmanager config loaded with receivers ${want.receivers.join(', ')}`);
  if (status.cluster?.status && !['ready', 'disabled'].includes(status.cluster.status)) out.problems.push(`Alertmanager cluster status is ${status.cluster.status}`);
  const alerts = (await getJson(get, `/api/v2/alerts?filter=${encodeURIComponent('alertname="Watchdog"')}&active=true`)) as { labels?: Record<string, string> }[];
  if (alerts.length === 0) out.problems.push('no active Watchdog alert: Prometheus does not reach Alertmanager (or the default rules are off)');
  else out.saw.push('Watchdog is active in Alertmanager (Prometheus -> Alertmanager works)');
  return out;
}
