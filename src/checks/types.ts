/**
 * Types of the static checks. Rules are data shaped like @pulumi/policy's `ResourceValidationPolicy`
 * (`validateResource` over resource types) and `StackValidationPolicy` (`validateStack` over every
 * resource), so the same list can be adapted into a policy pack for the real engine
 * (see policy-pack.ts). The one difference: a violation names the property it is about, so a finding
 * can say which input to change.
 */
import type { PhaseId } from '../core/phase.js';
import type { RenderOutcome } from './charts/render.js';

/** One resource the checks look at: a planned resource, or a manifest embedded in one. */
export interface CheckResource {
  phase: PhaseId;
  urn: string;
  type: string;
  name: string;
  /** Inputs as the program passed them (secrets are "[secret]"). */
  props: Record<string, unknown>;
  /** Physical id when the engine knows it (simulate): links companions such as a bucket's policy. */
  id?: string;
  /** For a manifest taken out of a ConfigGroup: the property path of the manifest in its resource. */
  embeddedAt?: string;
  /** For an object a Helm release renders: the release it comes from. */
  chart?: ChartRef;
  /** For a Helm release, when charts were rendered: what rendering it gave. */
  rendered?: RenderOutcome;
}

/** The Helm release an object was rendered from. */
export interface ChartRef {
  release: string;
  /** The chart's own name (last segment of its reference) and pinned version. */
  chart: string;
  version: string;
}

/** One rendered chart, for the report: how many objects were checked and where the chart came from. */
export interface RenderedChart {
  phase: PhaseId;
  release: string;
  chart: string;
  version: string;
  /** Objects checked (0 when it could not be rendered). */
  objects: number;
  /** Where the chart came from, or why it was not rendered. */
  origin: string;
  ok: boolean;
}

export interface Violation {
  /** Property path in the resource's inputs, dotted with [i] for arrays: `vpcConfig.endpointPublicAccess`. */
  property: string;
  message: string;
}

/** A stack violation names the resource it is about. */
export interface StackViolation extends Violation {
  resource: CheckResource;
}

export type ReportViolation = (v: Violation) => void;
export type ReportStackViolation = (v: StackViolation) => void;

/** What a rule may read besides the resource, like @pulumi/policy's `getConfig()`. */
export interface RuleContext {
  /** The time of the run (ms since epoch): version support dates, suppression expiry. */
  now: number;
  /** The env's regions (rules that judge where a copy lands: DR copies). */
  regions?: { primary: string; dr: string };
}

export type Severity = 'high' | 'medium' | 'low';

export interface RuleBase {
  /** Our stable id, kebab-case: what suppressions name. */
  name: string;
  description: string;
  severity: Severity;
  /** Ids of the scanner rules this one mirrors (checkov, trivy, CIS, Pulumi compliance, kube-score, kyverno). */
  mirrors: readonly string[];
  /** How to fix a violation, in one sentence. */
  fix: string;
}

export interface ResourceRule extends RuleBase {
  kind: 'resource';
  /** Pulumi type tokens the rule applies to. */
  resourceTypes: readonly string[];
  validateResource(resource: CheckResource, report: ReportViolation, ctx: RuleContext): void;
}

export interface StackRule extends RuleBase {
  kind: 'stack';
  validateStack(resources: readonly CheckResource[], report: ReportStackViolation, ctx: RuleContext): void;
}

export type Rule = ResourceRule | StackRule;

export interface Finding {
  rule: string;
  mirrors: readonly string[];
  severity: Severity;
  phase: PhaseId;
  type: string;
  name: string;
  urn: string;
  property: string;
  message: string;
  fix: string;
  /** For an object rendered from a chart: the release, and the values key that fixes the finding when known. */
  chart?: ChartRef & { valuesKey?: string };
}

export interface AppliedSuppression {
  rule: string;
  resource: string;
  reason: string;
  expires: string;
  /** How many findings it suppressed in this run. */
  matched: number;
}

export interface SuppressionProblem {
  rule: string;
  resource: string;
  expires: string;
  problem: 'expired' | 'unknown-rule';
}

export interface CheckResult {
  env: string;
  /** Names of every rule that ran. */
  rulesEvaluated: string[];
  resourcesChecked: number;
  manifestsChecked: number;
  /** Each Helm release and how many of its rendered objects were checked (empty when charts were not rendered). */
  charts: RenderedChart[];
  /** Findings not suppressed. */
  findings: Finding[];
  /** Findings hidden by a valid suppression. */
  suppressed: Finding[];
  suppressions: AppliedSuppression[];
  /** Expired or unknown-rule suppressions: each fails the check and suppresses nothing. */
  expiredSuppressions: SuppressionProblem[];
  durationMs: number;
}
