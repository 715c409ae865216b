/**
 * Static checks over the planned platform: what `platform check`, `preview` and the pre-`up` check
 * call. `checkPlatform` runs every rule and manifest schema over the resources the engine planned
 * and applies the env file's suppressions; `renderPlain` / `renderJson` give the output;
 * `verdict` / `assertChecksAllowUp` decide whether `up` may go on.
 */
import type { EnvConfig } from '../core/env.js';
import type { PlannedResource } from '../core/ports.js';
import { helmRenderer } from './charts/render.js';
import { runChecks } from './runner.js';
import type { CheckResult } from './types.js';

export { platformObjects, runChecks, type RunChecksOptions } from './runner.js';
export { allRules } from './rules/index.js';
export { renderPlain, renderJson, verdict, assertChecksAllowUp, findingLine, suppressionLine, summaryLine, chartLine, type Verdict } from './report.js';
export { helmRenderer, type ChartRenderer } from './charts/render.js';
export { toPolicyPackPolicies } from './policy-pack.js';
export type * from './types.js';

/**
 * Checks the planned resources of one env (any number of phases) at time `now` (ms), with every Helm
 * release rendered (charts/render.ts: the pinned chart found offline under `root`, the env's
 * Kubernetes version): what a chart creates is checked like any other object, and a release that
 * cannot be rendered is a finding.
 */
export function checkPlatform(resources: readonly PlannedResource[], env: EnvConfig, now: number, opts: { root: string }): Promise<CheckResult> {
  return runChecks(resources, { env, now, charts: helmRenderer({ root: opts.root, kubeVersion: env.cluster.version }) });
}
