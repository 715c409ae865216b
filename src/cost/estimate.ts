/**
 * The monthly cost estimate of a plan: every planned resource goes through its pricer
 * (pricers.ts); priced lines are summed per phase and for the env; what has no number (billed by
 * use, or unknown to the table) is listed by type, never counted as zero in silence.
 * `costDelta` compares two plans of the same phase (what is deployed, what a change would deploy)
 * for `preview`: what the change adds per month.
 */
import type { EnvConfig } from '../core/env.js';
import type { PhaseId } from '../core/phase.js';
import type { PlannedResource } from '../core/ports.js';
import { priceResource, round } from './pricers.js';
import type { Prices } from './price-table.js';
import type { CostEstimate, CostLine, NotPriced, NotPricedGroup, PhaseCost } from './types.js';

export function estimateCost(plan: readonly PlannedResource[], env: Pick<EnvConfig, 'name' | 'regions'>, prices: Prices): CostEstimate {
  const ctx = { region: env.regions.primary, prices, plan };
  const lines: CostLine[] = [];
  const notPriced: NotPriced[] = [];
  const free = new Map<string, number>();
  for (const r of plan) {
    const o = priceResource(r, ctx);
    if (o.kind === 'free') free.set(r.type, (free.get(r.type) ?? 0) + 1);
    if (o.kind !== 'priced') continue;
    lines.push(...o.lines);
    notPriced.push(...o.missing);
  }
  const phaseIds = [...new Set(plan.map((r) => r.phase))].sort((a, b) => a - b);
  const phases: PhaseCost[] = phaseIds.map((phase) => {
    const own = lines.filter((l) => l.phase === phase);
    return { phase, monthlyUsd: sum(own), lines: own };
  });
  const t = prices.table;
  return {
    env: env.name,
    region: env.regions.primary,
    currency: 'USD',
    hoursPerMonth: t.hoursPerMonth,
    table: { generator: t.generator, generatedAt: t.generatedAt, note: t.note },
    phases,
    totalMonthlyUsd: sum(lines),
    free: [...free].map(([type, count]) => ({ type, count })).sort((a, b) => a.type.localeCompare(b.type)),
    usage: group(notPriced.filter((n) => n.kind === 'usage')),
    unpriced: group(notPriced.filter((n) => n.kind === 'unpriced')),
    notPriced,
  };
}

function sum(lines: readonly CostLine[]): number {
  return round(lines.reduce((s, l) => s + l.monthlyUsd, 0));
}

function group(items: readonly NotPriced[]): NotPricedGroup[] {
  const by = new Map<string, NotPricedGroup>();
  for (const n of items) {
    const g = by.get(n.type) ?? { type: n.type, kind: n.kind, count: 0, phases: [], reasons: [] };
    g.count++;
    if (!g.phases.includes(n.phase)) g.phases.push(n.phase);
    if (!g.reasons.includes(n.reason)) g.reasons.push(n.reason);
    by.set(n.type, g);
  }
  return [...by.values()].sort((a, b) => a.type.localeCompare(b.type));
}

/** What a change to one phase adds (or removes) per month; `before` undefined = a new stack. */
export interface CostDelta {
  phase: PhaseId;
  beforeUsd: number;
  afterUsd: number;
  deltaUsd: number;
  /** Types whose cost could not be estimated on either side (usage-based or unpriced), sorted. */
  notEstimated: string[];
}

export function costDelta(
  phase: PhaseId,
  before: readonly PlannedResource[],
  after: readonly PlannedResource[],
  env: Pick<EnvConfig, 'name' | 'regions'>,
  prices: Prices,
): CostDelta {
  const a = estimateCost(before, env, prices);
  const b = estimateCost(after, env, prices);
  const notEstimated = [...new Set([...a.notPriced, ...b.notPriced].map((n) => n.type))].sort();
  return { phase, beforeUsd: a.totalMonthlyUsd, afterUsd: b.totalMonthlyUsd, deltaUsd: round(b.totalMonthlyUsd - a.totalMonthlyUsd), notEstimated };
}
