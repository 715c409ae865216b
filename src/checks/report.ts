/**
 * What the CLI prints and decides from a check result: one line per finding (and per failed
 * suppression) plus a summary line, a JSON document, and the verdict for `up`: a finding or a failed
 * suppression blocks in envs whose file sets `checks.blockOnViolation` (stg, prod) and warns elsewhere.
 * Nothing here prints; the CLI writes the strings.
 */
import type { EnvConfig } from '../core/env.js';
import { PlatformError } from '../core/errors.js';
import type { CheckResult, Finding, RenderedChart, SuppressionProblem } from './types.js';

export type Verdict = 'pass' | 'warn' | 'block';

export function verdict(result: CheckResult, env: Pick<EnvConfig, 'checks'>): Verdict {
  if (result.findings.length === 0 && result.expiredSuppressions.length === 0) return 'pass';
  return env.checks.blockOnViolation ? 'block' : 'warn';
}

export function findingLine(f: Finding): string {
  const chart = f.chart ? ` (chart ${f.chart.chart} ${f.chart.version}, release ${f.chart.release})` : '';
  const key = f.chart?.valuesKey ? ` values key ${f.chart.valuesKey}:` : '';
  return `${f.severity.toUpperCase()} phase ${f.phase} ${f.type} "${f.name}"${chart} ${f.property}: ${f.message} [${f.rule}: ${f.mirrors.join(', ')}] fix:${key} ${f.fix}`;
}

/** One line per Helm release: how many rendered objects were checked, and where the chart came from. */
export function chartLine(c: RenderedChart): string {
  return c.ok
    ? `chart ${c.chart} ${c.version} (release ${c.release}, phase ${c.phase}): ${c.objects} rendered object${c.objects === 1 ? '' : 's'} checked; ${c.origin}`
    : `chart ${c.chart} ${c.version} (release ${c.release}, phase ${c.phase}): NOT rendered, nothing inside it checked: ${c.origin}`;
}

export function suppressionLine(p: SuppressionProblem): string {
  return p.problem === 'expired'
    ? `EXPIRED suppression of ${p.rule} on ${p.resource} (expired ${p.expires}): fix the finding or renew it with a reason`
    : `INVALID suppression of ${p.rule} on ${p.resource}: no rule has that name`;
}

export function summaryLine(result: CheckResult, v: Verdict): string {
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  const outcome = v === 'pass' ? 'passed' : v === 'block' ? `blocking: env ${result.env} blocks on violations` : 'warning only';
  const rendered = result.charts.filter((c) => c.ok);
  const charts = result.charts.length
    ? `, ${n(rendered.reduce((a, c) => a + c.objects, 0), 'rendered chart object')} from ${rendered.length}/${result.charts.length} charts`
    : '';
  return `checks ${result.env}: ${n(result.rulesEvaluated.length, 'rule')} over ${n(result.resourcesChecked, 'resource')}, ${n(result.manifestsChecked, 'manifest')}${charts}: ${n(result.findings.length, 'finding')}, ${result.suppressed.length} suppressed, ${n(result.expiredSuppressions.length, 'failed suppression')} in ${result.durationMs} ms; ${outcome}`;
}

/** The plain output: one line per finding and per failed suppression, then the summary line. */
export function renderPlain(result: CheckResult, env: Pick<EnvConfig, 'checks'>): string[] {
  return [...result.charts.map(chartLine), ...result.findings.map(findingLine), ...result.expiredSuppressions.map(suppressionLine), summaryLine(result, verdict(result, env))];
}

/** The --json document. */
export function renderJson(result: CheckResult, env: Pick<EnvConfig, 'checks'>): Record<string, unknown> {
  return {
    env: result.env,
    verdict: verdict(result, env),
    blockOnViolation: env.checks.blockOnViolation,
    rulesEvaluated: result.rulesEvaluated,
    resourcesChecked: result.resourcesChecked,
    manifestsChecked: result.manifestsChecked,
    charts: result.charts,
    findings: result.findings,
    suppressions: result.suppressions,
    suppressedFindings: result.suppressed,
    expiredSuppressions: result.expiredSuppressions,
    durationMs: result.durationMs,
  };
}

/** For the pre-`up` check: throws `check-failed` when the verdict is block; returns the verdict otherwise. */
export function assertChecksAllowUp(result: CheckResult, env: Pick<EnvConfig, 'checks' | 'name'>): Verdict {
  const v = verdict(result, env);
  if (v !== 'block') return v;
  const first = result.findings[0];
  throw new PlatformError('check-failed', `static checks failed in env ${env.name}: ${result.findings.length} finding(s), ${result.expiredSuppressions.length} failed suppression(s)`, {
    value: first ? `${first.rule} on ${first.type} "${first.name}" ${first.property}` : `${result.expiredSuppressions[0]!.rule} suppression`,
    hint: `run \`platform check --env ${env.name}\`, fix each finding, or add a suppression with a reason and an expiry to stacks/${env.name}.yaml`,
  });
}
