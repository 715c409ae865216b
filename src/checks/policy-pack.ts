/**
 * Adapts our rules to @pulumi/policy, so the same list can run as a local policy pack with the real
 * engine (`PreviewOptions.policyPacks`). Only types are imported here: building `new PolicyPack(...)`
 * starts a gRPC server, so that belongs in the pack's own entry file:
 *
 *   new PolicyPack('platform', { policies: await toPolicyPackPolicies() });
 *
 * A violation's property path is prefixed to its message, since @pulumi/policy reports messages only.
 */
import type { ResourceValidationPolicy, StackValidationPolicy, ReportViolation } from '@pulumi/policy';
import type { PhaseId } from '../core/phase.js';
import { isManifestType, loadModels, manifestOf } from './manifests.js';
import { allRules } from './rules/index.js';
import { appliesTo } from './runner.js';
import type { CheckResource, Rule } from './types.js';

/** The phase of a stack named `<env>-NN-<slug>` (the URN's stack part), or 0 if it has none. */
function phaseOf(urn: string): PhaseId {
  const stack = urn.split('::')[0]?.split(':').pop() ?? '';
  const m = /-(\d{2})-[a-z0-9-]+$/.exec(stack);
  return (m ? Number(m[1]) : 0) as PhaseId;
}

function asCheckResource(a: { type: string; urn: string; name: string; props: Record<string, any> }): CheckResource {
  return { phase: phaseOf(a.urn), urn: a.urn, type: a.type, name: a.name, props: a.props };
}

export async function toPolicyPackPolicies(rules: readonly Rule[] = allRules): Promise<(ResourceValidationPolicy | StackValidationPolicy)[]> {
  return rules.map((rule) => {
    const base = { name: rule.name, description: `${rule.description} (${rule.mirrors.join(', ')}). Fix: ${rule.fix}`, enforcementLevel: 'mandatory' as const };
    if (rule.kind === 'resource') {
      return {
        ...base,
        validateResource: async (args, report: ReportViolation) => {
          if (!appliesTo(rule.resourceTypes, args.type)) return;
          const r = asCheckResource(args);
          if (isManifestType(r.type)) await loadModels([manifestOf(r)]);
          rule.validateResource(r, (v) => report(`${v.property}: ${v.message}`), { now: Date.now() });
        },
      } satisfies ResourceValidationPolicy;
    }
    return {
      ...base,
      validateStack: async (args, report: ReportViolation) => {
        const resources = args.resources.map(asCheckResource);
        rule.validateStack(resources, (v) => report(`${v.property}: ${v.message}`, v.resource.urn), { now: Date.now() });
      },
    } satisfies StackValidationPolicy;
  });
}
