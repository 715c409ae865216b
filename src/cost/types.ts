/** Types of the cost estimate (see estimate.ts for the rules). */
import type { PhaseId } from '../core/phase.js';
import type { PriceUnit } from './price-table.js';

/** One priced item of one planned resource: quantity × unit price = monthly USD. */
export interface CostLine {
  phase: PhaseId;
  type: string;
  name: string;
  /** What is priced, for people: "m6i.2xlarge x4 (desired size)". */
  item: string;
  priceKey: string;
  region: string;
  quantity: number;
  unit: PriceUnit;
  unitUsd: number;
  monthlyUsd: number;
}

/**
 * Something the estimate did not put a number on: `usage` (billed by use: requests, GB stored,
 * events; an estimate from the plan alone would be invented) or `unpriced` (the type, or the price
 * it needs, is not known to the table or the pricers). Never counted as zero silently: listed.
 */
export interface NotPriced {
  phase: PhaseId;
  type: string;
  name: string;
  kind: 'usage' | 'unpriced';
  reason: string;
}

export interface PhaseCost {
  phase: PhaseId;
  monthlyUsd: number;
  lines: CostLine[];
}

/** A group of not-priced resources of one type, for the summary. */
export interface NotPricedGroup {
  type: string;
  kind: NotPriced['kind'];
  count: number;
  phases: PhaseId[];
  reasons: string[];
}

export interface CostEstimate {
  env: string;
  region: string;
  currency: 'USD';
  hoursPerMonth: number;
  /** How the price table was produced and when. */
  table: { generator: string; generatedAt: string; note: string };
  phases: PhaseCost[];
  totalMonthlyUsd: number;
  /** Resources with no direct charge (IAM, security groups, in-cluster objects...), counted per type. */
  free: { type: string; count: number }[];
  usage: NotPricedGroup[];
  unpriced: NotPricedGroup[];
  /** Every not-priced resource, one by one. */
  notPriced: NotPriced[];
}
