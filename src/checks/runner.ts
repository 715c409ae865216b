/**
 * Runs every rule over the planned resources of one env:
 * 1. planned resources become check resources (inputs as props); ConfigGroup manifests are expanded;
 *    with a chart renderer, every Helm release is rendered and its objects join the graph (charts/);
 * 2. the schema models of every manifest kind are loaded (async imports, cached per process);
 * 3. each resource rule runs on the resources of its types (a trailing `*` is a prefix), each stack
 *    rule once over all of them; a rule that throws becomes a finding, never a silent pass;
 * 4. findings are sorted (phase, type, name, rule, property) and the env's suppressions applied.
 */
import type { EnvConfig } from '../core/env.js';
import type { PlannedResource } from '../core/ports.js';
import { expandManifests, isManifestType, loadModels, manifestOf } from './manifests.js';
import { allRules } from './rules/index.js';
import { applySuppressions } from './suppressions.js';
import { expandCharts } from './charts/expand.js';
import type { ChartRenderer } from './charts/render.js';
import { valuesKeyFor } from './charts/values-map.js';
import type { CheckResource, CheckResult, Finding, RenderedChart, Rule, RuleContext } from './types.js';

export interface RunChecksOptions {
  env: EnvConfig;
  /** The time of the run in ms (suppression expiry, support dates). */
  now: number;
  /** The rules to run; all of them by default. */
  rules?: readonly Rule[];
  /** Monotonic clock for durationMs; defaults to performance.now. */
  clock?: () => number;
  /**
   * Renders Helm releases so their objects are checked too. Without it, releases are judged by their
   * inputs only (rule unit tests); `checkPlatform` (the CLI) always passes one.
   */
  charts?: ChartRenderer;
}

/** A planned resource as the checks see it (the simulate engine may add its physical `id`). */
export function toCheckResource(r: PlannedResource & { id?: string }): CheckResource {
  return { phase: r.phase, urn: r.urn, type: r.type, name: r.name, props: r.inputs ?? {}, ...(r.id ? { id: r.id } : {}) };
}

export function appliesTo(types: readonly string[], type: string): boolean {
  return types.some((t) => (t.endsWith('*') ? type.startsWith(t.slice(0, -1)) : t === type));
}

/**
 * Everything the rules judge: the planned resources, ConfigGroup manifests expanded, and (with a
 * renderer) every Helm release's rendered objects, each carrying the release it came from. The
 * checkov suite (test/checkov) scans exactly these objects.
 */
export async function platformObjects(planned: readonly PlannedResource[], charts?: ChartRenderer): Promise<{ resources: CheckResource[]; charts: RenderedChart[] }> {
  const expanded = expandManifests(planned.map(toCheckResource)).resources;
  return charts ? expandCharts(expanded, charts) : { resources: expanded, charts: [] };
}

export async function runChecks(planned: readonly PlannedResource[], opts: RunChecksOptions): Promise<CheckResult> {
  const clock = opts.clock ?? (() => performance.now());
  const started = clock();
  const rules = opts.rules ?? allRules;
  const { resources, charts } = await platformObjects(planned, opts.charts);
  const manifests = resources.filter((r) => isManifestType(r.type));
  await loadModels(manifests.map((r) => manifestOf(r)));
  const ctx: RuleContext = { now: opts.now, regions: opts.env.regions };
  const raw: Finding[] = [];
  const finding = (rule: Rule, r: CheckResource, property: string, message: string): Finding => ({
    rule: rule.name,
    mirrors: rule.mirrors,
    severity: rule.severity,
    phase: r.phase,
    type: r.type,
    name: r.name,
    urn: r.urn,
    property: r.embeddedAt ? `${r.embeddedAt}.${property}` : property,
    message,
    fix: rule.fix,
    ...(r.chart ? { chart: { ...r.chart, ...withKey(valuesKeyFor(r, property, rule.name)) } } : {}),
  });
  for (const rule of rules) {
    if (rule.kind === 'resource') {
      for (const r of resources) {
        if (!appliesTo(rule.resourceTypes, r.type)) continue;
        try {
          rule.validateResource(r, (v) => raw.push(finding(rule, r, v.property, v.message)), ctx);
        } catch (e) {
          raw.push(finding(rule, r, '(rule)', `the rule failed: ${(e as Error).message}`));
        }
      }
    } else {
      try {
        rule.validateStack(resources, (v) => raw.push(finding(rule, v.resource, v.property, v.message)), ctx);
      } catch (e) {
        const anchor = resources[0] ?? { phase: 0, urn: '(none)', type: '(stack)', name: '(stack)', props: {} };
        raw.push(finding(rule, anchor as CheckResource, '(rule)', `the rule failed: ${(e as Error).message}`));
      }
    }
  }
  raw.sort(compareFindings);
  const out = applySuppressions(raw, opts.env.checks.suppressions, new Set(rules.map((r) => r.name)), opts.now);
  return {
    env: opts.env.name,
    rulesEvaluated: rules.map((r) => r.name),
    resourcesChecked: planned.length,
    manifestsChecked: manifests.filter((r) => !r.chart).length,
    charts,
    findings: out.findings,
    suppressed: out.suppressed,
    suppressions: out.applied,
    expiredSuppressions: out.problems,
    durationMs: Math.round((clock() - started) * 10) / 10,
  };
}

const withKey = (k: string | undefined) => (k ? { valuesKey: k } : {});

function compareFindings(a: Finding, b: Finding): number {
  return a.phase - b.phase || cmp(a.type, b.type) || cmp(a.name, b.name) || cmp(a.rule, b.rule) || cmp(a.property, b.property) || cmp(a.message, b.message);
}
const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
